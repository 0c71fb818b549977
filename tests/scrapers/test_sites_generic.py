"""GenericParser: a site configured by CSS selectors (hand-written fixtures, no network)."""
import pytest

from scrapers.sites.generic import GenericParser, GenericSelectors, labelled_value
from scrapers.types import ParseError
from helpers import REPO

FIXTURES = REPO / "tests" / "fixtures" / "sites" / "generic"
LIST_URL = "http://com.gd.gov.cn/zwgk/zcfg/index.html"
ARTICLE_URL = "http://com.gd.gov.cn/zwgk/zcfg/content/post_4301234.html"
# The sources.yaml entry of the brief, as yaml.safe_load returns it.
CONFIG = {
    "name": "guangdong-commerce",
    "parser": "generic",
    "hosts": ["com.gd.gov.cn"],
    "issuer": "广东省商务厅",
    "start_urls": [LIST_URL],
    "selectors": {"list_links": "ul.list li a", "next_page": "a.next", "title": "h1.title",
                  "body": "div.article-content", "publish_date": "span.date",
                  "doc_number": "span.docno"},
}


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.fixture
def parser():
    return GenericParser.from_config("guangdong-commerce", CONFIG)


def test_from_config(parser):
    assert parser.name == "guangdong-commerce"
    assert parser.default_issuer == "广东省商务厅"
    assert parser.selectors.next_page == "a.next" and parser.selectors.meta == ""
    assert parser.handles("http://com.gd.gov.cn/zwgk/zcfg/index.html")
    assert parser.handles("https://www.com.gd.gov.cn/x.html")
    assert not parser.handles("http://www.gd.gov.cn/")


def test_list_page_links_and_next_page(parser):
    page = parser.parse_list(fixture("list_1.html"), LIST_URL)
    # Relative, root-relative and absolute links resolved; the #top repeat and javascript: dropped.
    assert page.article_urls == (
        "http://com.gd.gov.cn/zwgk/zcfg/content/post_4301234.html",
        "http://com.gd.gov.cn/zwgk/zcfg/content/post_4301100.html",
        "http://com.gd.gov.cn/zwgk/zcfg/content/post_4300987.html",
    )
    assert page.next_url == "http://com.gd.gov.cn/zwgk/zcfg/index_2.html"


def test_last_list_page_next_link_to_itself_ends_the_crawl(parser):
    url = "http://com.gd.gov.cn/zwgk/zcfg/index_2.html"
    page = parser.parse_list(fixture("list_2.html"), url)
    assert page.article_urls == (
        "http://com.gd.gov.cn/zwgk/zcfg/content/post_4299876.html",
        "http://com.gd.gov.cn/zwgk/zcfg/content/post_4298765.html",
    )
    assert page.next_url is None


def test_next_page_falls_back_to_link_text():
    selectors = {k: v for k, v in CONFIG["selectors"].items() if k != "next_page"}
    parser = GenericParser("gd", ("com.gd.gov.cn",), "广东省商务厅", selectors)
    page = parser.parse_list(fixture("list_1.html"), LIST_URL)
    assert page.next_url == "http://com.gd.gov.cn/zwgk/zcfg/index_2.html"
    # "下一页 >" on the last page is found too, and recognised as pointing back at the page.
    html = fixture("list_2.html").replace('href="index_2.html">下一页', 'href="index_3.html">下一页')
    page = parser.parse_list(html, "http://com.gd.gov.cn/zwgk/zcfg/index_2.html")
    assert page.next_url == "http://com.gd.gov.cn/zwgk/zcfg/index_3.html"


def test_list_selector_matching_nothing_is_a_parse_error(parser):
    with pytest.raises(ParseError, match=r"list_links selector 'ul.list li a' matched nothing"):
        parser.parse_list("<html><body><p>维护中</p></body></html>", LIST_URL)


