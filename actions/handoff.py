"""action_handoff: the right human channel for the topic, recorded with the conversation id."""
from __future__ import annotations

import logging
import threading
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from shared_state.errors import StoreUnavailable

from .answer_policy import user_lang
from .config import ActionSettings
from .handoff_store import HandoffRequest, HandoffStore
from .messages import text

logger = logging.getLogger(__name__)

_CONTROL_INTENTS = {"request_human", "affirm", "deny", "greet", "thanks", "goodbye", "stop"}


def last_question(tracker: Tracker) -> str:
    """The user's last substantive message before asking for a person."""
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        said = (event.get("text") or "").strip()
        if said and not said.startswith("/") and intent not in _CONTROL_INTENTS:
            return said[:2000]
    return ""


class ActionHandoff(Action):
    def __init__(self, settings: ActionSettings | None = None):
        self._address = (settings or ActionSettings()).handoff_address
        self._store: HandoffStore | None = None
        self._lock = threading.Lock()

    def _record(self, request: HandoffRequest) -> int:
        """Store the request (raises StoreUnavailable); the store is opened on first use, and
        opened again on the next request when that failed."""
        with self._lock:
            if self._store is None:
                self._store = HandoffStore(self._address)
        return self._store.record(request)

    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict]:
        lang = user_lang(tracker)
        topic = (tracker.get_slot("topic") or "").split(",")[0]
        channel = "channel_complaints" if topic == "complaints" else "channel_default"
        question = last_question(tracker)
        request = HandoffRequest(
            conversation_id=tracker.sender_id, topic=topic, lang=lang, question=question,
            channel=text(channel, "en"))
        try:
            reference = f"H{self._record(request):06d}"
        except StoreUnavailable as exc:
            # Locked, read-only, full or corrupt store, or PostgreSQL down: the user still gets
            # the channel, and the request is kept in the action server's log for staff.
            logger.error("handoff request NOT stored (%s: %s); record it by hand: %r",
                         type(exc).__name__, exc, request)
            reference = ""
        lines = [text("handoff_passed_reference", lang, reference=reference) if reference
                 else text("handoff_passed", lang),
                 text("handoff_reply", lang),
                 text("handoff_channel", lang, channel=text(channel, lang))]
        dispatcher.utter_message(text="\n".join(lines),
                                 json_message={"type": "handoff", "lang": lang, "reference": reference,
                                               "topic": topic})
        return []
