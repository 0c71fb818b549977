"""action_handoff: the right human channel for the topic, recorded with the conversation id."""
from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from shared_state.errors import StoreUnavailable

from . import handoff_store
from .answer_policy import user_lang

logger = logging.getLogger(__name__)

_CONTROL_INTENTS = {"request_human", "affirm", "deny", "greet", "thanks", "goodbye", "stop"}

CHANNELS = {
    "complaints": {
        "zh": "全国外商投资企业投诉中心（设在商务部投资促进事务局），或您所在县级以上地方人民政府指定的外商投资企业投诉工作机构",
        "en": "the National Complaint Centre for Foreign-Invested Enterprises (in MOFCOM's Investment "
              "Promotion Agency), or the complaint agency designated by your county-level or higher "
              "local government",
    },
    "default": {
        "zh": "您所在地的商务主管部门（省、市商务厅/局外资管理部门）",
        "en": "the commerce department of your province or city (its foreign investment division)",
    },
}


def last_question(tracker: Tracker) -> str:
    """The user's last substantive message before asking for a person."""
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        text = (event.get("text") or "").strip()
        if text and not text.startswith("/") and intent not in _CONTROL_INTENTS:
            return text[:2000]
    return ""


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict]:
        lang = user_lang(tracker)
        topic = (tracker.get_slot("topic") or "").split(",")[0]
        channel = CHANNELS["complaints" if topic == "complaints" else "default"]
        question = last_question(tracker)
        request = handoff_store.HandoffRequest(
            conversation_id=tracker.sender_id, topic=topic, lang=lang, question=question,
            channel=channel["en"])
        try:
            reference = f"H{handoff_store.record(request):06d}"
        except StoreUnavailable as exc:
            # Locked, read-only, full or corrupt store, or PostgreSQL down: the user still gets
            # the channel, and the request is kept in the action server's log for staff.
            logger.error("handoff request NOT stored (%s: %s); record it by hand: %r",
                         type(exc).__name__, exc, request)
            reference = ""
        if lang == "en":
            lines = ["I have passed your conversation to our staff"
                     + (f" (reference {reference})." if reference else ".")]
            lines.append("A member of staff will read it and reply in this chat during working hours; "
                         "you do not need to repeat your question.")
            lines.append(f"For formal matters the competent channel is {channel['en']}.")
        else:
            lines = ["已将您的对话转交工作人员" + (f"（编号 {reference}）。" if reference else "。")]
            lines.append("工作人员会在工作时间内阅读并在本对话中回复您，无需重复提问。")
            lines.append(f"正式办理请联系：{channel['zh']}。")
        dispatcher.utter_message(text="\n".join(lines),
                                 json_message={"type": "handoff", "lang": lang, "reference": reference,
                                               "topic": topic})
        return []
