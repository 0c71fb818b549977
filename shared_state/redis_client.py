"""One Redis client per address and process, with short timeouts (a request must not hang on it)."""
from __future__ import annotations

import threading
from typing import Any

_clients: dict[str, Any] = {}
_lock = threading.Lock()
KEY_PREFIX = "policy-assistant:"


def is_redis(address: str) -> bool:
    return address.startswith(("redis://", "rediss://", "unix://"))


def redis_client(url: str):
    """redis-py's client for url; it reconnects by itself after the server comes back, and its
    pool notices a fork."""
    import redis  # only a deployment with Redis needs the client loaded

    with _lock:
        client = _clients.get(url)
        if client is None:
            client = redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0,
                                          health_check_interval=30, decode_responses=True)
            _clients[url] = client
        return client


def redis_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.RedisError, OSError)
