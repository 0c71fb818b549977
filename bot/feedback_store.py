"""Ratings of answers, kept so staff can review the weak ones (SQLite by default)."""
from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path


@dataclass(frozen=True)
class Feedback:
    sender: str
    rating: str  # up | down
    question: str
    answer: str
    sources: list


class FeedbackStore:
    """`address` is a file path or `sqlite:///path`."""

    def __init__(self, address: str):
        path = address[len("sqlite:///"):] if address.startswith("sqlite:///") else address
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connect() as conn:
            conn.execute("""CREATE TABLE IF NOT EXISTS feedback (
                id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL,
                sender TEXT NOT NULL, rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
                question TEXT, answer TEXT, sources TEXT)""")

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10)
        conn.row_factory = sqlite3.Row
        return conn

    def add(self, fb: Feedback) -> int:
        with self._lock, self._connect() as conn:
            cur = conn.execute(
                "INSERT INTO feedback (created_at, sender, rating, question, answer, sources) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (datetime.now(timezone.utc).isoformat(timespec="seconds"), fb.sender, fb.rating,
                 fb.question, fb.answer, json.dumps(fb.sources, ensure_ascii=False)))
            return int(cur.lastrowid)

    def rows(self) -> list[dict]:
        with self._connect() as conn:
            return [dict(r) for r in conn.execute("SELECT * FROM feedback ORDER BY id")]

    def worst(self, limit: int = 20) -> list[dict]:
        """Answers with the most thumbs-down (net of thumbs-up), most recent first on ties."""
        with self._connect() as conn:
            return [dict(r) for r in conn.execute("""
                SELECT answer, MAX(question) AS question, MAX(sources) AS sources,
                       SUM(rating = 'down') AS down, SUM(rating = 'up') AS up,
                       MAX(created_at) AS last_rated
                FROM feedback GROUP BY answer
                HAVING SUM(rating = 'down') > 0
                ORDER BY SUM(rating = 'down') - SUM(rating = 'up') DESC, last_rated DESC
                LIMIT ?""", (limit,))]
