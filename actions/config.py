"""The action server's settings, read once from environment variables when the server starts."""
from __future__ import annotations

from dataclasses import dataclass, field

from shared_state.env import REPO_DIR, env_bool, env_float, env_int, env_port, env_str
from shared_state.settings import StateSettings


@dataclass(frozen=True)
class ActionSettings:
    host: str = field(default_factory=lambda: env_str("ACTION_HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: env_port("ACTION_PORT", 5055))
    # Load model and index at start (one throw-away search) so the first question is not slow.
    preload: bool = field(default_factory=lambda: env_bool("KB_PRELOAD", True))
    # Searches run in this many threads, so a slow one never blocks the server's event loop...
    threads: int = field(default_factory=lambda: env_int("KB_ACTION_THREADS", 2, minimum=1))
    # ...and at most this many more wait for one; beyond that a search fails at once. About a
    # second of searches on 2 cores (30 a second): a wait that long beats an apology, and a
    # search stuck longer still gives the apology (KB_ACTION_TIMEOUT). With 2 waiting, 16
    # senders got more apologies than answers (README, "Production topology").
    queue: int = field(default_factory=lambda: env_int("KB_ACTION_QUEUE", 30, minimum=0))
    # CPU threads of torch, OpenBLAS and OpenMP inside each search (0: the libraries' own
    # defaults, a pool per core each, which cost 6x the CPU per search here: README).
    threads_per_search: int = field(default_factory=lambda: env_int("KB_THREADS_PER_SEARCH", 1,
                                                                    minimum=0))
    # Seconds a search may take before the user gets the apology.
    timeout: float = field(default_factory=lambda: env_float("KB_ACTION_TIMEOUT", 4.0, above=0))
    # Seconds between checks for a rebuilt index (0: never swap while running).
    reload_interval: float = field(default_factory=lambda: env_float("KB_RELOAD_INTERVAL", 5.0,
                                                                     minimum=0))
    # Handoff requests: a SQLite path, or PostgreSQL when the shared state names one.
    handoff_db: str = field(default_factory=lambda: env_str(
        "HANDOFF_DB", str(REPO_DIR / "var" / "handoff.sqlite")))
    state: StateSettings = field(default_factory=StateSettings)

    @property
    def handoff_address(self) -> str:
        return self.state.records(self.handoff_db)
