"""WeChat retries a message 3 times: each message is answered once, and never lost.

A message is claimed with a short lease before it is answered and marked done only once its
answer is delivered (or handed to the outbox, which delivers it later). A retry finds the claim
and is told `success`; if the worker holding it died, its lease runs out and the next retry
claims and answers the message. On an error the claim is released at once. Done messages are
remembered for `ttl` seconds (WeChat retries within a minute). `address` is a SQLite file (one
machine) or a redis:// URL: then a retry that reaches another gateway finds the claim too.
"""
from __future__ import annotations

import time
from typing import Callable

from shared_state.expiring import open_expiring

_CLAIMED, _DONE = "claimed", "done"


class DedupStore:
    def __init__(self, address: str, ttl: float = 3600.0, lease: float = 30.0,
                 clock: Callable[[], float] = time.time):
        self.ttl = ttl
        self.lease = lease
        self._keys = open_expiring(address, "wechat-claims", clock)

    def claim(self, key: str) -> bool:
        """True when this caller may answer the message: first seen, or the previous claim's
        lease ran out unfinished. False for a retry of a message answered or being answered."""
        return self._keys.add(key, _CLAIMED, self.lease)

    def done(self, key: str) -> None:
        """The answer is delivered (or safe in the outbox): retries are now just acknowledged."""
        self._keys.put(key, _DONE, self.ttl)

    def release(self, key: str) -> None:
        """Answering failed: forget the claim so WeChat's next retry is answered."""
        self._keys.delete(key, only_if=_CLAIMED)

    def close(self) -> None:
        self._keys.close()
