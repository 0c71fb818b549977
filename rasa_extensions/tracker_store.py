"""Tracker stores: PostgreSQL that fails a message when the database is down, and the embedded
SQLite one without an fsync per commit.

Rasa wraps every tracker store in FailSafeTrackerStore, which on a database error logs it and
carries on with an empty in-memory conversation: the user gets an answer, but the conversation's
history and slots (a half-filled eligibility form) are gone, what is said meanwhile is never
written to PostgreSQL, and each replica forks its own copy. With shared state we would rather say
sorry: for conversations in this store the fail-safe's error hooks raise instead, Rasa's REST
channel answers an empty list, and the gateway tries another replica, then apologises in both
languages. Conversations in any other store keep Rasa's behaviour.
"""
from __future__ import annotations

import sqlite3
from typing import Any

from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore
from sqlalchemy import event


class TrackerStoreUnavailable(Exception):
    """The conversation store could not be read or written."""


class StrictSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose errors are not papered over by Rasa's fail-safe wrapper."""


def _sync_at_checkpoints(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


class WalSQLiteTrackerStore(SQLTrackerStore):
    """Rasa's SQLite store in write-ahead-log mode, synced at checkpoints instead of each commit.

    Rasa commits a conversation twice per message on the event loop's thread: with SQLite's
    default each commit waited for an fsync, about 20 ms per answer profiled here (py-spy), during
    which that Rasa served nobody. A crashed process loses nothing; a power cut may lose the last
    turns before a checkpoint, as the embedded one-machine default may.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name != "sqlite" or not self.engine.url.database:
            return
        # The log mode is kept in the file. Rasa opens and closes a connection per session, and
        # the last connection to close checkpoints the log with an fsync (12 ms profiled): this
        # one stays open so that a checkpoint happens only when the log has grown.
        self._keeper = sqlite3.connect(self.engine.url.database, check_same_thread=False)
        self._keeper.execute("PRAGMA journal_mode=WAL")
        # A read maps the log's index: only then does this connection count as still open.
        self._keeper.execute("SELECT count(*) FROM sqlite_master").fetchall()
        event.listen(self.engine, "connect", _sync_at_checkpoints)
        self.engine.dispose()  # connections opened before the listener get it too


def _strict(original):
    def hook(self, error: Exception) -> None:
        if isinstance(self._tracker_store, StrictSQLTrackerStore):
            raise TrackerStoreUnavailable(f"conversation store unavailable: {error}") from error
        original(self, error)
    return hook


# Patched once, at import (Rasa imports this module when it reads the endpoints file).
if not getattr(FailSafeTrackerStore, "_strict_hooks", False):
    FailSafeTrackerStore.on_tracker_store_error = _strict(FailSafeTrackerStore.on_tracker_store_error)
    FailSafeTrackerStore.on_tracker_store_retrieve_error = _strict(
        FailSafeTrackerStore.on_tracker_store_retrieve_error)
    FailSafeTrackerStore._strict_hooks = True
