"""The NDRC, SAT and Invest-in-China parsers against hand-written fixtures of their page structures."""
from __future__ import annotations

import pytest

from scrapers.sites.fdi import FdiPortalParser, metadata_line
from scrapers.sites.ndrc import NdrcParser, create_page_next
from scrapers.sites.sat import SatParser
from scrapers.types import ParseError
from helpers import REPO

FIXTURES = REPO / "tests" / "fixtures" / "sites"
NDRC_LIST = "https://www.ndrc.gov.cn/xxgk/zcfb/fzggwl/"
NDRC_ORDER = "https://www.ndrc.gov.cn/xxgk/zcfb/fzggwl/202409/t20240908_1392000.html"
SAT_LIST = "https://www.chinatax.gov.cn/chinatax/n810341/n810755/index.html"
SAT_ARTICLE = "https://www.chinatax.gov.cn/chinatax/n810341/n810755/c5236001/content.html"
FGK_LIST = "https://fgk.chinatax.gov.cn/zcfgk/c100012/listflfg.html"
FGK_ARTICLE = "https://fgk.chinatax.gov.cn/zcfgk/c100012/c5194226/content.html"
FDI_LIST = "http://www.fdi.gov.cn/1800000121_39_2_7.html"
FDI_ARTICLE = "http://www.fdi.gov.cn/1800000121_39_5012_0_7.html"


def read(site: str, name: str) -> str:
    return (FIXTURES / site / name).read_text(encoding="utf-8")


def labels(article) -> list[str]:
    return [c.label for c in article.clauses]


# --- NDRC ---------------------------------------------------------------------------------------

def test_ndrc_handles_its_hosts_only():
    parser = NdrcParser()
    assert parser.handles(NDRC_ORDER) and parser.handles("http://ndrc.gov.cn/xxgk/")
    assert not parser.handles("https://www.chinatax.gov.cn/")


def test_ndrc_list_skips_interpretations_and_follows_create_page_html():
    page = NdrcParser().parse_list(read("ndrc", "index.html"), NDRC_LIST)
    assert page.article_urls == (
        "https://www.ndrc.gov.cn/xxgk/zcfb/fzggwl/202409/t20240908_1392000.html",
        "https://www.ndrc.gov.cn/xxgk/zcfb/fzggwl/202412/t20241226_1395108.html",
        "https://www.ndrc.gov.cn/xxgk/zcfb/fzggwl/202311/t20231229_1362999.html",
    )
    assert page.next_url == "https://www.ndrc.gov.cn/xxgk/zcfb/fzggwl/index_1.html"


def test_ndrc_second_list_page():
    page = NdrcParser().parse_list(read("ndrc", "index_1.html"), NDRC_LIST + "index_1.html")
    assert page.article_urls == (
        "https://www.ndrc.gov.cn/xxgk/zcfb/fzggwl/202110/t20211027_1301234.html",
        "https://www.ndrc.gov.cn/xxgk/zcfb/fzggwl/202012/t20201219_1253188.html",
    )
    assert page.next_url == NDRC_LIST + "index_2.html"


@pytest.mark.parametrize("script, expected", [
    ('createPageHTML(3, 2, "index", "html");', None),  # the last of three pages
    ('createPageHTML(1, 0, "index", "html");', None),  # a single page
    ("createPageHTML('page_div', 5, 0, 'index', 'shtml', 20);", NDRC_LIST + "index_1.shtml"),
    ("no pagination here", None),
])
def test_create_page_html_variants(script, expected):
    assert create_page_next(script, NDRC_LIST + "index.html") == expected


