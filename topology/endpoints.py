"""Rasa's endpoints file for one replica, written from the environment at start.

Rasa reads `--endpoints FILE`; its own ${VAR} substitution cannot split a database URL into the
host, port and credentials its tracker and lock stores take, so the file is generated: SQLite and
Rasa's in-memory lock store by default (one machine), PostgreSQL and Redis when TRACKER_STORE_URL
and REDIS_URL are set (replicas share conversations and never handle one sender at once).
"""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

from shared_state.files import atomic_write

from .settings import TopologyError, TopologySettings


def tracker_store(settings: TopologySettings) -> dict:
    if not settings.tracker_store_url:
        # Rasa's SQL store without an fsync per commit (rasa_extensions/tracker_store.py).
        return {"type": "rasa_extensions.tracker_store.WalSQLiteTrackerStore", "dialect": "sqlite",
                "db": settings.rasa_tracker_db}
    url = urlsplit(settings.tracker_store_url)
    if url.scheme not in ("postgresql", "postgres") or not url.hostname or not url.path.strip("/"):
        raise TopologyError("TRACKER_STORE_URL must look like "
                            "postgresql://user:password@host:5432/database")
    # Rasa's own SQL store would answer from an empty in-memory conversation while PostgreSQL
    # is down; this subclass fails the message instead (rasa_extensions/tracker_store.py).
    store = {"type": "rasa_extensions.tracker_store.StrictSQLTrackerStore",
             "dialect": "postgresql", "url": url.hostname,
             "port": url.port or 5432, "db": unquote(url.path.strip("/"))}
    if url.username:
        store["username"] = unquote(url.username)
    if url.password:
        store["password"] = unquote(url.password)
    return store


def lock_store(settings: TopologySettings) -> dict:
    if not settings.redis_url:
        return {"type": "in_memory"}
    url = urlsplit(settings.redis_url)
    if url.scheme not in ("redis", "rediss") or not url.hostname:
        raise TopologyError("REDIS_URL must look like redis://[:password@]host:6379/0")
    db = url.path.strip("/") or "0"
    if not db.isdigit():
        raise TopologyError(f"REDIS_URL names database {db!r}: Redis databases are numbers")
    # Rasa's RedisLockStore, with tickets that survive a replica dying while it holds one
    # (rasa_extensions/lock_store.py).
    store = {"type": "rasa_extensions.lock_store.ReplicaRedisLockStore", "url": url.hostname, "port": url.port or 6379, "db": int(db),
             "use_ssl": url.scheme == "rediss", "key_prefix": "policy-assistant"}
    if url.password:
        store["password"] = unquote(url.password)
    return store


def endpoints(settings: TopologySettings, replica: int) -> dict:
    return {"action_endpoint": {"url": settings.action_webhook(replica)},
            "tracker_store": tracker_store(settings),
            "lock_store": lock_store(settings)}


def write_endpoints(settings: TopologySettings, replica: int, out: str | None = None) -> Path:
    """Write the replica's endpoints file (default: into RUN_DIR), readable by its owner only
    (it may hold passwords)."""
    path = Path(out) if out else settings.run_dir / f"endpoints-{replica + 1}.yml"
    # JSON is YAML: no YAML library needed here, and every value is quoted safely.
    atomic_write(path, "# Written by `python -m topology` at start; edits are overwritten.\n"
                 + json.dumps(endpoints(settings, replica), indent=2) + "\n", mode=0o600)
    return path
