"""Ratings of answers, kept so staff can review the weak ones (SQLite by default)."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone

from bot.sqlite_store import SqliteStore


@dataclass(frozen=True)
class Feedback:
    sender: str
    rating: str  # up | down
    question: str
    answer: str
    sources: list


_SCHEMA = """CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL,
    sender TEXT NOT NULL, rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    question TEXT, answer TEXT, sources TEXT);"""


def _dicts(cursor: sqlite3.Cursor) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


class FeedbackStore:
    """`address` is a file path or `sqlite:///path`; one connection per process."""

    def __init__(self, address: str):
        self._store = SqliteStore(address, _SCHEMA)

    def add(self, fb: Feedback) -> int:
        return self._store.transaction(lambda db: int(db.execute(
            "INSERT INTO feedback (created_at, sender, rating, question, answer, sources) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (datetime.now(timezone.utc).isoformat(timespec="seconds"), fb.sender, fb.rating,
             fb.question, fb.answer, json.dumps(fb.sources, ensure_ascii=False))).lastrowid))

    def rows(self) -> list[dict]:
        return self._store.transaction(
            lambda db: _dicts(db.execute("SELECT * FROM feedback ORDER BY id")))

    def worst(self, limit: int = 20) -> list[dict]:
        """Answers with the most thumbs-down (net of thumbs-up), most recent first on ties."""
        return self._store.transaction(lambda db: _dicts(db.execute("""
                SELECT answer, MAX(question) AS question, MAX(sources) AS sources,
                       SUM(rating = 'down') AS down, SUM(rating = 'up') AS up,
                       MAX(created_at) AS last_rated
                FROM feedback GROUP BY answer
                HAVING SUM(rating = 'down') > 0
                ORDER BY SUM(rating = 'down') - SUM(rating = 'up') DESC, last_rated DESC
                LIMIT ?""", (limit,))))
