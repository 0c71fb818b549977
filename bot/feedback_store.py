"""Ratings of answers, kept so staff can review the weak ones (SQLite, or PostgreSQL when
STATE_DATABASE_URL / TRACKER_STORE_URL is set: then every gateway sees every answer and rating).

A rating is tied to an answer the gateway gave: every answer sent to the web channel is stored
under a random id, and a rating names that id. The question, answer and sources shown to staff
are the server's own record, never text a client sent; one rating per answer counts.
Retention: ratings older than `retention_days` and unrated answers older than `answer_days`
are deleted (checked at most once an hour).
"""
from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from shared_state.sql import Sql, open_database


@dataclass(frozen=True)
class Feedback:
    sender: str
    rating: str  # up | down
    question: str
    answer: str
    sources: list
    answerable: str = ""  # yes | partial | no, as the bot judged the answer ("" when unknown)


@dataclass(frozen=True)
class GivenAnswer:
    """One bot message as the gateway sent it."""
    sender: str
    question: str
    answer: str
    sources: list
    answerable: str = ""


@dataclass(frozen=True)
class StoredFeedback:
    """A rating as stored, with the server's own record of the answer rated."""
    id: int
    created_at: str  # ISO 8601, UTC
    sender: str
    rating: str
    question: str
    answer: str
    sources: list
    answerable: str = ""


@dataclass(frozen=True)
class WeakAnswer:
    """An answer rated down, with its counts (`python -m bot feedback --worst`)."""
    answer: str
    question: str
    sources: list
    down: int
    up: int
    last_rated: str
    answerable: str = ""


_SCHEMA = """CREATE TABLE IF NOT EXISTS feedback (
    id {id}, created_at TEXT NOT NULL,
    sender TEXT NOT NULL, rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    question TEXT, answer TEXT, sources TEXT, answerable TEXT);
CREATE TABLE IF NOT EXISTS given_answers (
    id TEXT PRIMARY KEY, created {float} NOT NULL, sender TEXT NOT NULL,
    question TEXT, answer TEXT, sources TEXT, rated INTEGER, answerable TEXT);
CREATE INDEX IF NOT EXISTS given_answers_created ON given_answers (created);"""

_SWEEP_EVERY = 3600.0


def _add_answerable_column(db: Sql, dialect: str) -> None:
    """Stores made before answers were judged lack the column: add it (idempotent, and safe
    when two gateways start together)."""
    for table in ("feedback", "given_answers"):
        if dialect == "postgresql":
            db.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS answerable TEXT")
        elif "answerable" not in [r[1] for r in db.execute(f"PRAGMA table_info({table})").fetchall()]:
            db.execute(f"ALTER TABLE {table} ADD COLUMN answerable TEXT")


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="seconds")


def _sources(text: str | None) -> list:
    return json.loads(text or "[]")


class FeedbackStore:
    """`address`: a file path, `sqlite:///path` or `postgresql://...`."""

    def __init__(self, address: str, retention_days: float = 365.0, answer_days: float = 7.0,
                 clock: Callable[[], float] = time.time):
        self._db = open_database(address, _SCHEMA)
        self._db.transaction(lambda db: _add_answerable_column(db, self._db.dialect))
        self.retention_days = retention_days
        self.answer_days = answer_days
        self._clock = clock
        self._last_sweep = 0.0

    def add(self, fb: Feedback) -> int:
        return self._db.transaction(lambda db: self._insert(db, fb))

    def _insert(self, db: Sql, fb: Feedback) -> int:
        return int(db.execute(
            "INSERT INTO feedback (created_at, sender, rating, question, answer, sources, answerable) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (_iso(self._clock()), fb.sender, fb.rating, fb.question, fb.answer,
             json.dumps(fb.sources, ensure_ascii=False), fb.answerable)).fetchone()[0])

    def remember_answers(self, answers: list[GivenAnswer]) -> list[str]:
        """Store the answers just given; returns their ids (what a rating must name)."""
        ids = [secrets.token_hex(12) for _ in answers]
        now = self._clock()

        def work(db: Sql) -> None:
            self._sweep(db, now)
            db.executemany(
                "INSERT INTO given_answers (id, created, sender, question, answer, sources, answerable) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(i, now, a.sender, a.question, a.answer, json.dumps(a.sources, ensure_ascii=False),
                  a.answerable) for i, a in zip(ids, answers)])

        if answers:
            self._db.transaction(work)
        return ids

    def rate(self, answer_id: str, sender: str, rating: str) -> bool:
        """Record a rating of an answer this server gave to `sender`; False when there is no
        such answer (unknown, expired, or given to someone else) or it was rated already."""
        def work(db: Sql) -> bool:
            # Marking first makes a second rating of the same answer (on any gateway) find no row.
            row = db.execute("UPDATE given_answers SET rated = 1 WHERE id = ? AND sender = ? "
                             "AND rated IS NULL RETURNING question, answer, sources, answerable",
                             (answer_id, sender)).fetchone()
            if row is None:
                return False
            self._insert(db, Feedback(sender, rating, row[0] or "", row[1] or "", _sources(row[2]),
                                      row[3] or ""))
            return True

        return self._db.transaction(work)

    def _sweep(self, db: Sql, now: float) -> None:
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
        self._db.transaction(lambda db: self._sweep(db, self._clock()))

    def rows(self) -> list[StoredFeedback]:
        return [StoredFeedback(int(r[0]), r[1], r[2], r[3], r[4] or "", r[5] or "", _sources(r[6]),
                               r[7] or "")
                for r in self._db.transaction(lambda db: db.execute(
                    "SELECT id, created_at, sender, rating, question, answer, sources, answerable "
                    "FROM feedback ORDER BY id").fetchall())]

    def worst(self, limit: int = 20) -> list[WeakAnswer]:
        """Rated answers to review: the partial ones first (the documents could not fully answer:
        README, "Answerability"), then those with the most thumbs-down (net of thumbs-up), most
        recent first on ties."""
        down = "SUM(CASE WHEN rating = 'down' THEN 1 ELSE 0 END)"
        up = "SUM(CASE WHEN rating = 'up' THEN 1 ELSE 0 END)"
        partial = "MAX(CASE WHEN answerable = 'partial' THEN 1 ELSE 0 END)"
        rows = self._db.transaction(lambda db: db.execute(f"""
                SELECT answer, MAX(question), MAX(sources), {down}, {up}, MAX(created_at) AS last_rated,
                       {partial}
                FROM feedback GROUP BY answer
                HAVING {down} > 0 OR {partial} = 1
                ORDER BY {partial} DESC, {down} - {up} DESC, last_rated DESC
                LIMIT ?""", (limit,)).fetchall())
        return [WeakAnswer(r[0] or "", r[1] or "", _sources(r[2]), int(r[3]), int(r[4]), r[5],
                           "partial" if r[6] else "")
                for r in rows]

    def close(self) -> None:
        self._db.close()
