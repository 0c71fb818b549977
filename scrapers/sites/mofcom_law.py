"""商务部 law and regulation database (policy.mofcom.gov.cn, "全球法规网", 中国商务法规): laws,
regulations and departmental rules, one per `claw/clawContent.shtml?id=N` page.

The article template (as a page captured in September 2026 shows it): the <title> is the site's
name ("全球法规网-中国商务法规"), not the law's; the law's title is `h2.tit_08` inside
`div.conBox_01`, and a hidden `form#clawForm` repeats it (`input[name=title]`). Then come
`h3.tit_09` (【信息来源：…】, the database the text was taken from), the particulars in
`div.tableBox > table.table_01`, one `<span>【label】</span>value` per cell (发布部门, 发布文号,
效力级别, 时效状态, 发布日期, 实施日期, 法律话题, 产业领域; dates written 2018-12-29), and the
text in `div.article`: plain `<p>` paragraphs with no bold, blank `<p><br/></p>` between them, the
law's name and its adoption/amendment note, a table of contents (目录 and the chapter titles,
not bold), the chapters and articles (第X条), and a 免责声明 in a `<font>` after the last
paragraph. Older or other layouts (`【label】` pairs or `label：` cells elsewhere, dates written
2023.05.20 or 2023年5月20日) are still read: the particulars fall back to the page's text and the
body to the container holding the most 第X条 paragraphs. The list pages' template was not seen.
"""
from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import urlparse

from bs4 import BeautifulSoup, Tag

from ..article import build_article
from ..html_text import links, meta_content, next_page_link, parse_html, short_text
from ..types import ListPage, ParseError, ParsedArticle
from .base import SiteParser

ARTICLE_PAGE = re.compile(r"/claw/clawContent\.shtml$")
_LIST_ROWS = "ul.list_claw > li, div.claw_list li, ul.list > li, table.list tr"
# Selectors in order of preference (the real template's first, then likely older ones).
_TITLES = ("h2.tit_08", "div.conBox_01 h2", "div.claw_title h2", "div.claw_title", "h2.claw_title",
           ".lawTitle", ".title h2", "h1", "h2")
_PARTICULARS = "div.tableBox, table.table_01, div.claw_info, div.lawInfo, table.claw_info, div.info"
_BODIES = ("div.article", "div.claw_content", "#claw_content", "div.lawContent", "#zoom",
           "div.art-con", "div.content")
# The <title> names the site on this template; it is never the document's title.
_SITE_TITLE = re.compile(r"^\s*(全球法规网|中国商务法规|中国法规)")
_LABELS = {
    "发布部门": "issuer", "发布机关": "issuer", "制定机关": "issuer", "颁布单位": "issuer",
    "发文字号": "doc_number", "文号": "doc_number", "发布文号": "doc_number",
    "发布日期": "written_date", "公布日期": "written_date", "颁布日期": "written_date",
    "实施日期": "effective_date", "施行日期": "effective_date", "生效日期": "effective_date",
    "时效性": "validity", "时效状态": "validity", "效力级别": "level",
}
_PAIR = re.compile(r"(?:【\s*(" + "|".join(_LABELS) + r")\s*】|(?<![\u4e00-\u9fff])("
                   + "|".join(_LABELS) + r")\s*[:：])\s*([^【\n]*)")
_ARTICLE_LABEL = re.compile(r"^\s*第[一二三四五六七八九十百零〇两]+条")
# Lines after the text: the source note, the buttons and the footer.
_TRAILER = re.compile(r"^\s*(来源[:：]|【?打印|【?关闭|主办单位|网站标识码|免责声明)")
_HEADING = re.compile(r"^第[一二三四五六七八九十百零〇两]+[编章节]")


def read_particulars(text: str) -> dict[str, str]:
    """`【发布部门】国务院` and `发布部门：国务院` pairs -> canonical keys, first value wins."""
    found: dict[str, str] = {}
    for match in _PAIR.finditer(text):
        key = _LABELS[match.group(1) or match.group(2)]
        value = " ".join(match.group(3).split())
        if value and key not in found:
            found[key] = value
    return found


def dotted_date(value: str) -> str:
    """2023.05.20 / 2023-5-20 / 2023年5月20日 -> 2023-05-20 (the database writes dots)."""
    m = re.search(r"(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*[.\-/月]\s*(\d{1,2})", value or "")
    return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else ""


