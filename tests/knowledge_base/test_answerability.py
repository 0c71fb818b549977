"""Answerability: whether the quoted clause answers the question ("yes"), part of it ("partial",
naming what is missing) or nothing ("no"); and the plain lead sentence of a direct answer."""
import json
import subprocess
import sys

import pytest

from knowledge_base.answer import compose_answer
from knowledge_base.answerability import information_need, judge, named_place
from knowledge_base.direct_answer import direct_answer
from knowledge_base.types import SearchResult


def clause(text: str, kind: str = "law", label: str = "第一条", title: str = "中华人民共和国某法") -> SearchResult:
    return SearchResult(doc_id="d", doc_title=title, issuer="", doc_number="", date="", label=label,
                        heading="", text=text, summary_en="", source_url="", score=1.0, kind=kind)


@pytest.mark.parametrize("question, need", [
    ("外商投资企业不按规定报送投资信息会被罚多少钱？", "amount"),
    ("What is the standard corporate income tax rate in China?", "rate"),
    ("有限责任公司股东认缴的出资要在几年内缴足", "deadline"),
    ("负面清单一共有多少条？", "number"),
    ("外资准入负面清单现在有多少条？", "number"),  # "now" does not make a list's length market data
    ("江苏省目前有多少家外商投资企业？", "live_data"),
    ("今天人民币兑美元汇率是多少？", "live_data"),
    ("What is the phone number of the Pudong commerce office?", "contact"),
    ("Can a foreign investor freely transfer profits out of China?", "yes_no"),
    ("如何申请递延纳税", "other"),
])
def test_information_need(question, need):
    assert information_need(question) == need


def test_a_place_matters_only_when_its_own_provisions_are_asked_for():
    assert named_place("深圳市对地区总部的落户奖励给多少钱？", "amount")[0] == "深圳"
    assert named_place("What subsidies does Sanya give to tourism companies?")[1] == "Sanya"
    assert named_place("昆山开发区的租金补贴标准是多少？", "amount")[0] == "昆山开发区"
    # A subsidiary in Shanghai does not make a reinvestment question a Shanghai question.
    assert named_place("Our Shanghai subsidiary reinvests its dividends: can the tax be deferred?")[0] == ""


def test_three_tiers_on_given_clauses():
    fine = clause("逾期不改正的，处十万元以上五十万元以下的罚款。", label="第三十七条")
    duty = clause("外商投资企业应当于每年1月1日至6月30日报送年度报告。", kind="guide", label="年度报告")
    # The clause that states the amount asked for leads, even from second place.
    judged = judge("不报送投资信息会被罚多少钱？", (duty, fine), no_answer=False)
    assert (judged.tier, judged.answer_index) == ("yes", 1)
    # No clause states it: partial, and the missing part is named.
    judged = judge("不报送投资信息会被罚多少钱？", (duty,), no_answer=False)
    assert (judged.tier, judged.gap, judged.missing_en) == ("partial", "figure", "the amount asked for")
    # A national clause does not set a city's awards.
    judged = judge("深圳对地区总部的落户奖励给多少钱？", (fine,), no_answer=False)
    assert (judged.tier, judged.gap) == ("partial", "local_rules") and "深圳" in judged.missing_zh
    # Market data and an office's phone number are in no document.
    assert judge("What is today's USD/CNY exchange rate?", (fine,), no_answer=False).tier == "no"
    assert judge("What is the phone number of the Pudong tax office?", (fine,), no_answer=False).tier == "no"
    # One's own case: the rule is known, the state of the file is not.
    own = judge("我们公司的年度报告提交后现在审核到哪一步了？", (duty,), no_answer=False)
    assert (own.tier, own.gap) == ("partial", "own_case")
    assert judge("随便问问", (fine,), no_answer=True).tier == "no"


@pytest.mark.parametrize("question, need, text, lang, lead", [
    ("企业所得税税率是多少", "rate", "企业所得税的税率为25％。非居民企业取得本法第三条第三款规定的所得，适用税率为20％。",
     "zh", "简要回答：25%。"),
    ("What rate applies to high-tech enterprises?", "rate",
     "符合条件的小型微利企业，减按20％的税率征收企业所得税。国家需要重点扶持的高新技术企业，减按15％的税率征收企业所得税。",
     "en", "In short: 15%."),
    ("最多罚多少钱", "amount", "逾期不改正的，处十万元以上五十万元以下的罚款。", "zh", "简要回答：100,000元以上500,000元以下。"),
    ("What is the maximum fine?", "amount", "逾期不改正的，处十万元以上五十万元以下的罚款。", "en",
     "In short: RMB 100,000 to RMB 500,000."),
    ("Within how many years must capital be paid in?", "deadline",
     "全体股东认缴的出资额由股东按照公司章程的规定自公司成立之日起五年内缴足。", "en", "In short: within 5 years."),
    ("年度报告什么时候报送", "deadline", "外商投资企业应当于每年1月1日至6月30日报送年度报告。", "zh",
     "简要回答：每年1月1日至6月30日。"),
    ("外国投资者的利润可以汇出吗", "yes_no", "外国投资者在中国境内的利润可以依法以人民币或者外汇自由汇入、汇出。", "zh", "简要回答：可以。"),
    # Two deadlines: the one beside the words of what is asked (办结), not of its context (受理).
    ("外商投资企业投诉被受理以后，多长时间内必须办结？", "deadline",
     "投诉工作机构在收到完整的投诉材料后7个工作日内决定是否受理外商投资企业投诉；受理后应在60个工作日内办结。",
     "zh", "简要回答：60个工作日内。"),
    ("How many working days does the agency have to decide whether to accept a complaint?", "deadline",
     "投诉工作机构在收到完整的投诉材料后7个工作日内决定是否受理外商投资企业投诉；受理后应在60个工作日内办结。",
     "en", "In short: within 7 working days."),
    # The question's case (one year) is named where the figure stands.
    ("签一年期的劳动合同，试用期最长几个月？", "deadline", "劳动合同期限一年的，试用期不得超过二个月。", "zh",
     "简要回答：不超过2个月。"),
    # A longest allowed duration is not a time limit to act within.
    ("How long can a non-compete last?", "deadline", "竞业限制期限，不得超过二年。", "en",
     "In short: no more than 2 years."),
])
def test_direct_answer_is_drawn_from_the_clause(question, need, text, lang, lead):
    assert direct_answer(question, need, clause(text), lang) == lead


