"""Action-server requests that carry the recent conversation, not all of it.

Rasa 3.6 sends the whole tracker to the action server for every call: every event since the
conversation began, each bot reply with its custom payload (quoted clauses and sources). After
20-30 turns that is 85-120 KB of JSON, which rasa-sdk parses on every message (15 % of the action
server's CPU in issue 12's profile), and it grows without bound. Our actions read the slots, the
latest message and the last few user turns (the previous question for a follow-up, the last
substantive question for a hand-off), so the request keeps the events from the
RECENT_USER_TURNS-th last user message on; slots, the active loop and the latest message are
sent whole as before.
"""
from __future__ import annotations

from typing import Any

from rasa.core.actions.action import RemoteAction

# Hand-off looks back past "talk to a person", "yes" and button payloads for the question.
RECENT_USER_TURNS = 6

_rasa_call_format = RemoteAction._action_call_format


def recent_events(events: list[dict[str, Any]], turns: int = RECENT_USER_TURNS) -> list[dict[str, Any]]:
    """The events from the `turns`-th last user message on (all of them when there are fewer)."""
    seen = 0
    for i in range(len(events) - 1, -1, -1):
        if events[i].get("event") == "user":
            seen += 1
            if seen == turns:
                return events[i:]
    return events


def _action_call_format(self: RemoteAction, tracker: Any, domain: Any) -> dict[str, Any]:
    request = _rasa_call_format(self, tracker, domain)
    state = request.get("tracker") or {}
    if isinstance(state.get("events"), list):
        state["events"] = recent_events(state["events"])
    return request


# Patched once, when Rasa imports this package (the endpoints file names its stores).
if not getattr(RemoteAction, "_sends_recent_events", False):
    RemoteAction._action_call_format = _action_call_format  # type: ignore[method-assign]
    RemoteAction._sends_recent_events = True
