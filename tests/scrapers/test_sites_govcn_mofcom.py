"""The gov.cn and MOFCOM site parsers, on our hand-written fixtures (tests/fixtures/sites/) and on
the real gov.cn fragments kept in ../shared/real-pages/ (skipped when that folder is absent)."""
from __future__ import annotations

import pytest

from scrapers.sites.govcn import GovCnParser
from scrapers.sites.mofcom import MofcomParser
from scrapers.types import ParseError
from helpers import REPO

FIXTURES = REPO / "tests" / "fixtures" / "sites"
REAL_PAGES = REPO.parent / "shared" / "real-pages"
LOOP = "http://127.0.0.1:8765"  # the tests' fixture server; the host only picks a parser


def fixture(site: str, name: str) -> str:
    return (FIXTURES / site / name).read_text(encoding="utf-8")


def labels(article) -> list[str]:
    return [c.label for c in article.clauses]


# ---- gov.cn ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def govcn():
    return GovCnParser()


def test_govcn_parser_identity(govcn):
    assert (govcn.name, govcn.default_issuer) == ("govcn", "国务院")
    assert govcn.handles("http://www.gov.cn/zhengce/content/2019-01/25/content_5361158.htm")
    assert govcn.handles("https://gov.cn/zhengce/zuixin.htm")


def test_govcn_2019_template_article(govcn):
    url = f"{LOOP}/zhengce/content/2019-03/08/content_5371234.htm"
    article = govcn.parse_article(fixture("govcn", "article_2019.html"), url)
    assert article.title == "国务院关于扩大对外开放积极利用外资若干措施的通知"
    assert article.issuer == "国务院"
    assert article.doc_number == "国发〔2019〕5号"
    assert (article.written_date, article.publish_date) == ("2019-03-01", "2019-03-08")
    assert article.index_number == "000014349/2019-00021"
    assert article.subject == "商贸、海关、旅游\\对外经贸合作"
    assert article.source_url == url
    # Sub-clauses restart under each bold section heading, which becomes their heading path.
    assert labels(article) == ["（一）", "（二）"] * 3
    first = article.clauses[0]
    assert first.heading.startswith("一、进一步减少外资准入限制")
    assert first.text.startswith("全面实施准入前国民待遇加负面清单管理制度。负面清单之外的领域")
    assert "政府采购依法对外商投资企业" in article.clauses[3].text
    # The title printed again at the head of the body and the page furniture stay out.
    assert not article.body.startswith("国务院关于扩大对外开放")
    assert "扫一扫" not in article.body and "打印" not in article.body
    # The signature and the publication note close the body but belong to no clause.
    assert "（此件公开发布）" not in article.body
    assert all("2019年3月1日" not in c.text for c in article.clauses)
    assert article.attachments == ()


def test_govcn_2024_template_article(govcn):
    url = f"{LOOP}/zhengce/content/202403/content_6940001.htm"
    article = govcn.parse_article(fixture("govcn", "article_2024.html"), url)
    assert article.title == "国务院办公厅关于印发《外商投资促进服务若干规定》的通知"
    assert article.issuer == "国务院办公厅"  # the table's 发文机关, not the site's default
    assert article.doc_number == "国办发〔2024〕12号"
    assert article.written_date == "2024-03-12"
    # 发布日期 is empty in the table: <meta name="firstpublishedtime"> gives it.
    assert article.publish_date == "2024-03-19"
    assert article.subject == "商贸、海关、旅游\\对外经贸合作"
    assert labels(article) == ["第一条", "第二条", "第三条", "第四条"]
    assert article.clauses[1].text.startswith("县级以上人民政府应当建立健全外商投资服务体系")
    # Only the first (PC) copy of #UCAP-CONTENT is read, not the mobile duplicate.
    assert "手机版副本" not in article.body
    (attachment,) = article.attachments
    assert attachment.url == f"{LOOP}/zhengce/content/202403/P020240319512345678901.pdf"
    assert (attachment.kind, attachment.name) == ("pdf", "外商投资促进服务事项清单.pdf")


def test_govcn_list_pages(govcn):
    page1 = govcn.parse_list(fixture("govcn", "list_1.html"), f"{LOOP}/zhengce/zuixin.htm")
    # The list's own entries, in order, de-duplicated; not the navigation's nor the sidebar's,
    # nor other sites', nor the 更多 link to the column itself.
    assert page1.article_urls == (
        f"{LOOP}/zhengce/content/2019-03/08/content_5371234.htm",
        "http://www.gov.cn/zhengce/content/2019-03/06/content_5371001.htm",
        f"{LOOP}/zhengce/2019-03/05/content_5370888.htm",
    )
    assert page1.next_url == f"{LOOP}/zhengce/zuixin_1.htm"

    page2 = govcn.parse_list(fixture("govcn", "list_2.html"), page1.next_url)
    assert page2.article_urls == (
        f"{LOOP}/zhengce/content/2019-02/28/content_5369001.htm",
        f"{LOOP}/zhengce/content/2019-02/25/content_5368002.htm",
    )
    assert page2.next_url is None