@pytest.mark.parametrize("question, need, text", [
    # Two fines for two cases in one sentence: quoted, never one of them alone.
    ("最多罚多少钱", "amount", "可以处二千元以下的罚款；情节严重的，可以处二千元以上一万元以下的罚款。"),
    # A calendar year is not a period.
    ("How long can the restriction last?", "deadline", "2021年版清单取消了该项限制。"),
    # Two figures and nothing to choose between them.
    ("税率是多少", "rate", "税率为10％或者20％"),
    # A question about a restriction: the clause's prohibition is not a "no" to it.
    ("负面清单之外有没有单独针对外资的限制？", "yes_no", "清单之外的领域不得单独针对外资设置准入限制。"),
    # A cap for every contract is not the cap for the one-year contract asked about.
    ("签一年期的劳动合同，试用期最长可以约定多久？", "deadline", "劳动合同可以约定试用期。试用期最长不得超过六个月。"),
    ("How long can probation last in a one-year labour contract?", "deadline", "试用期最长不得超过六个月。"),
])
def test_no_lead_sentence_when_the_clause_cannot_be_phrased_safely(question, need, text):
    lead = direct_answer(question, need, clause(text), "zh")
    assert lead is None or "一万" not in lead and "2,021" not in (lead or "")
    if need in ("rate", "yes_no") or "试用期" in text:
        assert lead is None


@pytest.mark.parametrize("question, tier", [
    ("外商投资企业不按规定报送投资信息会被罚多少钱？", "yes"),
    ("What income tax rate does a qualifying small low-profit enterprise pay?", "yes"),
    ("深圳市对跨国公司地区总部的落户奖励最高给多少钱？", "partial"),
    ("How much cash award does Shenzhen give a new regional headquarters?", "partial"),
    ("今天人民币兑美元的汇率是多少？", "no"),
    ("What is the loan prime rate this month?", "no"),
])
def test_three_tiers_with_the_real_index(kb, question, tier):
    resp = kb.search(question)
    assert resp.answerable == tier, (resp.answerable, resp.need, [r.label for r in resp.results[:3]])
    assert resp.no_answer == (tier == "no")
    answer = compose_answer(resp, resp.lang)
    if tier == "partial":
        assert answer.missing and answer.missing in answer.text
        assert ("商务主管部门" in answer.text) if resp.lang == "zh" else ("commerce department" in answer.text)
    if tier == "no":
        assert answer.no_answer and answer.missing


def test_a_general_question_is_not_answered_with_a_regional_exception(kb):
    # The first example: the western-region 15 % was quoted as "the standard rate".
    resp = kb.search("What is the standard corporate income tax rate in China?")
    assert (resp.results[0].doc_title, resp.results[0].label) == ("中华人民共和国企业所得税法", "第四条")
    assert compose_answer(resp, "en").text.startswith("In short: 25%.")
    # Asked about the region itself, the regional clause answers.
    regional = kb.search("设在西部地区的鼓励类外资企业企业所得税税率是多少？")
    assert "西部地区" in regional.results[0].label and regional.answerable == "yes"


def test_direct_answer_leads_a_real_answer(kb):
    zh = compose_answer(kb.search("外商投资企业不按规定报送投资信息会被罚多少钱？"), "zh")
    assert zh.text.startswith("简要回答：100,000元以上500,000元以下。") and "第三十七条" in zh.text
    en = compose_answer(kb.search("Within how many years must the shareholders of a limited liability "
                                  "company pay in their subscribed capital?"), "en")
    assert en.text.startswith("In short: within 5 years.") and "Article 47" in en.text


def test_cli_json_carries_answerable(built_index, tmp_path):
    settings = built_index[0]
    env = {"KB_INDEX_DIR": str(settings.index_dir), "KB_CRAWLED_DIR": str(settings.crawled_dir),
           "PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    questions = tmp_path / "q.jsonl"
    questions.write_text("\n".join(json.dumps({"question": q}, ensure_ascii=False) for q in (
        "今天人民币兑美元的汇率是多少？", "深圳市对跨国公司地区总部的落户奖励最高给多少钱？")), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "knowledge_base", "search", "--json", "--questions",
                          str(questions)], capture_output=True, text=True, env=env, check=True, timeout=300)
    rows = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    assert [(r["answerable"], r["no_answer"]) for r in rows] == [("no", True), ("partial", False)]
    assert rows[1]["missing"]


def test_own_case_partial_answer_says_who_can_tell_the_state_of_the_file(kb):
    # Decided on the typed gap, not on the English wording of what is missing.
    for question, lang, advice in (
            ("我们公司上周提交的外商投资信息年度报告，现在审核到哪一步了？", "zh", "只有受理机关能够告知"),
            ("We submitted our annual investment report last week: has it been approved yet?", "en",
             "Only the office handling your matter")):
        resp = kb.search(question, lang=lang)
        assert (resp.answerable, resp.gap) == ("partial", "own_case"), (question, resp.answerable)
        assert advice in compose_answer(resp, lang).text
