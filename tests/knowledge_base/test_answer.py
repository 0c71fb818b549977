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


def _law_hit(kb, title_part: str, label: str):
    from knowledge_base.types import SearchResponse

    resp = kb.search(f"{title_part} {label}", top_k=20)
    hit = next(r for r in resp.results if title_part in r.doc_title and r.label == label)
    return hit, SearchResponse(query="q", lang="zh", no_answer=False, results=(hit,))


def test_law_answer_cites_article_dates_status_and_the_national_database(kb):
    hit, resp = _law_hit(kb, "企业所得税法", "第四条")
    assert hit.kind == "law" and "25％" in hit.text
    zh = compose_answer(resp, "zh").text
    assert "根据《中华人民共和国企业所得税法》第四条（施行日期2008-01-01，最近修改2018-12-29，现行有效）：" in zh
    assert f"“{hit.text}”" in zh
    assert "国家法律法规数据库：https://flk.npc.gov.cn/" in zh
    en = compose_answer(resp, "en").text
    assert en.startswith("According to the Enterprise Income Tax Law (中华人民共和国企业所得税法), "
                         "Article 4 (第四条; in force since 2008-01-01, last amended 2018-12-29, current):")
    # Our English title is labelled ours; the article itself is shown in Chinese, untranslated.
    assert "English title is our own rendering" in en and f"Chinese original: “{hit.text}”" in en


def test_law_revision_not_yet_in_force_says_so():
    from knowledge_base.answer import _caveats
    from knowledge_base.types import SearchResult

    future = SearchResult(doc_id="law-x", doc_title="中华人民共和国商标法", issuer="", doc_number="",
                          date="2026-06-26", label="第四十三条", heading="", text="……", summary_en="",
                          source_url="", score=1.0, kind="law", effective_date="2027-01-01")
    assert "2027-01-01起施行" in _caveats(future, "zh", today="2026-12-02")[0]
    assert "takes effect on 2027-01-01" in _caveats(future, "en", today="2026-12-02")[0]
    assert _caveats(future, "zh", today="2027-01-02") == []