def test_article(parser):
    article = parser.parse_article(fixture("article.html"), ARTICLE_URL)
    assert article.title == "广东省商务厅关于做好2024年外商投资信息报告工作的通知"
    assert article.issuer == "广东省商务厅"
    assert article.doc_number == "粤商务资字〔2024〕3号"
    assert article.publish_date == "2024-01-05"
    assert article.written_date == "2024-01-03"  # from the signature date
    assert article.source_url == ARTICLE_URL
    # The title printed again at the head of the body is dropped.
    assert article.body.startswith("各地级以上市商务主管部门：")
    assert [c.label for c in article.clauses] == ["（一）", "（二）", "（三）"]
    assert article.clauses[0].heading.startswith("一、报告主体和时间")
    assert article.clauses[2].heading.startswith("二、工作要求")
    assert article.clauses[1].text == "当年设立的外商投资企业，自下一年起报送年度报告。"
    # Only the body's own PDF link: no attachments selector is configured.
    assert [(a.url, a.name, a.kind) for a in article.attachments] == [
        ("http://com.gd.gov.cn/attachment/0/512/512345/4301234.pdf",
         "外商投资信息报告常见问题解答.pdf", "pdf")]


def test_article_with_meta_issuer_and_attachment_selectors():
    selectors = dict(CONFIG["selectors"], meta="div.info", issuer="span.source",
                     attachments="div.fj", publish_date="span.nowhere", doc_number="span.none")
    parser = GenericParser("gd", ("com.gd.gov.cn",), "某省商务厅", selectors)
    article = parser.parse_article(fixture("article.html"), ARTICLE_URL)
    assert article.issuer == "广东省商务厅"  # "来源：广东省商务厅" read by the issuer selector
    # Field selectors that match nothing leave the metadata block's values.
    assert article.publish_date == "2024-01-05"
    assert article.doc_number == "粤商务资字〔2024〕3号"
    # Body and attachment block, without the repeated PDF.
    assert [a.kind for a in article.attachments] == ["pdf", "docx"]
    assert article.attachments[1].name == "2024年度报告填报说明.docx"


@pytest.mark.parametrize("key,selector,css_class", [("title", "h1.title", "title"),
                                                    ("body", "div.article-content",
                                                     "article-content")])
def test_article_without_title_or_body_is_a_parse_error(parser, key, selector, css_class):
    html = fixture("article.html").replace(f'class="{css_class}"', 'class="redesigned"')
    with pytest.raises(ParseError, match=rf"{key} selector '{selector}' matched nothing"):
        parser.parse_article(html, ARTICLE_URL)


@pytest.mark.parametrize("text,key,value", [
    ("发布时间：2024-01-05 10:30", "publish_date", "2024-01-05 10:30"),
    ("2024-01-05", "publish_date", "2024-01-05"),
    ("来源：广东省商务厅 发布时间：2024-01-05", "issuer", "广东省商务厅"),
    ("来源：广东省商务厅 发布时间：2024-01-05", "publish_date", "2024-01-05"),
    ("文号: 粤商务资字〔2024〕3号", "doc_number", "粤商务资字〔2024〕3号"),
    ("日期：2024年1月5日", "written_date", "2024年1月5日"),
])
def test_labelled_value(text, key, value):
    assert labelled_value(text, key) == value


def test_selector_errors_name_the_key():
    base = CONFIG["selectors"]
    with pytest.raises(ValueError, match="missing required selector key.*body"):
        GenericSelectors.from_dict({k: v for k, v in base.items() if k != "body"})
    with pytest.raises(ValueError, match="unknown selector key.*publish_time"):
        GenericSelectors.from_dict(dict(base, publish_time="span.date"))
    with pytest.raises(ValueError, match="selector 'title' is not valid CSS"):
        GenericSelectors.from_dict(dict(base, title="h1[class="))
    with pytest.raises(ValueError, match="selector 'meta' must be a string"):
        GenericSelectors.from_dict(dict(base, meta=["div.info"]))


def test_config_errors_name_the_source():
    with pytest.raises(ValueError, match="guangdong-commerce: missing 'hosts'"):
        GenericParser.from_config("guangdong-commerce", dict(CONFIG, hosts=[]))
    with pytest.raises(ValueError, match="guangdong-commerce: missing 'issuer'"):
        GenericParser.from_config("guangdong-commerce",
                                  {k: v for k, v in CONFIG.items() if k != "issuer"})
    with pytest.raises(ValueError, match="guangdong-commerce: unknown selector key.*titel"):
        GenericParser.from_config("guangdong-commerce",
                                  dict(CONFIG, selectors=dict(CONFIG["selectors"], titel="h1")))
    with pytest.raises(ValueError, match="not 'generic'"):
        GenericParser.from_config("guangdong-commerce", dict(CONFIG, parser="govcn"))