def test_ndrc_order_article():
    article = NdrcParser().parse_article(read("ndrc", "t20240908_1392000.html"), NDRC_ORDER)
    assert article.title == "《外商投资准入特别管理措施（负面清单）（2024年版）》 2024年第23号令"
    assert article.issuer == "国家发展和改革委员会"
    assert article.doc_number == "国家发展改革委令2024年第23号"
    assert article.publish_date == "2024-09-08"
    assert article.written_date == "2024-09-06"  # the signature date closing the order
    assert article.source_url == NDRC_ORDER
    assert labels(article) == ["一、", "二、", "三、"]
    assert article.clauses[0].text == ("负面清单之外的领域，按照内外资一致原则实施管理。"
                                       "境外投资者不得投资负面清单中禁止外商投资的领域。")
    assert article.clauses[2].text.startswith("《外商投资准入特别管理措施（负面清单）（2021年版）》")
    # The list itself is published as attachments beside the body, not inside it.
    assert [(a.url, a.kind) for a in article.attachments] == [
        ("https://www.ndrc.gov.cn/xxgk/zcfb/fzggwl/202409/P020240908530000000001.pdf", "pdf"),
        ("https://www.ndrc.gov.cn/xxgk/zcfb/fzggwl/202409/P020240908530000000002.ofd", "ofd"),
    ]
    assert article.attachments[0].name == "外商投资准入特别管理措施（负面清单）（2024年版）.pdf"
    # Navigation, print buttons and the related-interpretation box stay out of the body.
    assert "打印" not in article.body and "答记者问" not in article.body


def test_ndrc_page_without_body_is_rejected():
    with pytest.raises(ParseError, match="no article body"):
        NdrcParser().parse_article(read("ndrc", "no_body.html"), NDRC_LIST + "zt/index.html")


# --- SAT ----------------------------------------------------------------------------------------

def test_sat_handles_both_sites():
    parser = SatParser()
    assert parser.handles(SAT_ARTICLE) and parser.handles(FGK_ARTICLE)
    assert not parser.handles(NDRC_ORDER)


def test_sat_list_with_next_link():
    page = SatParser().parse_list(read("sat", "list.html"), SAT_LIST)
    assert page.article_urls == (
        "http://www.chinatax.gov.cn/chinatax/n810341/n810755/c5236001/content.html",
        "https://www.chinatax.gov.cn/chinatax/n810341/n810755/c5235876/content.html",
    )
    assert page.next_url == ("https://www.chinatax.gov.cn/chinatax/whmanuscriptList/n810755"
                             "?_isAgg=0&_pageSize=20&_template=index&page=2")


def test_fgk_list_last_page_has_no_next():
    page = SatParser().parse_list(read("sat", "list_last.html"), FGK_LIST)
    assert page.article_urls == (
        "https://fgk.chinatax.gov.cn/zcfgk/c100012/c5194226/content.html",
        "https://fgk.chinatax.gov.cn/zcfgk/c100012/c5194100/content.html",
    )
    assert page.next_url is None  # the 下一页 link is a disabled javascript: one


