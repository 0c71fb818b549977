"""The custom actions called directly, with real knowledge-base failures (no server needed)."""
import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import kb_service
from actions.answer_policy import ActionAnswerPolicy, is_follow_up
from actions.language import message_language
from knowledge_base.eligibility import (Answers, assess, parse_holding, parse_industry,
                                        parse_investment_form, parse_yes_no)


def tracker(text, intent="ask_policy", lang="zh", topic=None):
    return Tracker(sender_id="t", slots={"lang": lang, "topic": topic},
                   latest_message={"text": text, "intent": {"name": intent, "confidence": 0.9}},
                   events=[], paused=False, followup_action=None, active_loop={},
                   latest_action_name="action_listen")


def run(action, t):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    return dispatcher.messages, events


@pytest.fixture
def loaded_kb(kb, monkeypatch):
    monkeypatch.setattr(kb_service, "_kb", kb)
    return kb


def test_answer_sets_topic_and_payload(loaded_kb):
    messages, events = run(ActionAnswerPolicy(), tracker("负面清单现在有几条？", "ask_negative_list"))
    assert messages[0]["custom"]["type"] == "answer"
    assert events and events[0]["name"] == "topic" and events[0]["value"] == "negative_list"
    # The payload carries the answer's sources, as the gateway and the widget read them.
    sources = messages[0]["custom"]["sources"]
    assert sources and all(s["doc_title"] and s["label"] for s in sources)
    assert any("负面清单" in s["doc_title"] + s["label"] for s in sources)


def test_slow_knowledge_base_gives_apology_and_handoff(loaded_kb, monkeypatch):
    monkeypatch.setenv("KB_ACTION_TIMEOUT", "0.0001")
    messages, _ = run(ActionAnswerPolicy(), tracker("How do I file a complaint?", lang="en"))
    assert "unavailable" in messages[0]["text"]
    assert "/request_human" in [b["payload"] for b in messages[0]["buttons"]]


def test_failing_knowledge_base_gives_apology_and_handoff(monkeypatch, tmp_path):
    monkeypatch.setattr(kb_service, "_kb", None)
    monkeypatch.setenv("KB_INDEX_DIR", str(tmp_path / "missing"))
    messages, _ = run(ActionAnswerPolicy(), tracker("负面清单有几条"))
    assert "暂时无法使用" in messages[0]["text"]
    assert "/request_human" in [b["payload"] for b in messages[0]["buttons"]]
    assert "Traceback" not in messages[0]["text"]


def test_language_of_messages():
    assert message_language("你好", "en") == "zh"
    assert message_language("hello", "zh") == "en"
    assert message_language("/request_human", "en") == "en"
    assert message_language("🙂", "en") == "en"
    assert message_language("Bonjour, je voudrais investir", "zh") == "zh"  # keeps the user's
    assert message_language("こんにちは", None) == "en"


def test_follow_up_detection():
    assert is_follow_up("那自贸区呢？") and is_follow_up("and in a free trade zone?")
    assert not is_follow_up("Which industries are in the encouraged catalogue and what benefits do they get?")


@pytest.mark.parametrize("text,value", [("yes", True), ("是的", True), ("No, it is not", False),
                                        ("否", False), ("maybe", None)])
def test_parse_yes_no(text, value):
    assert parse_yes_no(text) is value


def test_parse_categories():
    assert parse_investment_form("从非关联方收购股权") == "equity_unrelated"
    assert parse_investment_form("buying shares from our sister company") == "equity_related"
    assert parse_investment_form("A股上市公司股票") == "listed_shares"
    assert parse_investment_form("收购股权") is None  # seller's relation unknown
    assert parse_industry("鼓励类") == "encouraged" and parse_industry("都不是") == "neither"
    assert parse_holding("7年") == "five_years_or_more" and parse_holding("36 months") == "less_than_five_years"


def test_verdicts():
    good = Answers(True, True, "capital_increase", "encouraged", True, "five_years_or_more")
    deferral, credit = assess(good)
    assert deferral.eligible and credit.eligible
    neither = Answers(True, True, "new_enterprise", "neither", True, "less_than_five_years")
    deferral, credit = assess(neither)
    assert deferral.eligible is True and credit.eligible is False
    unsure = Answers(True, True, "new_enterprise", "encouraged", True, "unsure")
    assert assess(unsure)[1].eligible is None


def test_bad_question_reaches_the_caller_by_its_class(loaded_kb):
    # kb_service tells a bad question (the action answers it) from an unavailable knowledge base
    # by the error's class, not by its CLI exit code.
    from knowledge_base.errors import BadInputError, BadQuestionError

    with pytest.raises(BadQuestionError) as caught:
        asyncio.run(kb_service.search("   ", "zh"))
    assert isinstance(caught.value, BadInputError)
