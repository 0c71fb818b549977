"""The feedback review lists partial answers first (README, "Answerability"), and stores made
before answers were judged gain the column they need."""
import sqlite3

from bot.feedback_store import FeedbackStore, GivenAnswer


def test_partial_answers_are_reviewed_first(tmp_path):
    store = FeedbackStore(str(tmp_path / "feedback.db"))
    full, partial, praised = store.remember_answers([
        GivenAnswer("web:a", "投诉多久受理？", "简要回答：7个工作日内。", [], "yes"),
        GivenAnswer("web:a", "深圳的总部奖励多少钱？", "我们掌握的全国性文件不包括深圳本地的奖励……", [], "partial"),
        GivenAnswer("web:a", "税率多少？", "简要回答：25%。", [], "yes"),
    ])
    assert store.rate(full, "web:a", "down") and store.rate(partial, "web:a", "up")
    assert store.rate(praised, "web:a", "up")
    review = store.worst(10)
    # The partial answer leads although it was rated up; a well-rated full answer is not listed.
    assert [(r.question, r.answerable) for r in review] == [
        ("深圳的总部奖励多少钱？", "partial"), ("投诉多久受理？", "")]
    assert [r.answerable for r in store.rows()] == ["yes", "partial", "yes"]


def test_a_store_from_before_answerability_gains_the_column(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.executescript("""
            CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL,
                sender TEXT NOT NULL, rating TEXT NOT NULL, question TEXT, answer TEXT, sources TEXT);
            CREATE TABLE given_answers (id TEXT PRIMARY KEY, created REAL NOT NULL, sender TEXT NOT NULL,
                question TEXT, answer TEXT, sources TEXT, rated INTEGER);
            INSERT INTO feedback (created_at, sender, rating, question, answer, sources)
                VALUES ('2026-01-01T00:00:00+00:00', 'web:x', 'down', 'q', 'old answer', '[]');""")
    store = FeedbackStore(str(path))
    FeedbackStore(str(path))  # a second gateway starting on the same store: nothing to add
    answer_id, = store.remember_answers([GivenAnswer("web:y", "q2", "new answer", [], "partial")])
    assert store.rate(answer_id, "web:y", "down")
    assert [(r.answer, r.answerable) for r in store.worst(5)] == [("new answer", "partial"), ("old answer", "")]
