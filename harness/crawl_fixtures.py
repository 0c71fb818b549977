"""Our own fixture pages for the crawler, in the structure of the State Council policy library
(2018-2019 template: a `table.bd1` metadata table and the body in `td#UCAP-CONTENT`), served by
fixture_site on 127.0.0.1. The policy texts are written for the tests."""
from __future__ import annotations

from dataclasses import dataclass

from harness.fixture_site import FixtureSite, Route
from harness.pdf_fixture import make_pdf

ROBOTS = "User-agent: *\nDisallow: /private/\nAllow: /\n"


@dataclass(frozen=True)
class Article:
    path: str
    title: str
    issuer: str
    doc_number: str
    written: str  # 2019年03月01日
    published: str
    paragraphs: tuple[str, ...]
    attachment: str = ""  # path of a PDF attachment


def article_html(a: Article, charset: str = "utf-8") -> str:
    body = "".join(f"<p style=\"text-indent: 2em;\">{p}</p>" for p in a.paragraphs)
    link = (f'<p><a href="{a.attachment}">附件：{a.title}（全文）.pdf</a></p>' if a.attachment else "")
    return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{a.title}_政府信息公开专栏</title></head>
<body><div class="wrap">
<table class="bd1"><tbody>
<tr><td><b>索 引 号：</b></td><td>000014349/2019-00099</td><td><b>主题分类：</b></td><td>商贸、海关、旅游\\对外经贸合作</td></tr>
<tr><td><b>发文机关：</b></td><td>{a.issuer}</td><td><b>成文日期：</b></td><td>{a.written}</td></tr>
<tr><td><b>标　　题：</b></td><td colspan="3">{a.title}</td></tr>
<tr><td><b>发文字号：</b></td><td>{a.doc_number}</td><td><b>发布日期：</b></td><td>{a.published}</td></tr>
</tbody></table>
<table><tbody><tr><td class="b12c" id="UCAP-CONTENT">
<p style="text-align: center;"><span style="font-weight: bold;">{a.title}</span></p>
<p style="text-align: center;">{a.doc_number}</p>
<p>各省、自治区、直辖市人民政府，国务院各部委、各直属机构：</p>
{body}{link}
<p style="text-align: right;">{a.issuer}</p>
<p style="text-align: right;">{a.written.replace("年0", "年").replace("月0", "月")}</p>
</td></tr></tbody></table></div></body></html>"""


def list_html(items: list[tuple[str, str]], next_path: str = "") -> str:
    lis = "".join(f'<li><h4><a href="{path}" target="_blank">{title}</a>'
                  f'<span class="date">2019-03-01</span></h4></li>' for path, title in items)
    nxt = f'<a class="next" href="{next_path}">下一页</a>' if next_path else ""
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>最新政策</title></head>
<body><div class="list list_1 list_2"><ul>{lis}</ul></div>
<div class="page">{nxt}</div></body></html>"""


OPENING = Article(
    path="/zhengce/content/2019-03/05/content_1000001.htm",
    title="国务院关于进一步扩大对外开放积极利用外资的若干措施",
    issuer="国务院", doc_number="国发〔2019〕101号",
    written="2019年03月01日", published="2019年03月05日",
    paragraphs=(
        "为进一步扩大对外开放，积极利用外资，现提出以下措施。",
        "一、放宽市场准入",
        "（一）全面实施准入前国民待遇加负面清单管理制度，负面清单之外的领域按照内外资一致原则管理。",
        "（二）外国投资者以分配利润直接投资，符合条件的暂不征收预提所得税。",
        "二、优化投资服务",
        "（三）各地区要建立外商投资企业投诉工作机制，及时回应和解决外商投资企业反映的问题。",
    ),
)
REPORTING = Article(
    path="/zhengce/content/2019-03/06/content_1000002.htm",
    title="商务部关于外商投资信息报告有关事项的公告",
    issuer="商务部", doc_number="商务部公告2019年第62号",
    written="2019年12月30日", published="2019年12月31日",
    paragraphs=(
        "根据《外商投资法》及其实施条例，现就外商投资信息报告有关事项公告如下：",
        "一、外国投资者或者外商投资企业应当通过企业登记系统以及国家企业信用信息公示系统报送投资信息。",
        "二、外商投资企业应当于每年1月1日至6月30日报送上一年度的年度报告。",
    ),
)
ENCOURAGED_GBK = Article(
    path="/zhengce/content/2019-03/07/content_1000003.htm",
    title="鼓励外商投资产业目录（2019年版）的说明",
    issuer="国家发展和改革委员会", doc_number="国家发展改革委 商务部令第27号",
    written="2019年06月30日", published="2019年07月01日",
    paragraphs=(
        "第一条 为引导外商投资方向，制定本目录。",
        "第二条 属于本目录的外商投资项目，可以依照法律、行政法规或者国务院的规定享受优惠待遇。",
        "第三条 本目录自2019年7月30日起施行。",
    ),
)
NEGATIVE_LIST_PDF = Article(
    path="/zhengce/content/2019-03/08/content_1000004.htm",
    title="外商投资准入特别管理措施（负面清单）（2019年版）",
    issuer="国家发展和改革委员会", doc_number="国家发展改革委 商务部令第25号",
    written="2019年06月30日", published="2019年06月30日",
    paragraphs=("现发布《外商投资准入特别管理措施（负面清单）（2019年版）》，自2019年7月30日起施行。",),
    attachment="/files/2019/negative-list-2019.pdf",
)
RETRY = Article(
    path="/zhengce/content/2019-03/09/content_1000005.htm",
    title="国务院办公厅关于外商投资企业复工复产的通知",
    issuer="国务院办公厅", doc_number="国办发〔2019〕55号",
    written="2019年03月09日", published="2019年03月10日",
    paragraphs=("一、各地要为外商投资企业复工复产提供便利。", "二、对重点外资项目实行专人服务。"),
)
MOVED = Article(
    path="/zhengce/content/2019-03/10/content_1000006.htm",
    title="国务院关于外商投资企业投诉工作的意见",
    issuer="国务院", doc_number="国发〔2019〕106号",
    written="2019年03月10日", published="2019年03月11日",
    paragraphs=("一、外商投资企业投诉工作机构应当在受理之日起60个工作日内办结投诉。",
                "二、投诉人对处理结果不满意的，可以依法申请行政复议或者提起行政诉讼。"),
)
PRIVATE = Article(
    path="/private/content_9.htm", title="内部草稿：外资政策（不应抓取）", issuer="国务院",
    doc_number="", written="2019年01月01日", published="2019年01月01日",
    paragraphs=("一、本页面被robots.txt禁止抓取。",),
)
PDF_LINES = [
    ["外商投资准入特别管理措施（负面清单）（2019年版）", "说明",
     "一、本清单统一列出股权要求、高管要求等外商投资准入方面的特别管理措施。",
     "二、境外投资者不得作为个体工商户、个人独资企业投资人从事投资经营活动。", "- 1 -"],
    ["三、外商投资企业在中国境内投资，应符合本清单的有关规定，其中的外资准入特别管理措施",
     "包括禁止投资和限制投资两类。", "- 2 -"],
]


