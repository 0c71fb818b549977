"""End-to-end: the real Rasa server and action server, talked to through the REST webhook."""
import sqlite3
import uuid

import pytest

from harness.rasa_bot import button_payloads, customs, texts


def sender():
    return f"test-{uuid.uuid4().hex[:10]}"


def test_chinese_policy_question_is_answered_with_source(bot):
    out = bot.say(sender(), "外商投资企业投诉以后，多久会决定受不受理？")
    answer = customs(out, "answer")
    assert answer and answer[0]["lang"] == "zh"
    top = answer[0]["sources"][0]
    assert "投诉" in top["doc_title"] and top["label"]
    assert set(top) == {"doc_title", "label", "doc_number", "date", "source_url"}
    assert "根据" in texts(out)


def test_english_question_gets_english_summary_and_chinese_original(bot):
    out = bot.say(sender(), "Can a foreign investor defer withholding tax when it reinvests dividends in China?")
    answer = customs(out, "answer")
    assert answer and answer[0]["lang"] == "en"
    assert "利润再投资" in answer[0]["sources"][0]["doc_title"]
    body = texts(out)
    assert "According to" in body and "Chinese original" in body


def test_follow_up_reuses_topic(bot):
    who = sender()
    first = customs(bot.say(who, "外资准入负面清单现在有多少条？"), "answer")
    assert "负面清单" in first[0]["sources"][0]["doc_title"]
    follow = customs(bot.say(who, "那自贸区呢？"), "answer")
    labels = [s["label"] for s in follow[0]["sources"]]
    assert any("自贸" in label for label in labels) or "（六）" in labels


def test_mixed_language_message(bot):
    out = bot.say(sender(), "reinvestment 递延纳税需要满足什么条件")
    answer = customs(out, "answer")
    assert answer and answer[0]["lang"] == "zh"
    assert "利润再投资" in answer[0]["sources"][0]["doc_title"]


def _run_form(bot, who, start, answers):
    out = bot.say(who, start)
    assert "1/6" in texts(out)
    for reply in answers:
        out = bot.say(who, reply)
    return out


def test_eligibility_form_eligible_zh(bot):
    out = _run_form(bot, sender(), "帮我判断一下我们能不能享受利润再投资的递延纳税",
                    ["是", "是", "增资", "鼓励类", "是", "5年以上"])
    verdict = customs(out, "eligibility")[0]
    assert verdict["deferral"] is True and verdict["credit"] is True
    assert "财税〔2018〕102号" in texts(out) and "看来符合条件" in texts(out)


def test_eligibility_form_ineligible_en_with_correction(bot):
    who = sender()
    out = bot.say(who, "can you check whether we are eligible for the reinvestment deferral?")
    assert "1/6" in texts(out)
    assert "2/6" in texts(bot.say(who, "yes"))
    assert "3/6" in texts(bot.say(who, "no"))
    # Correct the previous answer: question 2 is asked again.
    assert "2/6" in texts(bot.say(who, "change my last answer"))
    assert "3/6" in texts(bot.say(who, "yes"))
    assert "4/6" in texts(bot.say(who, "equity bought from a related party"))
    assert "5/6" in texts(bot.say(who, "prohibited"))
    assert "6/6" in texts(bot.say(who, "no"))
    out = bot.say(who, "less than 5 years")
    verdict = customs(out, "eligibility")[0]
    assert verdict["deferral"] is False and verdict["credit"] is False
    assert "does not qualify" in texts(out)


def test_eligibility_form_unclear_answer_is_asked_again_and_stop_works(bot):
    who = sender()
    bot.say(who, "帮我测一测利润再投资优惠资格")
    out = bot.say(who, "嗯……这个嘛，看情况")
    assert "没听懂" in texts(out) and "1/6" in texts(out)
    out = bot.say(who, "算了，不测了")
    assert "已停止" in texts(out)
    # The conversation goes on.
    assert customs(bot.say(who, "外商投资信息报告的年报什么时候交？"), "answer")


def test_out_of_scope_gets_honest_fallback_and_handoff(bot):
    who = sender()
    out = bot.say(who, "今天上海天气怎么样？")
    assert "/request_human" in button_payloads(out)
    assert not customs(out, "answer")
    out = bot.say(who, "/request_human")
    handoff = customs(out, "handoff")[0]
    assert handoff["reference"].startswith("H")
    with sqlite3.connect(bot.env["HANDOFF_DB"]) as conn:
        rows = conn.execute("SELECT conversation_id, question FROM handoff_requests "
                            "WHERE conversation_id = ?", (who,)).fetchall()
    assert rows == [(who, "今天上海天气怎么样？")]


