"""Replay defence for `/wechat` callbacks.

In plain mode the signature covers only token, timestamp and nonce, not the body: one captured
(signature, timestamp, nonce) would let anyone post any message as any user. So a callback's
timestamp must lie within `window` seconds of now, and each (timestamp, nonce) is remembered for
that window together with a hash of the body: the same nonce with another body is a replay and
refused; the same nonce with the same body is WeChat retrying, which de-duplication handles.
The nonces live where the claims do (a SQLite file, or Redis shared by every gateway).
"""
from __future__ import annotations

import hashlib
import time
from typing import Callable

from shared_state.expiring import open_expiring


class ReplayGuard:
    def __init__(self, address: str, window: float = 300.0, clock: Callable[[], float] = time.time):
        self.window = window
        self._clock = clock
        self._nonces = open_expiring(address, "wechat-nonces", clock)

    def fresh_timestamp(self, timestamp: str | None) -> bool:
        try:
            sent = int(timestamp or "")
        except ValueError:
            return False
        return abs(self._clock() - sent) <= self.window

    def first_use(self, timestamp: str, nonce: str, body: bytes) -> bool:
        """False when this (timestamp, nonce) already came with a different body."""
        key = f"{timestamp}:{nonce}"
        digest = hashlib.sha256(body).hexdigest()
        # Kept for two windows: a timestamp up to one window in the future stays covered.
        if self._nonces.add(key, digest, 2 * self.window):
            return True
        seen = self._nonces.get(key)
        return seen is None or seen == digest  # None: it expired just now

    def close(self) -> None:
        self._nonces.close()
