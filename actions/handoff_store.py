"""Handoff requests, stored so staff can pick them up: SQLite (HANDOFF_DB) by default, PostgreSQL
when STATE_DATABASE_URL (or TRACKER_STORE_URL) is set, so every replica's action server writes to
one list with one numbering."""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone

from shared_state.sql import Sql, open_database


@dataclass(frozen=True)
class HandoffRequest:
    conversation_id: str
    topic: str
    lang: str
    question: str
    channel: str


@dataclass(frozen=True)
class StoredHandoff:
    id: int  # the reference the user is given is H + six digits of it
    created_at: str  # ISO 8601, UTC
    request: HandoffRequest
    status: str  # open | ...


_SCHEMA = """CREATE TABLE IF NOT EXISTS handoff_requests (
    id {id},
    created_at TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    topic TEXT, lang TEXT, question TEXT, channel TEXT,
    status TEXT NOT NULL DEFAULT 'open')"""


class HandoffStore:
    def __init__(self, address: str):
        self._db = open_database(address, _SCHEMA)

    def record(self, request: HandoffRequest) -> int:
        created = datetime.fromtimestamp(time.time(), timezone.utc).isoformat(timespec="seconds")
        return self._db.transaction(lambda db: int(db.execute(
            "INSERT INTO handoff_requests (created_at, conversation_id, topic, lang, question, channel)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (created, request.conversation_id, request.topic, request.lang, request.question,
             request.channel)).fetchone()[0]))

    def open_requests(self, limit: int = 100) -> list[StoredHandoff]:
        def work(db: Sql):
            return db.execute("SELECT id, created_at, conversation_id, topic, lang, question, channel, "
                              "status FROM handoff_requests WHERE status = 'open' ORDER BY id LIMIT ?",
                              (limit,)).fetchall()

        return [StoredHandoff(int(r[0]), r[1], HandoffRequest(r[2], r[3] or "", r[4] or "", r[5] or "",
                                                              r[6] or ""), r[7])
                for r in self._db.transaction(work)]

    def close(self) -> None:
        self._db.close()
