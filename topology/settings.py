"""The process topology, read once from environment variables (the README lists them)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from shared_state.env import REPO_DIR


class TopologyError(ValueError):
    """A configuration that cannot run, with a message that says what to change."""


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


def _int(name: str, default: int) -> int:
    raw = _env(name, str(default))
    try:
        return int(raw)
    except ValueError:
        raise TopologyError(f"{name} must be a whole number (got {raw!r})") from None


@dataclass(frozen=True)
class TopologySettings:
    # A replica is one Rasa server plus its own action server. Replica i (from 0) listens on
    # RASA_PORT + i and ACTION_PORT + i.
    replicas: int = field(default_factory=lambda: _int("REPLICAS", 1))
    rasa_host: str = field(default_factory=lambda: _env("RASA_HOST", "127.0.0.1"))
    rasa_port: int = field(default_factory=lambda: _int("RASA_PORT", 5005))
    action_host: str = field(default_factory=lambda: _env("ACTION_HOST", "127.0.0.1"))
    action_port: int = field(default_factory=lambda: _int("ACTION_PORT", 5055))
    # Only honoured with one replica: each replica needs its own action server.
    action_endpoint_url: str = field(default_factory=lambda: _env("ACTION_ENDPOINT_URL"))
    gateway_host: str = field(default_factory=lambda: _env("GATEWAY_HOST", "127.0.0.1"))
    gateway_port: int = field(default_factory=lambda: _int("GATEWAY_PORT", 8000))
    gateway_workers: int = field(default_factory=lambda: _int("GATEWAY_WORKERS", 2))
    gateway_threads: int = field(default_factory=lambda: _int("GATEWAY_THREADS", 8))
    # Shared state. Unset: the embedded default (SQLite tracker, in-memory lock store).
    tracker_store_url: str = field(default_factory=lambda: _env("TRACKER_STORE_URL"))
    redis_url: str = field(default_factory=lambda: _env("REDIS_URL"))
    rasa_tracker_db: str = field(default_factory=lambda: _env(
        "RASA_TRACKER_DB", str(REPO_DIR / "var" / "rasa-tracker.db")))
    model: str = field(default_factory=lambda: _env("RASA_MODEL", "models/policy-assistant.tar.gz"))
    run_dir: Path = field(default_factory=lambda: Path(_env("RUN_DIR", "var/run")))
    log_dir: Path = field(default_factory=lambda: Path(_env("LOG_DIR", "var/log")))
    startup_timeout: float = field(default_factory=lambda: float(_env("STARTUP_TIMEOUT", "180")))
    # A process that was ready and has not answered its health check for this long is killed
    # and restarted (topology/supervisor.py).
    hang_timeout: float = field(default_factory=lambda: float(_env("HANG_TIMEOUT", "30")))

    @property
    def shared_state(self) -> bool:
        return bool(self.tracker_store_url and self.redis_url)

    def check(self) -> None:
        if self.replicas < 1:
            raise TopologyError("REPLICAS must be 1 or more")
        if self.replicas > 1 and not self.shared_state:
            raise TopologyError(
                f"REPLICAS={self.replicas} needs shared conversation state: set TRACKER_STORE_URL "
                "(postgresql://user:password@host:port/db) and REDIS_URL (redis://host:port/0). "
                "With the default SQLite tracker only one replica can run.")

    def rasa_url(self, replica: int) -> str:
        return f"http://{self.rasa_host}:{self.rasa_port + replica}"

    def action_url(self, replica: int) -> str:
        return f"http://{self.action_host}:{self.action_port + replica}"

    def action_webhook(self, replica: int) -> str:
        if self.replicas == 1 and self.action_endpoint_url:
            return self.action_endpoint_url
        return f"{self.action_url(replica)}/webhook"
