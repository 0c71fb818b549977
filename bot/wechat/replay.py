"""Replay defence for `/wechat` callbacks.

In plain mode the signature covers only token, timestamp and nonce, not the body: one captured
(signature, timestamp, nonce) would let anyone post any message as any user. So a callback's
timestamp must lie within `window` seconds of now, and each (timestamp, nonce) is remembered for
that window together with a hash of the body: the same nonce with another body is a replay and
refused; the same nonce with the same body is WeChat retrying, which de-duplication handles.
"""
from __future__ import annotations

import hashlib
import time
from typing import Callable

from bot.sqlite_store import SqliteStore

_SCHEMA = """
CREATE TABLE IF NOT EXISTS wechat_nonces (
    nonce TEXT PRIMARY KEY, body_hash TEXT NOT NULL, expires_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS wechat_nonces_expiry ON wechat_nonces (expires_at);
"""


class ReplayGuard:
    def __init__(self, address: str, window: float = 300.0, clock: Callable[[], float] = time.time):
        self.window = window
        self._clock = clock
        self._store = SqliteStore(address, _SCHEMA)

    def fresh_timestamp(self, timestamp: str | None) -> bool:
        try:
            sent = int(timestamp or "")
        except ValueError:
            return False
        return abs(self._clock() - sent) <= self.window

    def first_use(self, timestamp: str, nonce: str, body: bytes) -> bool:
        """False when this (timestamp, nonce) already came with a different body."""
        now = self._clock()
        key = f"{timestamp}:{nonce}"
        digest = hashlib.sha256(body).hexdigest()

        def work(db):
            db.execute("DELETE FROM wechat_nonces WHERE expires_at <= ?", (now,))
            row = db.execute("SELECT body_hash FROM wechat_nonces WHERE nonce = ?", (key,)).fetchone()
            if row is not None:
                return row[0] == digest
            # Kept for two windows: a timestamp up to one window in the future stays covered.
            db.execute("INSERT INTO wechat_nonces (nonce, body_hash, expires_at) VALUES (?, ?, ?)",
                       (key, digest, now + 2 * self.window))
            return True

        return self._store.transaction(work)

    def close(self) -> None:
        self._store.close()