def test_complaint_handoff_names_the_complaint_centre(bot):
    who = sender()
    bot.say(who, "How do we file a complaint against a local government decision?")
    out = bot.say(who, "I want to talk to a person")
    assert "National Complaint Centre" in texts(out)


@pytest.mark.parametrize("message", ["", "🙂🙂🙂", "<script>alert(1)</script><img src=x onerror=alert(1)>",
                                     "外商投资" * 2500])
def test_bad_input_gets_a_reply_and_the_conversation_goes_on(bot, message):
    who = sender()
    out = bot.say(who, message)
    assert out and all("Traceback" not in m.get("text", "") for m in out)
    assert "<script>" not in texts(out)
    assert bot.say(who, "你好")


def test_language_is_detected_in_rasa_and_kept_by_messages_that_say_nothing(bot):
    """`lang` comes from the pipeline's entity (no slot-validation call to the action server):
    English, then Chinese, then a payload and an emoji, which keep the language."""
    import requests

    who = sender()
    for message in ("How do I file a complaint?", "投诉多久受理？", "/greet", "🙂"):
        bot.say(who, message)
    tracker = requests.get(f"{bot.rasa_url}/conversations/{who}/tracker",
                           params={"token": bot.env["RASA_AUTH_TOKEN"]}, timeout=30).json()
    langs, slots = [], []
    for event in tracker["events"]:
        if event["event"] == "user":
            found = [e for e in event["parse_data"].get("entities", []) if e["entity"] == "lang"]
            assert all(e["extractor"] == "LanguageEntityExtractor" for e in found)
            langs.append(found[0]["value"] if found else None)
        elif event["event"] == "slot" and event["name"] == "lang":
            slots.append(event["value"])
    assert langs == ["en", "zh", None, None]
    assert slots == ["en", "zh"]
    assert tracker["slots"]["lang"] == "zh"


def test_third_language_gets_a_reply_in_the_users_language(bot):
    who = sender()
    bot.say(who, "Hello")
    out = bot.say(who, "Bonjour, comment puis-je investir en Chine ?")
    assert out and "Chinese or English" in texts(out)


def test_sector_questions_get_a_verdict_first(bot):
    out = texts(bot.say(sender(), "外国公司可以在中国开办民办小学吗？"))
    assert out.startswith("结论：禁止外商投资。") and "第21项" in out and "2024年11月1日" in out
    out = texts(bot.say(sender(), "How much of a Chinese airline may a foreign investor own?"))
    assert "Verdict: restricted." in out and "25 %" in out and "item 9" in out
    out = texts(bot.say(sender(), "Can a foreigner open a restaurant in China?"))
    assert "Verdict: not on the negative list." in out and "articles 4 and 28" in out


def test_ftz_follow_up_after_a_sector_question(bot):
    who = sender()
    bot.say(who, "Can a foreign company do market research in China?")
    out = texts(bot.say(who, "and in a free trade zone?"))
    # The FTZ list keeps market surveys to joint ventures (social surveys carry the 67 %).
    assert "Verdict (free trade zone)" in out and "joint venture" in out


@pytest.mark.parametrize("message, tier, expected", [
    ("外商投资企业不按规定报送投资信息会被罚多少钱？", "yes", "简要回答：100,000元以上500,000元以下。"),
    ("Within how many years must the shareholders of a limited liability company pay in their "
     "subscribed capital?", "yes", "In short: within 5 years."),
    ("深圳市对跨国公司地区总部的落户奖励最高给多少钱？", "partial", "商务主管部门"),
    ("How much cash award does Shenzhen give a new regional headquarters?", "partial", "commerce department"),
    ("今天人民币兑美元的汇率是多少？", "no", "市场数据"),
    ("What is the loan prime rate this month?", "no", "market data"),
])
def test_answerability_tiers_through_the_rest_bot(bot, message, tier, expected):
    out = bot.say(sender(), message)
    payloads = customs(out, "answer") + customs(out, "no_answer")
    assert payloads and payloads[0]["answerable"] == tier, payloads
    assert expected in texts(out)
    if tier == "no":
        assert "/request_human" in button_payloads(out)
