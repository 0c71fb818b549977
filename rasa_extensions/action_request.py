"""Action-server requests that carry the recent conversation, not all of it.

Rasa 3.6 serialises the whole tracker for every call to the action server: every event since the
conversation began, each bot reply with its custom payload (quoted clauses and sources). After
20-30 turns that is 85-120 KB of JSON that Rasa writes and rasa-sdk parses on every message (15 %
of the action server's CPU in issue 12's profile), and it grows without bound. Our actions read
the slots, the latest message and the last few user turns (the previous question for a
follow-up, the last substantive question for a hand-off), so the request carries the events from
the RECENT_USER_TURNS-th last user message on, and only those are serialised; slots, the active
loop and the latest message are sent whole as before.
"""
from __future__ import annotations

from typing import Any, Sequence

from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import EventVerbosity

# Hand-off looks back past "talk to a person", "yes" and button payloads for the question.
RECENT_USER_TURNS = 6

_rasa_call_format = RemoteAction._action_call_format


def recent_events(events: Sequence[Event], turns: int = RECENT_USER_TURNS) -> list[Event]:
    """The events from the `turns`-th last user message on (all of them when there are fewer)."""
    events = list(events)
    seen = 0
    for i in range(len(events) - 1, -1, -1):
        if isinstance(events[i], UserUttered):
            seen += 1
            if seen == turns:
                return events[i:]
    return events


class _RecentTracker:
    """The tracker as Rasa's request builder sees it: its state holds only the recent events."""

    def __init__(self, tracker: Any) -> None:
        self._tracker = tracker

    def current_state(self, event_verbosity: EventVerbosity = EventVerbosity.NONE) -> dict[str, Any]:
        state = self._tracker.current_state(EventVerbosity.NONE)
        if event_verbosity != EventVerbosity.NONE:
            state["events"] = [e.as_dict() for e in recent_events(self._tracker.events)]
        return state

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tracker, name)


def _action_call_format(self: RemoteAction, tracker: Any, domain: Any) -> dict[str, Any]:
    return _rasa_call_format(self, _RecentTracker(tracker), domain)


# Patched once, when Rasa imports this package (the endpoints file names its stores).
if not getattr(RemoteAction, "_sends_recent_events", False):
    RemoteAction._action_call_format = _action_call_format  # type: ignore[method-assign]
    RemoteAction._sends_recent_events = True
