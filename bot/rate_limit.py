"""Sliding-window rate limits per key (sender, client address, WeChat user).

`open_rate_limiter(address, ...)`: in this process's memory by default (one gateway process
limits on its own), or in Redis (REDIS_URL) so that every worker of every gateway counts against
one limit. Both answer `allow(key)`; a Redis failure raises StoreUnavailable.
"""
from __future__ import annotations

import threading
import time
import uuid
from collections import defaultdict, deque
from typing import Protocol

from shared_state.errors import StoreUnavailable
from shared_state.redis_client import KEY_PREFIX, is_redis, redis_client, redis_errors


class RateLimits(Protocol):
    def allow(self, key: str) -> bool: ...


def open_rate_limiter(address: str, namespace: str, limit: int, window_seconds: float) -> RateLimits:
    """address: a redis:// URL, or empty for this process's memory."""
    if is_redis(address):
        return RedisRateLimiter(address, namespace, limit, window_seconds)
    return RateLimiter(limit, window_seconds)


class RateLimiter:
    """In process memory."""

    def __init__(self, limit: int, window_seconds: float):
        self.limit = limit
        self.window = window_seconds
        self._hits: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()
        self._last_sweep = time.monotonic()

    def allow(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            if now - self._last_sweep >= self.window:
                self._forget_idle(now)
            hits = self._hits[key]
            while hits and now - hits[0] >= self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True

    def _forget_idle(self, now: float) -> None:
        """Drop keys with no hit inside the window (memory stays bounded); once per window."""
        for key in [k for k, v in self._hits.items() if not v or now - v[-1] >= self.window]:
            del self._hits[key]
        self._last_sweep = now

    def __len__(self) -> int:
        return len(self._hits)


# One sorted set per key: its members are hits scored by time in ms. Trim, count and add happen
# in one script, so two gateways cannot both take the last place. The time is Redis's own clock.
_SLIDING_WINDOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return 1
"""


class RedisRateLimiter:
    """In Redis: every process given the same address and namespace shares the limit. Keys
    expire a window after their last hit, so idle senders cost nothing."""

    def __init__(self, url: str, namespace: str, limit: int, window_seconds: float):
        self.limit = limit
        self.window = window_seconds
        self._redis = redis_client(url)
        self._script = self._redis.register_script(_SLIDING_WINDOW)
        self._prefix = f"{KEY_PREFIX}rate:{namespace}:"
        self._errors = redis_errors()

    def allow(self, key: str) -> bool:
        try:
            return bool(self._script(keys=[self._prefix + key],
                                     args=[int(self.window * 1000), self.limit, uuid.uuid4().hex]))
        except self._errors as exc:
            raise StoreUnavailable(f"Redis failed ({type(exc).__name__})") from exc
