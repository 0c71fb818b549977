"""action_answer_policy: the user's question -> knowledge_base -> quoted, cited answer."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from knowledge_base.answer import compose_answer
from knowledge_base.errors import BadQuestionError
from knowledge_base.language import detect_language_or_other
from knowledge_base.sectors import compose_sector_answer

from .kb_service import KnowledgeBaseService, KnowledgeBaseUnavailable
from .messages import buttons, text

# The topic(s) each policy intent searches first.
INTENT_TOPICS = {
    "ask_reinvestment": ("reinvestment",),
    "ask_negative_list": ("negative_list",),
    "ask_encouraged_catalogue": ("encouraged_catalogue",),
    "ask_approval": ("approval", "investment_law"),
    "ask_information_reporting": ("information_reporting",),
    "ask_complaints": ("complaints",),
}
# Questions the intent puts on another subject ("reinvest in a hospital project?") get no
# sector verdict even when they name a sector.
_OTHER_TOPIC_INTENTS = ("ask_reinvestment", "ask_encouraged_catalogue",
                        "ask_information_reporting", "ask_complaints")
_FOLLOW_UP_LEADS = ("那", "那么", "还有", "如果", "and ", "what about", "how about", "and if", "also")


def is_follow_up(message: str) -> bool:
    """A short question, or one that opens like "and …" / "那…", leans on the previous topic."""
    m = message.strip().lower()
    short = len(m) <= 16 if detect_language_or_other(m) == "zh" else len(m.split()) <= 7
    return short or m.startswith(_FOLLOW_UP_LEADS)


def previous_user_text(tracker: Tracker) -> str | None:
    """The user's message before this one ("and in an FTZ?" takes its sector from it)."""
    said = [e.get("text") for e in tracker.events if e.get("event") == "user" and e.get("text")]
    return said[-2] if len(said) >= 2 else None


def user_lang(tracker: Tracker) -> str:
    return "en" if tracker.get_slot("lang") == "en" else "zh"


class ActionAnswerPolicy(Action):
    def __init__(self, kb: KnowledgeBaseService):
        self.kb = kb

    def name(self) -> str:
        return "action_answer_policy"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict]:
        lang = user_lang(tracker)
        message = tracker.latest_message.get("text") or ""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if not message.strip():
            dispatcher.utter_message(text=text("empty", lang))
            return []
        if detect_language_or_other(message) == "other":
            dispatcher.utter_message(text=text("third_language", lang))
            return []

        sector = None
        if intent not in _OTHER_TOPIC_INTENTS:
            try:
                # "Can I invest in X?": the verdict first, then the clause (knowledge_base.sectors).
                sector = await self.kb.sector_verdict(message, lang, previous_user_text(tracker))
            except (BadQuestionError, KnowledgeBaseUnavailable):
                sector = None  # the ordinary search below answers or apologises
        if sector is not None:
            answer = compose_sector_answer(sector, lang)
            body = answer.text
            if sector.response.truncated:
                body = f"{text('truncated', lang)}\n{body}"
            dispatcher.utter_message(text=body, json_message={
                **answer.payload(), "verdict": sector.verdict.as_dict()})
            return [SlotSet("topic", "negative_list")]

        previous = tracker.get_slot("topic")
        topics = INTENT_TOPICS.get(intent)
        if topics is None and previous and is_follow_up(message):
            topics = tuple(previous.split(","))
        try:
            # The intent or the remembered topic may be wrong: without an answer there, the
            # search looks everywhere.
            resp = await self.kb.search(message, lang, topic=topics, widen=True)
        except BadQuestionError:
            dispatcher.utter_message(text=text("empty", lang))
            return []
        except KnowledgeBaseUnavailable:
            dispatcher.utter_message(text=text("kb_unavailable", lang), buttons=buttons("handoff", lang))
            return []

        answer = compose_answer(resp, lang)
        if answer.no_answer:
            # What the documents lack, when known (today's exchange rate, an office's phone).
            reply = "\n".join(t for t in (answer.text, text("no_answer", lang)) if t)
            dispatcher.utter_message(text=reply, buttons=buttons("handoff", lang),
                                     json_message={"type": "no_answer", "lang": lang, "sources": [],
                                                   "answerable": "no", "missing": answer.missing})
            return []
        body = answer.text
        if resp.truncated:
            body = f"{text('truncated', lang)}\n{body}"
        dispatcher.utter_message(text=body, json_message=answer.payload())
        best = resp.results[0]
        new_topic = ",".join(topics) if topics else next(
            (t for t in best.topics if t != "general"), previous)
        return [SlotSet("topic", new_topic)]
