"""The custom actions called directly, with real knowledge-base failures (no server needed)."""
import asyncio
import dataclasses

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.config import ActionSettings
from actions.kb_service import KnowledgeBaseService
from actions.answer_policy import ActionAnswerPolicy, is_follow_up
from knowledge_base.language import message_language
from knowledge_base.config import get_settings
from knowledge_base.eligibility import (Answers, assess, parse_holding, parse_industry,
                                        parse_investment_form, parse_yes_no)
from helpers import REPO


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
def service(kb):
    """The action server's service over the session's knowledge base (no watcher: no reloads)."""
    return KnowledgeBaseService(ActionSettings(reload_interval=0), kb=kb)


def test_answer_sets_topic_and_payload(service):
    messages, events = run(ActionAnswerPolicy(service), tracker("负面清单现在有几条？", "ask_negative_list"))
    assert messages[0]["custom"]["type"] == "answer"
    assert events and events[0]["name"] == "topic" and events[0]["value"] == "negative_list"
    # The payload carries the answer's sources, as the gateway and the widget read them.
    sources = messages[0]["custom"]["sources"]
    assert sources and all(s["doc_title"] and s["label"] for s in sources)
    assert any("负面清单" in s["doc_title"] + s["label"] for s in sources)


def test_slow_knowledge_base_gives_apology_and_handoff(kb):
    slow = KnowledgeBaseService(ActionSettings(timeout=0.0001, reload_interval=0), kb=kb)
    messages, _ = run(ActionAnswerPolicy(slow), tracker("How do I file a complaint?", lang="en"))
    assert "unavailable" in messages[0]["text"]
    assert "/request_human" in [b["payload"] for b in messages[0]["buttons"]]


def test_failing_knowledge_base_gives_apology_and_handoff(tmp_path):
    missing = dataclasses.replace(get_settings(), index_dir=tmp_path / "missing")
    service = KnowledgeBaseService(ActionSettings(reload_interval=0), kb_settings=missing)
    messages, _ = run(ActionAnswerPolicy(service), tracker("负面清单有几条"))
    assert "暂时无法使用" in messages[0]["text"]
    assert "/request_human" in [b["payload"] for b in messages[0]["buttons"]]
    assert "Traceback" not in messages[0]["text"]


def test_language_of_messages():
    # None: the message says nothing about the language, so the conversation keeps its own.
    assert message_language("你好") == "zh"
    assert message_language("hello") == "en"
    assert message_language("/request_human") is None
    assert message_language("🙂") is None
    assert message_language("2024") is None
    assert message_language("Bonjour, je voudrais investir") is None
    assert message_language("こんにちは") is None


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


def test_bad_question_reaches_the_caller_by_its_class(service):
    # kb_service tells a bad question (the action answers it) from an unavailable knowledge base
    # by the error's class, not by its CLI exit code.
    from knowledge_base.errors import BadInputError, BadQuestionError

    with pytest.raises(BadQuestionError) as caught:
        asyncio.run(service.search("   ", "zh"))
    assert isinstance(caught.value, BadInputError)


def test_server_registers_every_action_of_the_domain_without_loading_a_model():
    import yaml

    from actions.server import create_executor

    service = KnowledgeBaseService(ActionSettings(reload_interval=0))
    executor = create_executor(service)
    domain = yaml.safe_load((REPO / "domain.yml").read_text(encoding="utf-8"))
    assert set(executor.actions) == set(domain["actions"])
    assert service.loaded is None  # loaded by the first search or the server's preload only


def test_form_validators_are_methods_rasa_sdk_finds():
    from actions.eligibility_form import FORM_SLOTS, ValidateReinvestmentEligibilityForm

    form = ValidateReinvestmentEligibilityForm()
    dispatcher = CollectingDispatcher()
    for slot in FORM_SLOTS:
        assert f"validate_{slot}" in vars(ValidateReinvestmentEligibilityForm)
    said = asyncio.run(form.validate_holding_period("7年", dispatcher, tracker("7年"), {}))
    assert said == {"holding_period": "five_years_or_more"} and not dispatcher.messages
    unclear = asyncio.run(form.validate_cash_direct("maybe", dispatcher, tracker("maybe", lang="en"), {}))
    assert unclear == {"cash_direct": None}
    assert dispatcher.messages[0]["text"] == "Sorry, I did not understand that answer."
