"""The access token shared by every gateway worker (a SQLite file, or Redis across machines).

Each fetch of a new token makes the previous one expire within minutes, so workers that each
kept their own would keep invalidating one another.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Callable

from shared_state.expiring import open_expiring


@dataclass(frozen=True)
class StoredToken:
    token: str
    refresh_at: float  # epoch seconds after which a new token is to be fetched


class SharedTokenStore:
    def __init__(self, address: str, clock: Callable[[], float] = time.time):
        self._clock = clock
        self._tokens = open_expiring(address, "wechat-token", clock)

    def load(self, app_id: str) -> StoredToken | None:
        stored = self._tokens.get(app_id)
        if not stored:
            return None
        data = json.loads(stored)
        return StoredToken(str(data["token"]), float(data["refresh_at"]))

    def save(self, app_id: str, token: str, refresh_at: float) -> None:
        ttl = max(1.0, refresh_at - self._clock())
        self._tokens.put(app_id, json.dumps({"token": token, "refresh_at": refresh_at}), ttl)

    def close(self) -> None:
        self._tokens.close()
