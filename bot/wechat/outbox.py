"""Answers on their way through the customer-service API, kept until delivered.

An answer that missed the passive reply (Rasa was slow) or did not fit in it waits here: the
question, and once Rasa answered, the chunks still to send. The worker that wrote the entry
holds it for a lease; if that worker dies, any gateway worker's sweep finds the entry due and
finishes it (asking Rasa again when no answer was stored), so a restart loses nothing. `address`
is a SQLite file (one machine) or a postgresql:// URL: then a gateway on another machine
finishes what a dead one left.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Callable

from shared_state.sql import open_database

_SCHEMA = """
CREATE TABLE IF NOT EXISTS wechat_outbox (
    key TEXT PRIMARY KEY, openid TEXT NOT NULL, question TEXT NOT NULL, chunks TEXT,
    due {float} NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, created {float} NOT NULL);
CREATE INDEX IF NOT EXISTS wechat_outbox_due ON wechat_outbox (due);
"""


@dataclass(frozen=True)
class Pending:
    key: str
    openid: str
    question: str
    chunks: list[str] | None  # None: Rasa's answer is not stored yet
    attempts: int
    created: float


def _chunks(chunks: list[str] | None) -> str | None:
    return None if chunks is None else json.dumps(chunks, ensure_ascii=False)


class Outbox:
    def __init__(self, address: str, lease: float = 30.0, max_attempts: int = 5,
                 max_age: float = 47 * 3600.0, clock: Callable[[], float] = time.time):
        self.lease = lease
        self.max_attempts = max_attempts
        # The customer-service API only reaches users who wrote in the last 48 hours.
        self.max_age = max_age
        self._clock = clock
        self._db = open_database(address, _SCHEMA)

    def add(self, key: str, openid: str, question: str, chunks: list[str] | None = None,
            hold: float | None = None) -> None:
        """Keep an answer to deliver; the caller holds it for `hold` seconds (default: lease)."""
        now = self._clock()
        self._db.transaction(lambda db: db.execute(
            "INSERT INTO wechat_outbox (key, openid, question, chunks, due, attempts, created) "
            "VALUES (?, ?, ?, ?, ?, 0, ?) ON CONFLICT (key) DO UPDATE SET openid = excluded.openid, "
            "question = excluded.question, chunks = excluded.chunks, due = excluded.due, "
            "attempts = 0, created = excluded.created",
            (key, openid, question, _chunks(chunks), now + (self.lease if hold is None else hold), now)))

    def set_chunks(self, key: str, chunks: list[str]) -> None:
        """Rasa's answer (or what is left of it to send)."""
        self._db.transaction(lambda db: db.execute(
            "UPDATE wechat_outbox SET chunks = ? WHERE key = ?", (_chunks(chunks), key)))

    def postpone(self, key: str, seconds: float) -> None:
        now = self._clock()
        self._db.transaction(lambda db: db.execute(
            "UPDATE wechat_outbox SET due = ? WHERE key = ?", (now + seconds, key)))

    def remove(self, key: str) -> None:
        self._db.transaction(lambda db: db.execute("DELETE FROM wechat_outbox WHERE key = ?", (key,)))

    def take_due(self, limit: int = 20) -> tuple[list[Pending], list[Pending]]:
        """(entries to finish now, each now held for a lease; entries given up on, removed).
        Taking is one transaction that moves each entry's due time on, so two gateways sweeping
        at once never take the same entry (PostgreSQL: rows locked, the other skips them)."""
        now = self._clock()
        lock = " FOR UPDATE SKIP LOCKED" if self._db.dialect == "postgresql" else ""

        def work(db):
            rows = db.execute("SELECT key, openid, question, chunks, attempts, created FROM wechat_outbox "
                              f"WHERE due <= ? ORDER BY due LIMIT ?{lock}", (now, limit)).fetchall()
            take, drop = [], []
            for key, openid, question, chunks, attempts, created in rows:
                item = Pending(key, openid, question, None if chunks is None else json.loads(chunks),
                               attempts + 1, created)
                if item.attempts > self.max_attempts or now - created > self.max_age:
                    db.execute("DELETE FROM wechat_outbox WHERE key = ?", (key,))
                    drop.append(item)
                else:
                    db.execute("UPDATE wechat_outbox SET due = ?, attempts = ? WHERE key = ?",
                               (now + self.lease * item.attempts, item.attempts, key))
                    take.append(item)
            return take, drop

        return self._db.transaction(work)

    def keys(self) -> list[str]:
        return [r[0] for r in self._db.transaction(
            lambda db: db.execute("SELECT key FROM wechat_outbox ORDER BY created").fetchall())]

    def close(self) -> None:
        self._db.close()
