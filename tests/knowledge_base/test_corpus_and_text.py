from knowledge_base.config import get_settings
from knowledge_base.corpus_loader import load_corpus
from knowledge_base.glossary import load_glossary
from knowledge_base.language import detect_language
from knowledge_base.text import normalize_query
from knowledge_base.tokenize import expand_query_tokens, tokenize
from knowledge_base.types import TOPICS
from helpers import REPO


def test_corpus_notice_and_guides():
    docs = {d.id: d for d in load_corpus(get_settings().corpus_dir)}
    notice = docs["mofcom-2020-04-01"]
    assert notice.title == "商务部关于应对疫情进一步改革开放做好稳外资工作的通知"
    assert notice.issuer == "商务部" and notice.date == "2020-04-01" and notice.status == "current"
    assert len(notice.clauses) == 24
    assert all(c.title_en and c.summary_en for c in notice.clauses)
    assert {c.heading.split(" > ")[0] for c in notice.clauses} >= {"五、持续优化外商投资环境"}
    guides = [d for d in docs.values() if d.kind == "guide"]
    topics = {t for d in guides for c in d.clauses for t in c.topics}
    assert {"reinvestment", "negative_list", "encouraged_catalogue", "information_reporting",
            "complaints", "investment_law"} <= topics
    for guide in guides:
        for clause in guide.clauses:
            assert clause.text and clause.summary_en, clause.id
            assert clause.citations and clause.citations[0].title, clause.id
            assert isinstance(clause.verified, bool)
            assert set(clause.topics) <= set(TOPICS)


def test_language_detection():
    assert detect_language("境外投资者利润再投资可以递延纳税吗？") == "zh"
    assert detect_language("Can we defer withholding tax on reinvested profits?") == "en"
    assert detect_language("reinvestment 递延纳税需要什么条件") == "zh"
    assert detect_language("What is the 负面清单?") == "en"
    assert detect_language("？？？") == "zh"


def test_full_width_and_spacing_normalisation():
    assert normalize_query("ＦＴＺ　负面　清单") == "FTZ负面清单"
    assert normalize_query("  a\tb \n c ") == "a b c"


def test_glossary_expands_english_policy_terms():
    glossary = load_glossary()
    assert "负面清单" in glossary.expand("Is mining on the negative list?")
    assert "递延纳税" in glossary.expand("tax deferral for reinvested dividends")
    assert "自贸试验区" in glossary.expand("the FTZ list")
    # A phrase inside a longer one found does not count; overlapping phrases both do.
    assert "直接转入" not in glossary.expand("Can I freely transfer my profits out of China?")
    assert "直接转入" in glossary.expand("Must a cash transfer go between the two accounts?")
    assert glossary.expand("individual income tax on comprehensive income") == ["个人所得税", "综合所得"]
    assert {"企业所得税", "税率"} <= set(glossary.expand("the enterprise income tax rate"))
    # Noun phrases match their plurals; single words only as written.
    assert "信息报告" in glossary.expand("the penalty for late information reports")
    assert glossary.expand("on equal terms") == []
    tokens = expand_query_tokens("How do I file an annual report?")
    assert "年度报告" in tokens
    assert "外商投资企业" in expand_query_tokens("外企年报什么时候交")


def test_tokenizer_keeps_policy_terms_whole():
    tokens = tokenize("外商投资准入负面清单和鼓励外商投资产业目录")
    assert "负面清单" in tokens and "鼓励外商投资产业目录" in tokens
    assert tokenize("🙂！？") == []


def test_the_cjk_range_is_written_once():
    """Tokens, the has-words check and the spacing repair all build on knowledge_base.text's range."""
    from knowledge_base import search, text, tokenize

    repo = REPO
    written = sorted(str(p.relative_to(repo)) for package in ("knowledge_base", "bot", "actions", "scrapers")
                     for p in (repo / package).rglob("*.py") if r"\u3400-\u4dbf" in p.read_text(encoding="utf-8"))
    assert written == ["knowledge_base/text.py"]
    for pattern in (text._CJK_CHAR, tokenize._TOKEN, search._HAS_WORDS):
        assert text.CJK_IDEOGRAPHS in pattern.pattern
    assert text.is_cjk("中") and text.is_cjk("㐀") and text.is_cjk("豈") and not text.is_cjk("。")
    assert tokenize._TOKEN.findall("外资 FDI 25%") == ["外资", "FDI", "25%"]
