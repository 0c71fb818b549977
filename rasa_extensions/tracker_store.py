"""PostgreSQL tracker store that fails a message when the database is down.

Rasa wraps every tracker store in FailSafeTrackerStore, which on a database error logs it and
carries on with an empty in-memory conversation: the user gets an answer, but the conversation's
history and slots (a half-filled eligibility form) are gone, what is said meanwhile is never
written to PostgreSQL, and each replica forks its own copy. With shared state we would rather say
sorry: for conversations in this store the fail-safe's error hooks raise instead, Rasa's REST
channel answers an empty list, and the gateway tries another replica, then apologises in both
languages. Conversations in any other store keep Rasa's behaviour.
"""
from __future__ import annotations

from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore


class TrackerStoreUnavailable(Exception):
    """The conversation store could not be read or written."""


class StrictSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose errors are not papered over by Rasa's fail-safe wrapper."""


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