def test_govcn_json_column_list(govcn):
    # The current 最新政策 column is a JSON file with the whole list; no next page.
    url = "https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json"
    page = govcn.parse_list(fixture("govcn", "ZUIXINZHENGCE.json"), url)
    assert page.article_urls == (
        "https://www.gov.cn/zhengce/content/202403/content_6940001.htm",
        "https://www.gov.cn/zhengce/content/202403/content_6939950.htm",
    )
    assert page.next_url is None


def test_govcn_page_without_body_is_a_parse_error(govcn):
    with pytest.raises(ParseError, match="body"):
        govcn.parse_article(fixture("govcn", "list_1.html"), f"{LOOP}/zhengce/zuixin.htm")
    empty = ('<html><head><title>通知_中国政府网</title></head><body>'
             '<div class="pages_content" id="UCAP-CONTENT"><p>　</p></div></body></html>')
    with pytest.raises(ParseError):
        govcn.parse_article(empty, f"{LOOP}/zhengce/content/202403/content_1.htm")


# ---- the real gov.cn pages (README table of ../shared/real-pages) --------------------------------

REAL = [
    ("govcn-fragment-2019-content_5361158.html",
     "http://www.gov.cn/zhengce/content/2019-01/25/content_5361158.htm",
     "国务院关于促进综合保税区高水平开放高质量发展的若干意见", "国发〔2019〕3号",
     "2019-01-12", "2019-01-25", ["一、", "（一）", "（二）", "（三）", "（四）", "三、", "（一）"]),
    ("govcn-fragment-2018-content_5342665.html",
     "http://www.gov.cn/zhengce/content/2018-11/23/content_5342665.htm",
     "国务院关于支持自由贸易试验区深化改革创新若干措施的通知", "国发〔2018〕38号",
     "2018-11-07", "2018-11-23", ["（一）", "（二）", "（三）"]),
    ("govcn-fragment-2018-content_5351177.html",
     "http://www.gov.cn/zhengce/content/2018-12/22/content_5351177.htm",
     "中华人民共和国个人所得税法实施条例", "国令第707号",
     "2018-12-18", "2018-12-22", ["第一条", "第二条", "第三条"]),
]


@pytest.mark.parametrize("name, url, title, number, written, published, first_labels", REAL,
                         ids=[r[0] for r in REAL])
def test_govcn_real_pages(govcn, name, url, title, number, written, published, first_labels):
    path = REAL_PAGES / name
    if not path.exists():
        pytest.skip(f"real page not available: {path}")
    article = govcn.parse_article(path.read_text(encoding="utf-8"), url)
    assert article.title == title
    assert article.issuer == "国务院"
    assert article.doc_number == number
    assert (article.written_date, article.publish_date) == (written, published)
    assert article.index_number.startswith("000014349/")
    assert labels(article)[:len(first_labels)] == first_labels
    assert all(c.text for c in article.clauses)


def test_govcn_real_pages_clause_contents(govcn):
    path = REAL_PAGES / "govcn-fragment-2018-content_5351177.html"
    if not path.exists():
        pytest.skip(f"real page not available: {path}")
    article = govcn.parse_article(path.read_text(encoding="utf-8"),
                                  "http://www.gov.cn/zhengce/content/2018-12/22/content_5351177.htm")
    assert labels(article)[-1] == "第三十六条"
    assert article.clauses[0].text.startswith("根据《中华人民共和国个人所得税法》")
    assert article.clauses[-1].text == "本条例自2019年1月1日起施行。"
    # The （一）…（五） list inside 第三条 stays in its article.
    assert "（一）因任职、受雇、履约等在中国境内提供劳务取得的所得" in article.clauses[2].text


# ---- MOFCOM ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def mofcom():
    return MofcomParser()


def test_mofcom_parser_identity(mofcom):
    assert (mofcom.name, mofcom.default_issuer) == ("mofcom", "商务部")
    assert mofcom.handles("https://www.mofcom.gov.cn/zcfb/index.html")


