"""One sender's messages go to Rasa one at a time, in the order they reached the gateway.

Rasa's lock store orders a sender's messages by their arrival at a replica, and two replicas
(or one busy one) can swap two messages sent a quarter of a second apart. A ticket per message,
taken on arrival, and a "now serving" number per sender keep the order the user typed in.
`open_sender_turns(address)`: in this process's memory by default (one gateway process), or in
Redis (REDIS_URL) so every worker of every gateway takes its tickets from one counter.
A turn is never waited for longer than `wait_seconds`: a gateway that died holding one delays
the sender's next message, it does not block the sender for good.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Iterator

from shared_state.errors import StoreUnavailable
from shared_state.redis_client import KEY_PREFIX, is_redis, redis_client, redis_errors


def open_sender_turns(address: str, wait_seconds: float) -> "MemorySenderTurns | RedisSenderTurns":
    if is_redis(address):
        return RedisSenderTurns(address, wait_seconds)
    return MemorySenderTurns(wait_seconds)


class MemorySenderTurns:
    def __init__(self, wait_seconds: float):
        self.wait_seconds = wait_seconds
        self._cond = threading.Condition()
        self._next: dict[str, int] = {}
        self._serving: dict[str, int] = {}

    @contextmanager
    def turn(self, sender: str) -> Iterator[None]:
        with self._cond:
            ticket = self._next.get(sender, 0)
            self._next[sender] = ticket + 1
            deadline = time.monotonic() + self.wait_seconds
            while self._serving.get(sender, 0) < ticket:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
        try:
            yield
        finally:
            with self._cond:
                self._serving[sender] = max(self._serving.get(sender, 0), ticket + 1)
                if self._serving[sender] >= self._next.get(sender, 0):
                    # Nobody waits: the sender costs no memory until its next message.
                    self._serving.pop(sender, None)
                    self._next.pop(sender, None)
                self._cond.notify_all()


# Done with a turn: "now serving" moves past it (never back), and both keys live on a while.
_DONE = """
local serving = tonumber(redis.call('GET', KEYS[1]) or '0')
local after = tonumber(ARGV[1])
if after > serving then redis.call('SET', KEYS[1], after) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1
"""


class RedisSenderTurns:
    POLL_SECONDS = 0.02

    def __init__(self, url: str, wait_seconds: float):
        self.wait_seconds = wait_seconds
        self._redis = redis_client(url)
        self._done = self._redis.register_script(_DONE)
        self._prefix = f"{KEY_PREFIX}turn:"
        self._errors = redis_errors()
        self._ttl_ms = int(max(wait_seconds * 4, 60) * 1000)

    @contextmanager
    def turn(self, sender: str) -> Iterator[None]:
        next_key, serving_key = self._prefix + sender + ":next", self._prefix + sender + ":serving"
        try:
            ticket = int(self._redis.incr(next_key)) - 1
            self._redis.pexpire(next_key, self._ttl_ms)
            deadline = time.monotonic() + self.wait_seconds
            while int(self._redis.get(serving_key) or 0) < ticket and time.monotonic() < deadline:
                time.sleep(self.POLL_SECONDS)
        except self._errors as exc:
            raise StoreUnavailable(f"Redis failed ({type(exc).__name__})") from exc
        try:
            yield
        finally:
            try:
                self._done(keys=[serving_key, next_key], args=[ticket + 1, self._ttl_ms])
            except self._errors:
                pass  # the waiters' own deadline lets them go on
