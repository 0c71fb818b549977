"""Sector verdicts: the vocabulary, the dev set of sector questions, and what a user reads."""
import asyncio
import json

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.config import ActionSettings
from actions.kb_service import KnowledgeBaseService
from actions.answer_policy import ActionAnswerPolicy
from knowledge_base.sectors import load_vocabulary, sector_answer
from helpers import REPO

SECTOR_SET = REPO / "tests" / "eval" / "sectors.jsonl"


def load_set():
    return [json.loads(line) for line in SECTOR_SET.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def test_vocabulary_maps_everyday_words_to_list_terms():
    vocab = load_vocabulary()
    assert "义务教育" in vocab.match("外资能开民办小学吗").terms
    assert "医疗机构" in vocab.match("Can I open a private hospital?").terms
    assert "快递" in vocab.match("a courier company").terms
    # Longest word first: a printing house is printing, not a generic factory.
    assert vocab.match("外资开印刷厂").terms == {"出版物印刷", "印刷"}
    # English words match whole words only.
    assert not vocab.match("the filmography of the barista").entries
    assert vocab.mentions_ftz("and in an FTZ?") and vocab.mentions_ftz("那自贸区呢")
    assert vocab.mentions_market_access("市场准入负面清单里有餐饮吗")
    assert not vocab.has_cue("医院几点关门") and vocab.has_cue("外资医院")


def test_dev_set_shape():
    rows = load_set()
    for lang in ("zh", "en"):
        mine = [r for r in rows if r["lang"] == lang]
        assert len(mine) >= 25
        kinds = {r["kind"] for r in mine}
        assert {"prohibited", "restricted", "open", "removed"} <= kinds
        assert any(r.get("previous") for r in mine) and any(r.get("pilot") for r in mine)
        assert any(r["list"] == "ftz" for r in mine)
        # FTZ questions per FTZ entry, and pilots asked about in a named city, both ways.
        assert len({r["label"] for r in mine if r.get("label")}) >= 4
        assert {True, False} <= {r["here"] for r in mine if "here" in r}


def verdict_is_right(row, answer) -> bool:
    if answer is None:
        return False
    v = answer.verdict
    got = (v.kind, v.list, v.entry.item if v.entry else None)
    pilots_ok = not row.get("pilot") or any(row["pilot"] in p.label for p in v.pilots)
    label_ok = not row.get("label") or (v.entry is not None and v.entry.label == row["label"])
    here_ok = "here" not in row or bool(v.pilots_here) == row["here"]
    return got == (row["kind"], row["list"], row["item"]) and pilots_ok and label_ok and here_ok


def test_sector_dev_set_at_least_90_percent_per_language(kb):
    right = {"zh": [0, 0], "en": [0, 0]}
    wrong = []
    for row in load_set():
        answer = sector_answer(kb, row["question"], row["lang"], row.get("previous"))
        ok = verdict_is_right(row, answer)
        right[row["lang"]][0] += ok
        right[row["lang"]][1] += 1
        if not ok:
            wrong.append((row["question"], answer.verdict.sentence if answer else None))
    rates = {lang: hits / total for lang, (hits, total) in right.items()}
    print(f"sector verdicts right: {rates}")
    assert rates["zh"] >= 0.90 and rates["en"] >= 0.90, (rates, wrong)


def test_no_verdict_for_questions_that_name_no_sector(kb):
    assert sector_answer(kb, "负面清单现在有多少条？", "zh") is None
    assert sector_answer(kb, "How do I file a complaint?", "en") is None
    # "and in an FTZ?" without a sector before it is left to the ordinary answer.
    assert sector_answer(kb, "那自贸区呢？", "zh", previous="负面清单现在有多少条？") is None


# --- what the user reads, through the action (the same text the widget, WeChat and shell show) ---

def tracker(text, lang="zh", previous=None, intent="ask_negative_list"):
    events = [{"event": "user", "text": t} for t in (previous, text) if t]
    return Tracker(sender_id="t", slots={"lang": lang, "topic": None},
                   latest_message={"text": text, "intent": {"name": intent,
                                                            "confidence": 0.9}},
                   events=events, paused=False, followup_action=None, active_loop={},
                   latest_action_name="action_listen")


@pytest.fixture
def say(kb):
    """Ask the answer action, served by the session's knowledge base, one question."""
    action = ActionAnswerPolicy(KnowledgeBaseService(ActionSettings(reload_interval=0), kb=kb))

    def ask(text, lang="zh", previous=None, intent="ask_negative_list"):
        dispatcher = CollectingDispatcher()
        events = asyncio.run(action.run(dispatcher, tracker(text, lang, previous, intent), {}))
        return dispatcher.messages[0], events

    return ask


def test_prohibited_verdict_zh_names_item_list_and_date(say):
    message, events = say("外国公司可以在中国开办民办小学吗？")
    text = message["text"]
    assert text.startswith("结论：禁止外商投资。")
    assert "第21项" in text and "2024年11月1日" in text and "令第23号" in text
    assert "根据" in text and "第21项 义务教育与宗教教育" in text  # then the clause and citation
    assert message["custom"]["verdict"]["kind"] == "prohibited"
    assert message["custom"]["sources"][0]["label"] == "第21项 义务教育与宗教教育"
    assert events[0]["value"] == "negative_list"


def test_restricted_verdict_en_with_pilot_places(say):
    text = say("Can I open a private hospital as a foreign investor?", "en")[0]["text"]
    assert text.startswith("Verdict: restricted.")
    assert "item 22" in text and "joint ventures only" in text
    assert "wholly foreign-owned hospitals" in text and "Hainan" in text
    assert "According to" in text and "Chinese original" in text


def test_value_added_telecom_cap_and_pilot(say):
    text = say("What is the foreign-share cap for value-added telecom?", "en")[0]["text"]
    assert "Verdict: restricted." in text and "50 %" in text and "item 12" in text
    assert "A pilot relaxes this" in text and "Shenzhen" in text


def test_open_verdict_is_national_treatment_never_prohibited(say):
    text = say("Can a foreigner open a restaurant in Shanghai?", "en")[0]["text"]
    assert text.startswith("Verdict: not on the negative list.")
    assert "articles 4 and 28" in text and "Market Access Negative List" in text
    assert "prohibited" not in text.split("\n")[0]
    zh = say("外国人可以在中国开餐厅吗？")[0]["text"]
    assert zh.startswith("结论：不在外资准入负面清单上。") and "第二十八条" in zh


def test_removed_item_says_since_when(say):
    text = say("Is printing still restricted for foreign investors?", "en")[0]["text"]
    assert text.startswith("Verdict: no longer restricted.") and "1 November 2024" in text


def test_ftz_follow_up_takes_the_sector_from_the_previous_question(say):
    text = say("And in an FTZ?", "en", previous="Can a foreign company do market research in China?")[0]["text"]
    assert text.startswith("Verdict (free trade zone): looser than the national list.")
    # Market research now answers with the market-survey measure alone (social surveys are an
    # FTZ entry of their own, with its 67 % Chinese share).
    assert "audience surveys" in text and "2021 edition" in text and "67 %" not in text
    social = say("And in an FTZ?", "en", previous="Can a foreign company run social surveys?")[0]["text"]
    assert social.startswith("Verdict (free trade zone): looser") and "67 %" in social
    zh = say("那自贸区可以吗", previous="外资能开电影发行公司吗？")[0]["text"]
    assert zh.startswith("结论（自贸试验区）：同样禁止。") and "第27项" in zh


def test_market_access_mix_up_is_pointed_out(say):
    text = say("市场准入负面清单里外资能不能开餐厅")[0]["text"]
    assert "结论：不在外资准入负面清单上。" in text and "是另一份清单" in text


def test_other_questions_keep_the_ordinary_answer(say):
    message, _ = say("负面清单现在有几条？")
    assert not message["text"].startswith("结论") and "verdict" not in message["custom"]


def test_a_question_on_another_subject_naming_a_sector_gets_no_verdict(say):
    message, _ = say("利润再投资到医院项目，还能暂不征收预提所得税吗？", intent="ask_reinvestment")
    assert not message["text"].startswith("结论") and "verdict" not in message["custom"]


def test_open_verdict_lists_no_unrelated_item(say):
    message, _ = say("Can foreign investors open a hotel in China?", "en")
    labels = [s["label"] for s in message["custom"]["sources"]]
    assert labels == ["负面清单制度与非禁即入"]


def test_names_a_sector_needs_no_search():
    from knowledge_base.sectors import names_a_sector
    assert names_a_sector("外资能开民办小学吗")
    assert not names_a_sector("负面清单有几条") and not names_a_sector("医院几点关门")
    assert names_a_sector("and in an FTZ?", previous="Can I open a hospital as a foreigner?")
    assert not names_a_sector("and in an FTZ?", previous="How many items are on the list?")


def test_ftz_list_dropped_fishing_and_opens_vocational_schools(say):
    text = say("外资能在自贸区从事水产品捕捞吗")[0]["text"]
    assert text.startswith("结论（自贸试验区）：不受限制。") and "2019年版" in text and "第4项" in text
    en = say("Is fishing open to foreign investors in a pilot free trade zone?", "en")[0]["text"]
    assert en.startswith("Verdict (free trade zone): not restricted.") and "item 4" in en
    school = say("Can a foreigner wholly own a vocational school in an FTZ?", "en")[0]["text"]
    assert school.startswith("Verdict (free trade zone): looser than the national list.")
    assert "wholly own a schooling vocational education institution" in school
    # The FTZ entry covers vocational schools only: a university there is as restricted as elsewhere.
    uni = say("在自贸区外资能办大学吗")[0]["text"]
    assert uni.startswith("结论（自贸试验区）：同样限制。") and "第20项" in uni


def test_verdict_says_whether_the_pilot_reaches_the_city_named(say):
    message, _ = say("外资可以在成都开独资医院吗？")
    assert "您提到的成都不在这一试点的地区之列" in message["text"] and "第22项" in message["text"]
    assert message["custom"]["verdict"]["place"] == "成都"
    assert message["custom"]["verdict"]["pilots_here"] == []
    en, _ = say("Can I open a wholly foreign-owned hospital in Sanya as a foreigner?", "en")
    assert "Sanya is among this pilot's places" in en["text"]
    assert en["custom"]["verdict"]["pilots_here"] == ["试点 外商独资医院"]


def test_pilot_reach_by_city_and_province():
    from knowledge_base.sectors import pilot_reach
    from knowledge_base.types import ListEntryMeta

    vocab = load_vocabulary()
    hospitals = ListEntryMeta(clause_id="x#h", label="h", measure="pilot",
                              places="北京、天津、上海、南京、苏州、福州、广州、深圳和海南全岛",
                              places_en="Beijing, Tianjin, Shanghai, Nanjing, Suzhou, Fuzhou, "
                                        "Guangzhou, Shenzhen and all of Hainan")
    biotech = ListEntryMeta(clause_id="x#b", label="b", measure="pilot",
                            places="北京、上海、广东三个自由贸易试验区和海南自由贸易港",
                            places_en="the Beijing, Shanghai and Guangdong pilot free trade zones "
                                      "and the Hainan Free Trade Port")
    reach = {text: (pilot_reach(hospitals, vocab.place(text)), pilot_reach(biotech, vocab.place(text)))
             for text in ("在苏州", "in Haikou", "在深圳", "in Chengdu", "在杭州")}
    assert reach == {"在苏州": ("yes", "no"), "in Haikou": ("yes", "yes"), "在深圳": ("yes", "within"),
                     "in Chengdu": ("no", "no"), "在杭州": ("no", "no")}
    assert vocab.place("外资医院有什么限制") is None
