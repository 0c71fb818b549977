"""Ratings of answers, kept so staff can review the weak ones (SQLite by default).

A rating is tied to an answer the gateway gave: every answer sent to the web channel is stored
under a random id, and a rating names that id. The question, answer and sources shown to staff
are the server's own record, never text a client sent; one rating per answer counts.
Retention: ratings older than `retention_days` and unrated answers older than `answer_days`
are deleted (checked at most once an hour).
"""
from __future__ import annotations

import json
import secrets
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from bot.sqlite_store import SqliteStore


@dataclass(frozen=True)
class Feedback:
    sender: str
    rating: str  # up | down
    question: str
    answer: str
    sources: list


@dataclass(frozen=True)
class GivenAnswer:
    """One bot message as the gateway sent it."""
    sender: str
    question: str
    answer: str
    sources: list


_SCHEMA = """CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL,
    sender TEXT NOT NULL, rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    question TEXT, answer TEXT, sources TEXT);
CREATE TABLE IF NOT EXISTS given_answers (
    id TEXT PRIMARY KEY, created REAL NOT NULL, sender TEXT NOT NULL,
    question TEXT, answer TEXT, sources TEXT, rated INTEGER);
CREATE INDEX IF NOT EXISTS given_answers_created ON given_answers (created);"""

_SWEEP_EVERY = 3600.0


def _dicts(cursor: sqlite3.Cursor) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="seconds")


class FeedbackStore:
    """`address` is a file path or `sqlite:///path`; one connection per process."""

    def __init__(self, address: str, retention_days: float = 365.0, answer_days: float = 7.0,
                 clock: Callable[[], float] = time.time):
        self._store = SqliteStore(address, _SCHEMA)
        self.retention_days = retention_days
        self.answer_days = answer_days
        self._clock = clock
        self._last_sweep = 0.0

    def add(self, fb: Feedback) -> int:
        return self._store.transaction(lambda db: self._insert(db, fb))

    def _insert(self, db: sqlite3.Connection, fb: Feedback) -> int:
        return int(db.execute(
            "INSERT INTO feedback (created_at, sender, rating, question, answer, sources) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (_iso(self._clock()), fb.sender, fb.rating, fb.question, fb.answer,
             json.dumps(fb.sources, ensure_ascii=False))).lastrowid)

    def remember_answers(self, answers: list[GivenAnswer]) -> list[str]:
        """Store the answers just given; returns their ids (what a rating must name)."""
        ids = [secrets.token_hex(12) for _ in answers]
        now = self._clock()

        def work(db):
            self._sweep(db, now)
            db.executemany(
                "INSERT INTO given_answers (id, created, sender, question, answer, sources) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(i, now, a.sender, a.question, a.answer, json.dumps(a.sources, ensure_ascii=False))
                 for i, a in zip(ids, answers)])

        self._store.transaction(work)
        return ids

    def rate(self, answer_id: str, sender: str, rating: str) -> bool:
        """Record a rating of an answer this server gave to `sender`; False when there is no
        such answer (unknown, expired, or given to someone else) or it was rated already."""
        def work(db):
            row = db.execute("SELECT question, answer, sources, rated FROM given_answers "
                             "WHERE id = ? AND sender = ?", (answer_id, sender)).fetchone()
            if row is None or row[3]:
                return False
            self._insert(db, Feedback(sender, rating, row[0] or "", row[1] or "",
                                      json.loads(row[2] or "[]")))
            db.execute("UPDATE given_answers SET rated = 1 WHERE id = ?", (answer_id,))
            return True

        return self._store.transaction(work)

    def _sweep(self, db: sqlite3.Connection, now: float) -> None:
        if now - self._last_sweep < _SWEEP_EVERY:
            return
        self._last_sweep = now
        db.execute("DELETE FROM given_answers WHERE created < ?", (now - self.answer_days * 86400,))
        if self.retention_days > 0:
            db.execute("DELETE FROM feedback WHERE created_at < ?",
                       (_iso(now - self.retention_days * 86400),))

    def purge(self) -> None:
        """Apply the retention now."""
        self._last_sweep = 0.0
        self._store.transaction(lambda db: self._sweep(db, self._clock()))

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
