"""compose_answer: the quote, its citation, the English gloss first for English readers."""
from knowledge_base.answer import compose_answer


def test_chinese_answer_quotes_and_cites(kb):
    resp = kb.search("外资准入负面清单之外的领域有没有单独针对外资的限制？", top_k=3)
    answer = compose_answer(resp, "zh")
    assert not answer.no_answer
    top = resp.results[0]
    assert f"“{top.text}”" in answer.text
    assert answer.text.startswith(("根据", "注意"))
    assert len(answer.sources) == 3 and answer.sources[0].label == top.label
    payload = answer.payload()
    assert payload["type"] == "answer" and payload["lang"] == "zh"
    assert set(payload["sources"][0]) == {"doc_title", "label", "doc_number", "date", "source_url"}


def test_english_answer_puts_summary_before_chinese_original(kb):
    resp = kb.search("What does the 2020 MOFCOM notice say about the information reporting measures?")
    answer = compose_answer(resp, "en")
    summary = resp.results[0].summary_en
    assert summary and answer.text.index(summary) < answer.text.index("Chinese original")


def test_guide_entries_are_not_presented_as_official_text(kb):
    resp = kb.search("利润再投资递延纳税需要满足哪些条件？")
    top = resp.results[0]
    assert top.kind == "guide"
    assert "本助手据官方文件整理的指南" in compose_answer(resp, "zh").text


def test_unverified_entry_carries_a_caveat(kb):
    unverified = next(c for c in kb.stored.clauses if not c["verified"])
    resp = kb.search(unverified["text"][:60])
    hit = next(r for r in resp.results if r.label == unverified["label"])
    from knowledge_base.types import SearchResponse
    answer = compose_answer(SearchResponse(query="q", lang="zh", no_answer=False, results=(hit,)), "zh")
    assert "尚待官方文本核实" in answer.text


def test_no_answer_composes_nothing(kb):
    answer = compose_answer(kb.search("🙂"), "en")
    assert answer.no_answer and answer.text == "" and answer.sources == ()