def test_sat_gbk_announcement():
    raw = (FIXTURES / "sat" / "content_gbk.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the fixture really is GBK
    article = SatParser().parse_article(raw.decode("gb18030"), SAT_ARTICLE)
    assert article.title == "国家税务总局关于优化外商投资企业涉税事项办理的公告"
    assert article.issuer == "国家税务总局"
    assert article.doc_number == "国家税务总局公告2025年第2号"
    assert article.publish_date == "2025-02-08"
    assert article.written_date == "2025-02-07"
    assert labels(article) == ["（一）", "（二）", "（一）", "（二）"]
    assert [c.heading.split(" > ")[0] for c in article.clauses] == [
        "一、简化办理流程", "一、简化办理流程", "二、加强服务保障", "二、加强服务保障"]
    assert article.clauses[0].text.startswith("外商投资企业办理税务登记信息变更")
    assert [(a.url, a.kind) for a in article.attachments] == [
        ("https://www.chinatax.gov.cn/chinatax/n810341/n810755/c5236001/"
         "P020250208399000000001.docx", "docx")]


def test_fgk_notice_with_metadata_block():
    article = SatParser().parse_article(read("sat", "fgk_content.html"), FGK_ARTICLE)
    assert article.title.startswith("财政部 税务总局 商务部关于扩大境外投资者以分配利润直接投资")
    assert article.issuer == "财政部 税务总局 商务部"
    assert article.doc_number == "财税〔2018〕102号"
    assert article.publish_date == "2018-09-29"
    assert article.written_date == "2018-09-29"
    # 二、's own sentence is a clause: text under a heading is never dropped.
    assert labels(article) == ["1.", "2.", "二、", "1.", "2."]
    assert [article.clauses[i].heading.split(" > ")[0] for i in (0, 3)] == [
        "一、境外投资者暂不征收预提所得税须同时满足以下条件：",
        "二、境外投资者符合本通知规定条件的，应按照税收管理要求进行申报并如实向利润分配企业提供其符合政策条件的资料。",
    ]
    assert article.clauses[4].text.startswith("境外投资者按照本通知规定可以享受暂不征收预提所得税政策")
    assert article.attachments == ()


def test_sat_page_without_body_is_rejected():
    html = "<html><head><title>搜索结果_国家税务总局</title></head><body><h1>搜索结果</h1></body></html>"
    with pytest.raises(ParseError, match="no article body"):
        SatParser().parse_article(html, "https://www.chinatax.gov.cn/s?wd=x")


# --- Invest in China (fdi.gov.cn) ---------------------------------------------------------------

def test_fdi_list():
    page = FdiPortalParser().parse_list(read("fdi", "list.html"), FDI_LIST)
    assert page.article_urls == (
        "http://www.fdi.gov.cn/1800000121_39_5012_0_7.html",
        "http://www.fdi.gov.cn/1800000121_39_4988_0_7.html",
        "http://www.fdi.gov.cn/1800000121_39_4869_0_7.html",
    )
    assert page.next_url == "http://www.fdi.gov.cn/1800000121_39_3_7.html"


def test_fdi_metadata_line_in_both_languages():
    assert metadata_line("颁布日期：2017-07-30  颁布文号：商务部令2017年第2号  颁布单位：中华人民共和国商务部") == {
        "publish_date": "2017-07-30", "doc_number": "商务部令2017年第2号", "issuer": "中华人民共和国商务部"}
    english = metadata_line("Promulgation Date:2017-07-30  Promulgation Number:Decree No.2, 2017 of the "
                            "Ministry of Commerce  Promulgation Department:Ministry of Commerce")
    assert english["doc_number"] == "Decree No.2, 2017 of the Ministry of Commerce"
    assert english["issuer"] == "Ministry of Commerce"


def test_fdi_regulation_article():
    article = FdiPortalParser().parse_article(read("fdi", "article.html"), FDI_ARTICLE)
    assert article.title == "中华人民共和国外商投资法实施条例"
    assert article.issuer == "国务院"
    assert article.doc_number == "中华人民共和国国务院令第723号"
    assert article.publish_date == "2019-12-26"
    assert article.date == "2019-12-26"
    assert labels(article) == ["第一条", "第二条", "第三条", "第四条"]
    assert article.clauses[0].heading == "第一章总则"
    assert article.clauses[2].heading == "第二章投资促进"
    # The （一）（二） list stays inside its article.
    assert article.clauses[2].text.endswith("（一）依法公开相关政策；\n（二）为外商投资企业提供咨询、指导等服务。")
    assert [(a.url, a.kind, a.name) for a in article.attachments] == [
        ("http://www.fdi.gov.cn/uploadfile/2019/1227/P020191227001.pdf", "pdf", "条例全文.pdf")]


def test_fdi_page_without_body_is_rejected():
    html = ('<html><body><h1 class="detail-title">中华人民共和国外商投资法</h1>'
            '<p class="detail-info">颁布日期：2019-03-15</p></body></html>')
    with pytest.raises(ParseError, match="no article body"):
        FdiPortalParser().parse_article(html, FDI_ARTICLE)
    with pytest.raises(ParseError):  # a list page is not an article either
        FdiPortalParser().parse_article(read("fdi", "list.html"), FDI_LIST)
