"""商务部 law and regulation database (policy.mofcom.gov.cn, "中国法规"): laws, regulations and
departmental rules, one per `claw/clawContent.shtml?id=N` page.

The database reproduces texts from a commercial law database, and its pages print the document's
particulars as `【发布部门】国务院`-style pairs (or `发布部门：…` cells) before the text: issuing body,
文号 (发文字号), 发布日期, 实施日期, 时效性 and 效力级别; dates are written 2023.05.20 or 2023年5月20日.
The text carries a table of contents (目录 with the chapter titles), the chapters and the articles
(第X条), then a source line and print/close buttons, which are not part of the text. The real
template could not be read here (no stored copy of a page was found), so the selectors are a set
of likely class names with fallbacks: the particulars are read from the text of the whole page
when no block is found, and the body is the container holding the most 第X条 paragraphs.
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
_TITLE = "div.claw_title h2, div.claw_title, h2.claw_title, .lawTitle, .title h2, h1, h2"
_PARTICULARS = "div.claw_info, div.lawInfo, table.claw_info, div.info"
_BODY = "div.claw_content, #claw_content, div.lawContent, #zoom, div.content, div.art-con"
_LABELS = {
    "发布部门": "issuer", "发布机关": "issuer", "制定机关": "issuer", "颁布单位": "issuer",
    "发文字号": "doc_number", "文号": "doc_number", "发布文号": "doc_number",
    "发布日期": "written_date", "公布日期": "written_date", "颁布日期": "written_date",
    "实施日期": "effective_date", "施行日期": "effective_date", "生效日期": "effective_date",
    "时效性": "validity", "效力级别": "level",
}
_PAIR = re.compile(r"(?:【\s*(" + "|".join(_LABELS) + r")\s*】|(?<![\u4e00-\u9fff])("
                   + "|".join(_LABELS) + r")\s*[:：])\s*([^【\n]*)")
_ARTICLE_LABEL = re.compile(r"^\s*第[一二三四五六七八九十百零〇两]+条")
# Lines after the text: the source note, the buttons and the footer.
_TRAILER = re.compile(r"^\s*(来源[:：]|【?打印|【?关闭|主办单位|网站标识码)")


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
            meta.update({k: v for k, v in read_particulars(block.get_text("\n")).items()
                         if k not in meta})
            block.decompose()
        body = self._body(soup)
        if body is None:
            raise ParseError("no article body found (no container holds 第X条 articles)")
        if not meta:
            meta = read_particulars(body.get_text("\n"))
        self._strip_non_text(body)
        title = (meta_content(soup, "ArticleTitle")
                 or short_text(soup.select_one(_TITLE))
                 or (short_text(soup.title).split("_", 1)[0] if soup.title else ""))
        article = build_article(url=url, title=title, body=body, meta={
            "issuer": meta.get("issuer", ""), "doc_number": meta.get("doc_number", ""),
            "written_date": dotted_date(meta.get("written_date", "")),
            "publish_date": dotted_date(meta.get("written_date", "")),
        }, default_issuer=self.default_issuer)
        return replace(article, effective_date=dotted_date(meta.get("effective_date", "")),
                       validity=meta.get("validity", ""))

    @staticmethod
    def _body(soup: BeautifulSoup) -> Tag | None:
        """The named text container, else the element whose own paragraphs hold most articles."""
        for candidate in soup.select(_BODY):
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
        """Drop the table of contents, a particulars line repeated in the text, and trailers:
        each chapter and article must appear once."""
        paragraphs = body.find_all("p")
        in_contents = False
        for p in paragraphs:
            line = re.sub(r"\s+", "", short_text(p))
            if line in ("目录", "目次"):
                in_contents = True
                p.decompose()
                continue
            if in_contents:
                # The contents list chapter titles until the first chapter is printed in bold.
                if p.find(["strong", "b"]) is None and re.match(r"^第[一二三四五六七八九十百]+[章节]", line):
                    p.decompose()
                    continue
                in_contents = False
            if _TRAILER.match(line) or (read_particulars(short_text(p)) and len(line) < 60):
                p.decompose()
