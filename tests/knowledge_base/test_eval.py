"""The dev-set targets of the issue, measured by the real engine."""
from knowledge_base.evaluate import evaluate, load_questions

from helpers import DEV_SET


def test_dev_set_shape():
    questions = load_questions(DEV_SET)
    zh = [q for q in questions if q.answerable and q.lang == "zh"]
    en = [q for q in questions if q.answerable and q.lang == "en"]
    assert len(zh) >= 40 and len(en) >= 40
    assert len([q for q in questions if not q.answerable]) >= 10


def test_dev_set_targets(kb):
    reports = {r.mode: r for r in evaluate(kb, load_questions(DEV_SET))}
    hybrid = reports["hybrid"]
    scores = {lang: s.as_dict() for lang, s in hybrid.by_lang.items()}
    assert scores["zh"]["hit@1"] >= 0.90, scores
    assert scores["en"]["hit@1"] >= 0.85, scores
    assert hybrid.overall()["hit@3"] >= 0.97, hybrid.overall()
    na = hybrid.no_answer()
    assert na["recall"] >= 0.80, na
    assert na["answerable_flagged_rate"] <= 0.05, na
    # Hybrid must earn its keep over either part alone.
    for part in ("dense", "bm25"):
        assert hybrid.overall()["mrr"] >= reports[part].overall()["mrr"]
