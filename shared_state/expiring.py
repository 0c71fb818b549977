"""Short-lived keys with a time to live, in SQLite (a file; the default) or Redis.

What WeChat's channel keeps for seconds to hours: claims on messages being answered, replay
nonces, numbered choices, the access token. Each concern names its own namespace. Times to live
are counted by the backend's clock (Redis's own for Redis), so gateways whose clocks differ a
little still agree.
"""
from __future__ import annotations

import time
from typing import Callable, Protocol

from shared_state.errors import StoreUnavailable
from shared_state.redis_client import KEY_PREFIX, is_redis, redis_client, redis_errors
from shared_state.sql import SqliteDatabase


class ExpiringStore(Protocol):
    def add(self, key: str, value: str, ttl: float) -> bool:
        """Store value unless the key holds an unexpired one; True when stored."""
        ...

    def put(self, key: str, value: str, ttl: float) -> None: ...

    def get(self, key: str) -> str | None: ...

    def delete(self, key: str, only_if: str | None = None) -> None:
        """Forget key; with only_if, only while it still holds that value."""
        ...

    def close(self) -> None: ...


def open_expiring(address: str, namespace: str,
                  clock: Callable[[], float] = time.time) -> ExpiringStore:
    """redis:// -> Redis; anything else is a SQLite file (clock: for tests of the SQLite store)."""
    if is_redis(address):
        return RedisExpiring(address, namespace)
    return SqliteExpiring(address, namespace, clock)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS expiring_keys (
    namespace TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, expires_at REAL NOT NULL,
    PRIMARY KEY (namespace, key));
CREATE INDEX IF NOT EXISTS expiring_keys_expiry ON expiring_keys (expires_at);
"""


class SqliteExpiring:
    def __init__(self, address: str, namespace: str, clock: Callable[[], float] = time.time):
        self._db = SqliteDatabase(address, _SCHEMA)
        self._ns = namespace
        self._clock = clock

    def add(self, key: str, value: str, ttl: float) -> bool:
        now = self._clock()

        def work(db):
            # Expired keys of every namespace go here; the table stays small without a sweeper.
            db.execute("DELETE FROM expiring_keys WHERE expires_at <= ?", (now,))
            return db.execute("INSERT INTO expiring_keys (namespace, key, value, expires_at) "
                              "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                              (self._ns, key, value, now + ttl)).rowcount == 1

        return self._db.transaction(work)

    def put(self, key: str, value: str, ttl: float) -> None:
        now = self._clock()
        self._db.transaction(lambda db: db.execute(
            "INSERT INTO expiring_keys (namespace, key, value, expires_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, "
            "expires_at = excluded.expires_at", (self._ns, key, value, now + ttl)))

    def get(self, key: str) -> str | None:
        now = self._clock()
        row = self._db.transaction(lambda db: db.execute(
            "SELECT value FROM expiring_keys WHERE namespace = ? AND key = ? AND expires_at > ?",
            (self._ns, key, now)).fetchone())
        return row[0] if row else None

    def delete(self, key: str, only_if: str | None = None) -> None:
        if only_if is None:
            self._db.transaction(lambda db: db.execute(
                "DELETE FROM expiring_keys WHERE namespace = ? AND key = ?", (self._ns, key)))
        else:
            self._db.transaction(lambda db: db.execute(
                "DELETE FROM expiring_keys WHERE namespace = ? AND key = ? AND value = ?",
                (self._ns, key, only_if)))

    def close(self) -> None:
        self._db.close()


# Compare-and-delete in one step: another gateway may have replaced the value meanwhile.
_DELETE_IF = """if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0"""


class RedisExpiring:
    def __init__(self, url: str, namespace: str):
        self._redis = redis_client(url)
        self._prefix = f"{KEY_PREFIX}{namespace}:"
        self._delete_if = self._redis.register_script(_DELETE_IF)
        self._errors = redis_errors()

    def _call(self, what: Callable):
        try:
            return what()
        except self._errors as exc:
            raise StoreUnavailable(f"Redis failed ({type(exc).__name__})") from exc

    @staticmethod
    def _ms(ttl: float) -> int:
        return max(1, int(ttl * 1000))

    def add(self, key: str, value: str, ttl: float) -> bool:
        return bool(self._call(lambda: self._redis.set(self._prefix + key, value, nx=True,
                                                       px=self._ms(ttl))))

    def put(self, key: str, value: str, ttl: float) -> None:
        self._call(lambda: self._redis.set(self._prefix + key, value, px=self._ms(ttl)))

    def get(self, key: str) -> str | None:
        return self._call(lambda: self._redis.get(self._prefix + key))

    def delete(self, key: str, only_if: str | None = None) -> None:
        if only_if is None:
            self._call(lambda: self._redis.delete(self._prefix + key))
        else:
            self._call(lambda: self._delete_if(keys=[self._prefix + key], args=[only_if]))

    def close(self) -> None:
        pass  # the client is shared by every store of this process (redis_client)
