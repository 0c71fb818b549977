"""WeChat retries a message 3 times: each message is answered once, and never lost.

A message is claimed with a short lease before it is answered and marked done only once its
answer is delivered (or handed to the outbox, which delivers it later). A retry finds the claim
and is told `success`; if the worker holding it died, its lease runs out and the next retry
claims and answers the message. On an error the claim is released at once. Done messages are
remembered for `ttl` seconds (WeChat retries within a minute).
"""
from __future__ import annotations

import time
from typing import Callable

from bot.sqlite_store import SqliteStore

_SCHEMA = """
CREATE TABLE IF NOT EXISTS wechat_claims (
    key TEXT PRIMARY KEY, done INTEGER NOT NULL DEFAULT 0, expires_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS wechat_claims_expiry ON wechat_claims (expires_at);
"""


class DedupStore:
    def __init__(self, address: str, ttl: float = 3600.0, lease: float = 30.0,
                 clock: Callable[[], float] = time.time):
        self.ttl = ttl
        self.lease = lease
        self._clock = clock
        self._store = SqliteStore(address, _SCHEMA)

    def claim(self, key: str) -> bool:
        """True when this caller may answer the message: first seen, or the previous claim's
        lease ran out unfinished. False for a retry of a message answered or being answered."""
        now = self._clock()

        def work(db):
            db.execute("DELETE FROM wechat_claims WHERE expires_at <= ?", (now,))
            cursor = db.execute("INSERT OR IGNORE INTO wechat_claims (key, done, expires_at) "
                                "VALUES (?, 0, ?)", (key, now + self.lease))
            return cursor.rowcount == 1

        return self._store.transaction(work)

    def done(self, key: str) -> None:
        """The answer is delivered (or safe in the outbox): retries are now just acknowledged."""
        now = self._clock()
        self._store.transaction(lambda db: db.execute(
            "INSERT OR REPLACE INTO wechat_claims (key, done, expires_at) VALUES (?, 1, ?)",
            (key, now + self.ttl)))

    def release(self, key: str) -> None:
        """Answering failed: forget the claim so WeChat's next retry is answered."""
        self._store.transaction(lambda db: db.execute(
            "DELETE FROM wechat_claims WHERE key = ? AND done = 0", (key,)))

    def close(self) -> None:
        self._store.close()
