"""The reinvestment eligibility form: validation of free-text answers, correction, verdict."""
from __future__ import annotations

from typing import Any, Callable, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from knowledge_base.eligibility import (Answers, assess, parse_holding, parse_industry,
                                        parse_investment_form, parse_yes_no, render_verdicts)

from .answer_policy import user_lang
from .messages import text

FORM_SLOTS = ("foreign_investor", "profit_distributed", "investment_form", "target_industry",
              "cash_direct", "holding_period")
PARSERS: dict[str, Callable[[str], Optional[Any]]] = {
    "foreign_investor": parse_yes_no,
    "profit_distributed": parse_yes_no,
    "investment_form": parse_investment_form,
    "target_industry": parse_industry,
    "cash_direct": parse_yes_no,
    "holding_period": parse_holding,
}


class ValidateReinvestmentEligibilityForm(FormValidationAction):
    """Each free-text answer parsed into the slot's value; one not understood is asked again."""

    def name(self) -> str:
        return "validate_reinvestment_eligibility_form"

    async def validate_foreign_investor(self, value: Any, dispatcher: CollectingDispatcher,
                                        tracker: Tracker, domain: dict[str, Any]) -> dict[str, Any]:
        return _parsed("foreign_investor", value, dispatcher, tracker)

    async def validate_profit_distributed(self, value: Any, dispatcher: CollectingDispatcher,
                                          tracker: Tracker, domain: dict[str, Any]) -> dict[str, Any]:
        return _parsed("profit_distributed", value, dispatcher, tracker)

    async def validate_investment_form(self, value: Any, dispatcher: CollectingDispatcher,
                                       tracker: Tracker, domain: dict[str, Any]) -> dict[str, Any]:
        return _parsed("investment_form", value, dispatcher, tracker)

    async def validate_target_industry(self, value: Any, dispatcher: CollectingDispatcher,
                                       tracker: Tracker, domain: dict[str, Any]) -> dict[str, Any]:
        return _parsed("target_industry", value, dispatcher, tracker)

    async def validate_cash_direct(self, value: Any, dispatcher: CollectingDispatcher,
                                   tracker: Tracker, domain: dict[str, Any]) -> dict[str, Any]:
        return _parsed("cash_direct", value, dispatcher, tracker)

    async def validate_holding_period(self, value: Any, dispatcher: CollectingDispatcher,
                                      tracker: Tracker, domain: dict[str, Any]) -> dict[str, Any]:
        return _parsed("holding_period", value, dispatcher, tracker)


def _parsed(slot: str, value: Any, dispatcher: CollectingDispatcher,
            tracker: Tracker) -> dict[str, Any]:
    parsed = value if isinstance(value, bool) else PARSERS[slot](str(value or ""))
    if parsed is None:
        dispatcher.utter_message(text=text("not_understood", user_lang(tracker)))
        return {slot: None}  # the form asks the same question again, with its buttons
    return {slot: parsed}


class ActionCorrectAnswer(Action):
    """Clear the last answered question so the form asks it again."""

    def name(self) -> str:
        return "action_correct_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict]:
        lang = user_lang(tracker)
        requested = tracker.get_slot("requested_slot")
        answered = [s for s in FORM_SLOTS if tracker.get_slot(s) is not None]
        if requested in FORM_SLOTS:
            answered = [s for s in FORM_SLOTS[:FORM_SLOTS.index(requested)] if s in answered]
        if not answered:
            dispatcher.utter_message(text=text("nothing_to_correct", lang))
            return []
        dispatcher.utter_message(text=text("corrected", lang))
        return [SlotSet(answered[-1], None)]


def _reset() -> list[dict]:
    return [SlotSet(s, None) for s in FORM_SLOTS] + [SlotSet("requested_slot", None)]


class ActionEligibilityVerdict(Action):
    def name(self) -> str:
        return "action_eligibility_verdict"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict]:
        lang = user_lang(tracker)
        answers = Answers(**{s: tracker.get_slot(s) for s in FORM_SLOTS})
        deferral, credit = assess(answers)
        dispatcher.utter_message(
            text=render_verdicts((deferral, credit), lang),
            json_message={
                "type": "eligibility", "lang": lang,
                "deferral": deferral.eligible, "credit": credit.eligible,
                "sources": [{"doc_title": v.source.title, "label": "",
                             "doc_number": v.source.doc_number, "date": v.source.date,
                             "source_url": v.source.url} for v in (deferral, credit)]})
        return _reset() + [SlotSet("topic", "reinvestment")]


class ActionResetEligibility(Action):
    def name(self) -> str:
        return "action_reset_eligibility"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict]:
        return _reset()
