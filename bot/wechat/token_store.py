"""The access token shared by the gateway's worker processes (in the channel's SQLite file).

Each fetch of a new token makes the previous one expire within minutes, so workers that each
kept their own would keep invalidating one another.
"""
from __future__ import annotations

from bot.sqlite_store import SqliteStore

_SCHEMA = """
CREATE TABLE IF NOT EXISTS wechat_access_token (
    app_id TEXT PRIMARY KEY, token TEXT NOT NULL, refresh_at REAL NOT NULL);
"""


class SharedTokenStore:
    def __init__(self, address: str):
        self._store = SqliteStore(address, _SCHEMA)

    def load(self, app_id: str) -> tuple[str, float] | None:
        row = self._store.transaction(lambda db: db.execute(
            "SELECT token, refresh_at FROM wechat_access_token WHERE app_id = ?", (app_id,)).fetchone())
        return (row[0], float(row[1])) if row else None

    def save(self, app_id: str, token: str, refresh_at: float) -> None:
        self._store.transaction(lambda db: db.execute(
            "INSERT OR REPLACE INTO wechat_access_token (app_id, token, refresh_at) VALUES (?, ?, ?)",
            (app_id, token, refresh_at)))

    def close(self) -> None:
        self._store.close()
