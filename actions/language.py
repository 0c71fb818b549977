"""action_validate_slot_mappings: detect the language of every user message into `lang`."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction

from knowledge_base.language import detect_language_or_other
from knowledge_base.text import count_cjk


def message_language(text: str, previous: str | None) -> str:
    """zh or en; a payload, an empty message or a third language keeps the previous language."""
    text = (text or "").strip()
    if not text or text.startswith("/"):
        return previous or "zh"
    lang = detect_language_or_other(text)
    if lang == "other":
        return previous or "en"
    if lang == "zh" and not count_cjk(text):
        # Digits or emoji alone say nothing about the language.
        return previous or "zh"
    return lang


class ValidateSlotMappings(ValidationAction):
    async def extract_lang(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: dict[str, Any]) -> dict[str, Any]:
        return {"lang": message_language(tracker.latest_message.get("text"), tracker.get_slot("lang"))}

    async def extract_topic(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: dict[str, Any]) -> dict[str, Any]:
        return {}  # set by action_answer_policy only