def test_mofcom_gbk_article(mofcom):
    raw = (FIXTURES / "mofcom" / "article_gbk.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the fixture really is GBK
    url = f"{LOOP}/zcfb/zc/art/2024/art_0a1b2c3d4e5f60718293a4b5c6d7e8f9.html"
    article = mofcom.parse_article(raw.decode("gb18030"), url)
    assert article.title == "商务部令2024年第3号 外商投资信息报告办法（修订）"
    assert article.issuer == "商务部"
    assert article.doc_number == "商务部令2024年第3号"
    assert article.written_date == "2024-04-30"  # 【发文日期】
    assert article.publish_date == "2024-05-06"  # <meta name="PubDate">
    assert labels(article) == ["第一条", "第二条", "第三条", "第四条"]
    assert article.clauses[0].heading == "第一章总则"
    assert article.clauses[2].heading == "第二章报告主体与内容"
    assert article.clauses[1].text.startswith("外国投资者直接或者间接在中国境内进行投资活动")
    # The particulars block is metadata, not body text.
    assert "【发布单位】" not in article.body
    assert [(a.url, a.name, a.kind) for a in article.attachments] == [
        (f"{LOOP}/cms_files/filemanager/1/2024/05/外商投资信息报告表.pdf",
         "附件1：外商投资信息报告表（格式）", "pdf"),
        (f"{LOOP}/cms_files/filemanager/1/2024/05/说明.docx", "附件2：填报说明.docx", "docx"),
    ]  # the sidebar's old PDF is not one of them


def test_mofcom_old_article(mofcom):
    url = "http://www.mofcom.gov.cn/article/b/c/201903/20190302841111.shtml"
    article = mofcom.parse_article(fixture("mofcom", "article_old.html"), url)
    assert article.title == "商务部公告2019年第16号 关于外商投资企业设立及变更备案有关事项的公告"
    assert article.issuer == "商务部"
    assert article.doc_number == "商务部公告2019年第16号"
    assert (article.written_date, article.publish_date) == ("2019-03-18", "2019-03-20")
    assert labels(article) == ["一、", "二、", "三、"]
    assert article.clauses[1].text == "外商投资企业应当在营业执照签发后30日内办理备案手续。"
    assert "【发布文号】" not in article.body
    assert article.attachments == ()


def test_mofcom_list_pages(mofcom):
    page = mofcom.parse_list(fixture("mofcom", "list_1.html"), f"{LOOP}/zcfb/index.html")
    assert page.article_urls == (
        f"{LOOP}/zcfb/zc/art/2024/art_0a1b2c3d4e5f60718293a4b5c6d7e8f9.html",
        "https://www.mofcom.gov.cn/zcfb/zc/art/2024/art_1b2c3d4e5f60718293a4b5c6d7e8f90a.html",
        f"{LOOP}/zcfb/zc/art/2024/art_2c3d4e5f60718293a4b5c6d7e8f90a1b.html",
    )
    assert page.next_url == f"{LOOP}/zcfb/index_2.html"

    old = mofcom.parse_list(fixture("mofcom", "list_old.html"),
                            "http://www.mofcom.gov.cn/article/b/c/")
    assert old.article_urls == (
        "http://www.mofcom.gov.cn/article/b/c/201903/20190302841111.shtml",
        "http://www.mofcom.gov.cn/article/b/c/201902/20190202835555.shtml",
    )
    assert old.next_url is None


def test_mofcom_list_api_pagination(mofcom):
    # The list API answers {"data": {"html": …}}; its pager says page 2 of 40 rows by 15.
    api = ("https://www.mofcom.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit"
           "?pageType=column&tagId=%E5%88%86%E9%A1%B5%E5%88%97%E8%A1%A8"
           "&paramJson=%7B%22pageNo%22%3A+2%2C+%22pageSize%22%3A+15%7D")
    page = mofcom.parse_list(fixture("mofcom", "list_api_page2.json"), api)
    assert page.article_urls == (
        "https://www.mofcom.gov.cn/zcfb/zc/art/2024/art_3d4e5f60718293a4b5c6d7e8f90a1b2c.html",
        "https://www.mofcom.gov.cn/zcfb/zc/art/2024/art_4e5f60718293a4b5c6d7e8f90a1b2c3d.html",
    )
    assert page.next_url is not None
    assert "tagId=%E5%88%86%E9%A1%B5%E5%88%97%E8%A1%A8" in page.next_url  # the rest is kept
    assert "%22pageNo%22%3A+3" in page.next_url
    last = fixture("mofcom", "list_api_page2.json").replace('pageNo=\\"2\\"', 'pageNo=\\"3\\"')
    assert mofcom.parse_list(last, api).next_url is None  # 3 × 15 ≥ 40


def test_mofcom_page_without_body_is_a_parse_error(mofcom):
    with pytest.raises(ParseError, match="body"):
        mofcom.parse_article(fixture("mofcom", "list_1.html"), f"{LOOP}/zcfb/index.html")
