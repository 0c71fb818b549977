"""Search with the real model over a real index built for this session."""
import pytest

from knowledge_base.errors import BadQuestionError
from knowledge_base.types import SearchResult

CONTRACT = ["doc_id", "doc_title", "issuer", "doc_number", "date", "label", "heading", "text",
            "summary_en", "source_url", "score"]


def test_chinese_question_finds_notice_clause(kb):
    resp = kb.search("外资企业复工复产遇到困难，政府怎么帮？")
    assert resp.lang == "zh" and not resp.no_answer
    top = resp.results[0]
    assert top.doc_title.endswith("稳外资工作的通知") and top.label in ("（二）", "（一）")


def test_english_question_finds_chinese_clause(kb):
    resp = kb.search("Is MOFCOM still approving the establishment of foreign-invested enterprises?")
    assert resp.lang == "en" and not resp.no_answer
    labels = [(r.label, r.doc_id) for r in resp.results[:3]]
    assert ("（十）", "mofcom-2020-04-01") in labels or any("审批" in r.label for r in resp.results[:3])


def test_reinvestment_question_finds_guide_with_citation(kb):
    resp = kb.search("Can a foreign investor defer withholding tax on profits reinvested in China?")
    top = resp.results[0]
    assert "利润再投资" in top.doc_title
    assert "财税〔2018〕102号" in top.doc_number
    assert top.summary_en


def test_contract_fields_exact(kb):
    data = kb.search("负面清单有多少条", top_k=3).to_contract()
    assert list(data) == ["query", "lang", "no_answer", "answerable", "missing", "results"]
    assert len(data["results"]) == 3
    for result in data["results"]:
        assert list(result) == CONTRACT


def test_topic_filter(kb):
    resp = kb.search("有什么规定？", topic="complaints", top_k=5)
    assert resp.results and all("complaints" in r.topics for r in resp.results)


@pytest.mark.parametrize("question", ["🙂🙂🙂", "？？！！", "...", "👍🏻🎉"])
def test_punctuation_or_emoji_is_no_answer(kb, question):
    resp = kb.search(question)
    assert resp.no_answer and resp.results == ()


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_empty_question_is_refused(kb, question):
    with pytest.raises(BadQuestionError):
        kb.search(question)


def test_long_question_is_truncated_and_answered(kb):
    question = "外商投资信息报告的年度报告什么时候报送？" + "请详细说明。" * 500
    resp = kb.search(question)
    assert len(resp.query) == 2000
    assert any("2000" in w for w in resp.warnings)
    assert resp.results


@pytest.mark.parametrize("question", ["明天上海会下雨吗？", "Recommend a hotel near the Bund",
                                      "How do I renew my driving licence?"])
def test_out_of_scope_is_no_answer(kb, question):
    assert kb.search(question).no_answer


def test_modes_rank_differently_but_share_the_contract(kb):
    responses = {mode: kb.search("自贸试验区负面清单", mode=mode) for mode in ("dense", "bm25", "hybrid")}
    # Differently: each mode ranks by its own score, and the orders are not all the same.
    for mode, resp in responses.items():
        scores = [r.score for r in resp.results]
        assert scores == sorted(scores, reverse=True), mode
    assert all(r.score == pytest.approx(r.dense) for r in responses["dense"].results)
    assert all(r.score == pytest.approx(r.bm25) for r in responses["bm25"].results)
    assert all(r.score not in (r.dense, r.bm25) for r in responses["hybrid"].results)
    orders = {mode: tuple(r.clause_id for r in resp.results) for mode, resp in responses.items()}
    assert len(set(orders.values())) >= 2, orders
    # The same contract: the same keys in the same order, the same query, language and length.
    contracts = {mode: resp.to_contract() for mode, resp in responses.items()}
    for mode, data in contracts.items():
        assert list(data) == ["query", "lang", "no_answer", "answerable", "missing", "results"], mode
        assert (data["query"], data["lang"], data["no_answer"]) == ("自贸试验区负面清单", "zh", False), mode
        assert len(data["results"]) == 5, mode
        assert all(list(r) == list(SearchResult.CONTRACT_FIELDS) for r in data["results"]), mode


def test_superseded_clause_ranks_below_current(kb):
    import copy
    import dataclasses

    from knowledge_base.search import KnowledgeBase

    question = "现行全国外资准入负面清单有多少条？"
    top = kb.search(question, top_k=2).results
    clauses = copy.deepcopy(kb.stored.clauses)
    for clause in clauses:
        if clause["clause_id"] == top[0].clause_id:
            clause["status"] = "superseded"
    stored = dataclasses.replace(kb.stored, clauses=clauses)
    aged = KnowledgeBase(kb.settings, stored, kb.embedder).search(question, top_k=5).results
    ranks = [r.clause_id for r in aged]
    assert top[0].clause_id in ranks  # still findable
    assert ranks.index(top[0].clause_id) > 0 and aged[ranks.index(top[0].clause_id)].status == "superseded"


def test_fast_query_path_matches_sentence_transformers(kb):
    embedder = kb.embedder
    assert embedder._fast_query is not None
    for text in ["负面清单有几条？", "How do I claim the reinvestment tax credit?"]:
        fast = embedder.queries([text])[0]
        reference = embedder._encode([embedder.query_prefix + text], batch_size=1)[0]
        assert float(fast @ reference) > 0.99999


def test_widen_leaves_a_wrong_topic_without_searching_again(kb, monkeypatch):
    question = "How do I file a complaint about a local government?"
    narrow = kb.search(question, topic="encouraged_catalogue")
    assert all("encouraged_catalogue" in r.topics for r in narrow.results)
    encode = kb.embedder.queries
    calls = []
    monkeypatch.setattr(kb.embedder, "queries", lambda texts: calls.append(texts) or encode(texts))
    widened = kb.search(question, topic="encouraged_catalogue", widen=True)
    assert len(calls) == 1  # one encoding for both rankings
    everywhere = kb.search(question)
    # A clause outside the topic is clearly better (or the topic gives no answer): look everywhere.
    assert not widened.no_answer and "complaints" in widened.results[0].topics
    assert [r.clause_id for r in widened.results] == [r.clause_id for r in everywhere.results]
    # A topic that answers is kept.
    kept = kb.search("外国投资者以分配利润直接投资", topic="reinvestment", widen=True)
    assert not kept.no_answer and all("reinvestment" in r.topics for r in kept.results)


def test_a_cut_question_is_reported(kb):
    resp = kb.search("外商投资法什么时候施行？" + "详" * 3000)
    assert resp.truncated and not kb.search("外商投资法什么时候施行？").truncated
