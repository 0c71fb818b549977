"""Handoff requests, stored so staff can pick them up (SQLite; path from HANDOFF_DB)."""
from __future__ import annotations

import os
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

_REPO = Path(__file__).resolve().parents[1]
_lock = threading.Lock()


def db_path() -> Path:
    return Path(os.environ.get("HANDOFF_DB", _REPO / "var" / "handoff.sqlite"))


@dataclass(frozen=True)
class HandoffRequest:
    conversation_id: str
    topic: str
    lang: str
    question: str
    channel: str


def _connect() -> sqlite3.Connection:
    path = db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=10)
    conn.execute("""CREATE TABLE IF NOT EXISTS handoff_requests (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        topic TEXT, lang TEXT, question TEXT, channel TEXT,
        status TEXT NOT NULL DEFAULT 'open')""")
    return conn


def record(request: HandoffRequest) -> int:
    with _lock, _connect() as conn:
        cur = conn.execute(
            "INSERT INTO handoff_requests (created_at, conversation_id, topic, lang, question, channel)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (datetime.now(timezone.utc).isoformat(timespec="seconds"), request.conversation_id,
             request.topic, request.lang, request.question, request.channel))
        return int(cur.lastrowid)

