"""Where shared state lives, read once from the environment (the README's configuration table).

Unset, everything stays on this machine (SQLite files and process memory): `make run` needs no
other server. With REDIS_URL, short-lived keys and rate limits go to Redis; with
STATE_DATABASE_URL (default: TRACKER_STORE_URL, Rasa's PostgreSQL), lasting records go to
PostgreSQL. Several gateways or action servers configured alike then share one state.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


@dataclass(frozen=True)
class StateSettings:
    redis_url: str = field(default_factory=lambda: _env("REDIS_URL"))
    database_url: str = field(default_factory=lambda: _env("STATE_DATABASE_URL")
                              or _env("TRACKER_STORE_URL"))

    def records(self, local_path: str) -> str:
        """Address of a store of lasting records: PostgreSQL when configured, else the file."""
        return self.database_url or local_path

    def expiring(self, local_path: str) -> str:
        """Address of a store of short-lived keys: Redis when configured, else the file."""
        return self.redis_url or local_path
