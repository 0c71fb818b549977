"""The national laws in the index: law questions find their articles, curated answers keep
winning theirs (test_eval.py), and questions far from policy still get no answer."""
import pytest

from knowledge_base.evaluate import evaluate, load_questions
from helpers import REPO

EVAL = REPO / "tests" / "eval"
LAWS_DEV = EVAL / "laws_dev.jsonl"


@pytest.fixture(scope="module")
def law_kb(kb):
    if not any(c["kind"] == "law" for c in kb.stored.clauses):
        pytest.fail("The index holds no law: run `make index` (it imports the default laws).")
    return kb


def test_law_dev_set_targets(law_kb):
    report = evaluate(law_kb, load_questions(LAWS_DEV), modes=("hybrid",))[0]
    scores = {lang: s.as_dict() for lang, s in report.by_lang.items()}
    # Chinese questions find the article; English ones are the hard part (README, "Evaluation"):
    # these floors guard what is reached today.
    assert scores["zh"]["hit@1"] >= 0.70 and scores["zh"]["hit@3"] >= 0.80, scores
    assert scores["en"]["hit@1"] >= 0.45 and scores["en"]["hit@3"] >= 0.65, scores
    assert report.no_answer()["answerable_flagged_rate"] <= 0.05, report.no_answer()


@pytest.mark.parametrize("question", [
    "明天北京天气怎么样？", "今晚国足比赛几点开始？", "周末去三亚旅游有什么推荐的景点？", "红烧肉怎么做才好吃？",
    "What's the weather like in Shanghai tomorrow?", "Who won the football match last night?",
    "Recommend a hotel for my holiday in Guilin", "How do I cook dumplings?",
])
def test_far_off_questions_are_not_answered_by_some_article(law_kb, question):
    assert law_kb.search(question).no_answer


def test_law_question_is_answered_with_the_article_and_its_law(law_kb):
    top = law_kb.search("有限责任公司股东认缴的出资要在几年内缴足").results[0]
    assert (top.kind, top.doc_title, top.label) == ("law", "中华人民共和国公司法", "第四十七条")
    assert top.effective_date == "2024-07-01" and top.status == "current"


@pytest.mark.parametrize("question, title, label", [
    # The issue's own examples, as an English-speaking investor asks them.
    ("Can I freely transfer my profits out of China?", "中华人民共和国外商投资法", "第二十一条"),
    ("What is the standard corporate income tax rate?", "中华人民共和国企业所得税法", "第四条"),
    ("Within how many years must shareholders pay in their subscribed capital?", "中华人民共和国公司法", "第四十七条"),
])
def test_english_law_questions_are_answered_with_the_article(law_kb, question, title, label):
    top = law_kb.search(question).results[0]
    assert (top.kind, top.doc_title, top.label) == ("law", title, label)