def fixture_routes(site: FixtureSite) -> dict[str, Route]:
    b = site.base
    routes = {
        "/robots.txt": Route(ROBOTS.encode(), "text/plain"),
        "/zhengce/zuixin.htm": Route(list_html([
            (OPENING.path, OPENING.title), (REPORTING.path, REPORTING.title),
            (ENCOURAGED_GBK.path, ENCOURAGED_GBK.title)], "/zhengce/zuixin_1.htm").encode()),
        "/zhengce/zuixin_1.htm": Route(list_html([
            (NEGATIVE_LIST_PDF.path, NEGATIVE_LIST_PDF.title), (RETRY.path, RETRY.title),
            ("/zhengce/content/old/content_1000006.htm", MOVED.title),
            (PRIVATE.path, PRIVATE.title),
            ("/zhengce/content/2019-03/11/content_1000007.htm", "损坏的页面"),
            ("/zhengce/content/2019-03/12/content_1000008.htm", "超大的页面"),
        ]).encode()),
        OPENING.path: Route(article_html(OPENING).encode(), etag='"opening-1"'),
        REPORTING.path: Route(article_html(REPORTING).encode(),
                              last_modified="Tue, 31 Dec 2019 08:00:00 GMT"),
        ENCOURAGED_GBK.path: Route(article_html(ENCOURAGED_GBK, "gb2312").encode("gbk"),
                                   "text/html", etag='"encouraged-1"'),
        NEGATIVE_LIST_PDF.path: Route(article_html(NEGATIVE_LIST_PDF).encode(), etag='"neg-1"'),
        NEGATIVE_LIST_PDF.attachment: Route(make_pdf(PDF_LINES), "application/pdf", etag='"pdf-1"'),
        RETRY.path: Route(article_html(RETRY).encode(), etag='"retry-1"', fail_times=1),
        "/zhengce/content/old/content_1000006.htm": Route(redirect_to=b + MOVED.path),
        MOVED.path: Route(article_html(MOVED).encode(), etag='"moved-1"'),
        PRIVATE.path: Route(article_html(PRIVATE).encode()),
        # Malformed: a page that lost its article (an error template served with 200).
        "/zhengce/content/2019-03/11/content_1000007.htm": Route(
            b"<html><head><title></title></head><body><div class='err'><p>\xe7\xb3\xbb\xe7\xbb\x9f\xe7\xb9\x81\xe5\xbf\x99</p>"),
        # Oversized: above the cap the tests set (SCRAPER_MAX_BYTES=300000).
        "/zhengce/content/2019-03/12/content_1000008.htm": Route(
            article_html(OPENING).encode() + b"<!--" + b"x" * 400_000 + b"-->"),
    }
    return routes


EXPECTED_TITLES = {OPENING.title, REPORTING.title, ENCOURAGED_GBK.title, NEGATIVE_LIST_PDF.title,
                   RETRY.title, MOVED.title}
