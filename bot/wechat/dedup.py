"""WeChat retries a message 3 times: remember what was seen (by MsgId) so each is handled once."""
from __future__ import annotations

import time
from typing import Callable

from bot.sqlite_store import SqliteStore

_SCHEMA = """
CREATE TABLE IF NOT EXISTS wechat_seen (key TEXT PRIMARY KEY, expires_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS wechat_seen_expiry ON wechat_seen (expires_at);
"""


class DedupStore:
    def __init__(self, address: str, ttl: float = 3600.0, clock: Callable[[], float] = time.time):
        self.ttl = ttl
        self._clock = clock
        self._store = SqliteStore(address, _SCHEMA)

    def claim(self, key: str) -> bool:
        """True the first time a key is seen (within the ttl), False for a retry."""
        now = self._clock()

        def work(db):
            db.execute("DELETE FROM wechat_seen WHERE expires_at <= ?", (now,))
            cursor = db.execute("INSERT OR IGNORE INTO wechat_seen (key, expires_at) VALUES (?, ?)",
                                (key, now + self.ttl))
            return cursor.rowcount == 1

        return self._store.transaction(work)

    def close(self) -> None:
        self._store.close()