class MofcomLawParser(SiteParser):
    name = "mofcom_law"
    hosts = ("policy.mofcom.gov.cn",)
    default_issuer = ""

    def parse_list(self, html: str, url: str) -> ListPage:
        soup = parse_html(html)
        rows = soup.select(_LIST_ROWS)
        found: list[str] = []
        # The list's own rows; the header and the sidebars link other pages of the site.
        for scope in rows or [soup]:
            for link in links(scope, url):
                if ARTICLE_PAGE.search(urlparse(link).path) and "id=" in link and link not in found:
                    found.append(link)
        return ListPage(article_urls=tuple(found), next_url=next_page_link(soup, url))

    def parse_article(self, html: str, url: str) -> ParsedArticle:
        soup = parse_html(html)
        meta: dict[str, str] = {}
        for block in soup.select(_PARTICULARS):
            if getattr(block, "decomposed", False):
                continue  # inside a block already read (div.tableBox holds table.table_01)
            meta.update({k: v for k, v in read_particulars(block.get_text("\n")).items()
                         if k not in meta})
            block.decompose()
        body = self._body(soup)
        if body is None:
            raise ParseError("no article body found (no container holds 第X条 articles)")
        if not meta:
            meta = read_particulars(body.get_text("\n"))
        self._strip_non_text(body)
        title = meta_content(soup, "ArticleTitle") or self._title(soup)
        article = build_article(url=url, title=title, body=body, meta={
            "issuer": meta.get("issuer", ""), "doc_number": meta.get("doc_number", ""),
            "written_date": dotted_date(meta.get("written_date", "")),
            "publish_date": dotted_date(meta.get("written_date", "")),
        }, default_issuer=self.default_issuer)
        return replace(article, effective_date=dotted_date(meta.get("effective_date", "")),
                       validity=meta.get("validity", ""))

    @staticmethod
    def _title(soup: BeautifulSoup) -> str:
        """The title block, else the hidden form's copy, else the <title> unless it names the site."""
        for selector in _TITLES:
            text = short_text(soup.select_one(selector))
            if text and not _SITE_TITLE.match(text):
                return text
        hidden = soup.select_one("form#clawForm input[name=title]")
        if hidden is not None and hidden.get("value", "").strip():
            return " ".join(hidden["value"].split())
        page_title = short_text(soup.title).split("_", 1)[0] if soup.title else ""
        return "" if _SITE_TITLE.match(page_title) else page_title

    @staticmethod
    def _body(soup: BeautifulSoup) -> Tag | None:
        """The named text container (by preference: an outer `div.content` also holds the title
        and the particulars), else the element whose own paragraphs hold most articles."""
        for selector in _BODIES:
            for candidate in soup.select(selector):
                if any(_ARTICLE_LABEL.match(short_text(p)) for p in candidate.find_all("p")):
                    return candidate
        best, most = None, 0
        for element in soup.find_all(["div", "td"]):
            count = sum(1 for p in element.find_all("p", recursive=False)
                        if _ARTICLE_LABEL.match(short_text(p)))
            if count > most:
                best, most = element, count
        return best

    @staticmethod
    def _strip_non_text(body: Tag) -> None:
        """Drop the table of contents, a particulars line repeated in the text, and trailers
        (source line, buttons, the disclaimer after the last paragraph): each chapter and article
        must appear once."""
        for element in body.find_all(["font", "div", "span"]):
            if element.parent is not None and _TRAILER.match(short_text(element)):
                element.decompose()
        paragraphs = [p for p in body.find_all("p") if re.sub(r"\s+", "", short_text(p))]
        lines = [re.sub(r"\s+", "", short_text(p)) for p in paragraphs]
        first_entry = ""
        in_contents = False
        for i, (p, line) in enumerate(zip(paragraphs, lines)):
            if line in ("目录", "目次"):
                in_contents = True
                p.decompose()
                continue
            if in_contents:
                # The contents list the chapter titles; they end where the first chapter is
                # printed again (the same words as the first entry, or in bold), or at the first
                # line that is not a heading.
                is_heading = bool(_HEADING.match(line))
                repeated = bool(first_entry) and line == first_entry
                if is_heading and not repeated and p.find(["strong", "b"]) is None:
                    first_entry = first_entry or line
                    p.decompose()
                    continue
                in_contents = False
            if _TRAILER.match(line) or (read_particulars(short_text(p)) and len(line) < 60):
                p.decompose()
