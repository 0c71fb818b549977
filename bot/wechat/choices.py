"""Numbered choices: WeChat has no buttons, so a reply of "2" stands for the second one offered."""
from __future__ import annotations

import json
import time
import unicodedata
from typing import Callable

from bot.sqlite_store import SqliteStore

_SCHEMA = """
CREATE TABLE IF NOT EXISTS wechat_choices (
    sender TEXT PRIMARY KEY, payloads TEXT NOT NULL, expires_at REAL NOT NULL);
"""


class ChoiceStore:
    def __init__(self, address: str, ttl: float = 1800.0, clock: Callable[[], float] = time.time):
        self.ttl = ttl
        self._clock = clock
        self._store = SqliteStore(address, _SCHEMA)

    def remember(self, sender: str, payloads: list[str]) -> None:
        """The choices just offered to sender (none: forget the previous ones)."""
        now = self._clock()

        def work(db):
            db.execute("DELETE FROM wechat_choices WHERE sender = ? OR expires_at <= ?", (sender, now))
            if payloads:
                db.execute("INSERT INTO wechat_choices (sender, payloads, expires_at) VALUES (?, ?, ?)",
                           (sender, json.dumps(payloads, ensure_ascii=False), now + self.ttl))

        self._store.transaction(work)

    def resolve(self, sender: str, text: str) -> str | None:
        """The payload that a reply of a bare number picks, or None."""
        number = unicodedata.normalize("NFKC", text).strip().rstrip(".、")
        if not number.isdecimal() or len(number) > 3:
            return None
        now = self._clock()

        def work(db):
            return db.execute("SELECT payloads FROM wechat_choices WHERE sender = ? AND expires_at > ?",
                              (sender, now)).fetchone()

        row = self._store.transaction(work)
        if not row:
            return None
        payloads = json.loads(row[0])
        index = int(number)
        return payloads[index - 1] if 1 <= index <= len(payloads) else None

    def close(self) -> None:
        self._store.close()
