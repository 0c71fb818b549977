"""Numbered choices: WeChat has no buttons, so a reply of "2" stands for the second one offered.

Kept where the claims are (a SQLite file, or Redis): the reply may reach another gateway.
"""
from __future__ import annotations

import json
import time
import unicodedata
from typing import Callable

from shared_state.expiring import open_expiring


class ChoiceStore:
    def __init__(self, address: str, ttl: float = 1800.0, clock: Callable[[], float] = time.time):
        self.ttl = ttl
        self._offered = open_expiring(address, "wechat-choices", clock)

    def remember(self, sender: str, payloads: list[str]) -> None:
        """The choices just offered to sender (none: forget the previous ones)."""
        if payloads:
            self._offered.put(sender, json.dumps(payloads, ensure_ascii=False), self.ttl)
        else:
            self._offered.delete(sender)

    def resolve(self, sender: str, text: str) -> str | None:
        """The payload that a reply of a bare number picks, or None."""
        number = unicodedata.normalize("NFKC", text).strip().rstrip(".、")
        if not number.isdecimal() or len(number) > 3:
            return None
        stored = self._offered.get(sender)
        if not stored:
            return None
        payloads = json.loads(stored)
        index = int(number)
        return payloads[index - 1] if 1 <= index <= len(payloads) else None

    def close(self) -> None:
        self._offered.close()
