"""中国政府网 (www.gov.cn): the State Council policy library and its list pages.

Templates read here (structure checked against public crawlers, see the module's tests):
- 2018–2022 policy library (`/zhengce/content/YYYY-MM/DD/content_N.htm`): metadata in the first
  `table.bd1` (索引号, 主题分类, 发文机关, 成文日期, 标题, 发文字号, 发布日期), body in
  `td#UCAP-CONTENT` (class b12c), headings as bold spans.
- 2023+ policy library (`/zhengce/content/YYYYMM/content_N.htm`, `/zhengce/zhengceku/…`): the same
  labels in `div.policyLibraryOverview_header` (plus 来源, 公文种类), body in
  `div.pages_content#UCAP-CONTENT` wrapping `div.trs_editor_view`; the page carries the body twice
  (PC and mobile copies), the first one is taken; `<meta name="firstpublishedtime"
  content="2024-03-19-17:00:00">` gives the publication time.
- News-style pages: `div.pages-title`/`h1`, `div.pages-date` ("2019-01-25 17:00 来源：…"),
  `div.pages_content`.
- Lists: the old HTML lists (`.news_box .list li h4 a`, `div.subtitle a`, a 下一页 link) and the
  current column JSON (`/zhengce/zuixin/ZUIXINZHENGCE.json`: `[{TITLE, URL, DOCRELPUBTIME}]`),
  which the site's own page paginates in JavaScript – the JSON holds the whole column at once.
"""
from __future__ import annotations

import json
import re
from urllib.parse import urljoin, urlparse

from bs4 import BeautifulSoup

from ..article import build_article
from ..html_text import first_match, links, meta_content, next_page_link, parse_html, short_text
from ..metadata import label_table
from ..types import ListPage, ParsedArticle
from .base import SiteParser

# Article pages of the policy library and of the news columns end in content_<digits>.htm(l).
_ARTICLE_PATH = re.compile(r"/content_\d+\.html?$")
# Containers that hold a list page's own entries (sidebars and navigation also link articles).
_LIST_SCOPES = (".news_box .list, div.list, ul.list, .list_content, ul.list-datainf, "
                "div.zhengce_list, div.subtitle")
# Body containers, most specific first; the first match in document order is the PC copy.
_BODY_SELECTORS = ("#UCAP-CONTENT", "div.pages_content", "div.trs_editor_view",
                   "div.TRS_UEDITOR", "div.TRS_Editor")
_META_SELECTORS = ("div.policyLibraryOverview_header", "table.bd1")
# "（此件公开发布）" closes State Council documents after the signature; it is a publication note,
# and left in place it would hide the signature from the segmenter and stick to the last clause.
_PUBLICATION_NOTE = re.compile(r"^[（(]此件(?:公开发布|不公开|有删减)[）)]$")


def same_site(url: str, base_url: str) -> bool:
    """Entries must stay on the list's own site: gov.cn, or the host that served the list
    (tests serve fixtures from 127.0.0.1)."""
    host = (urlparse(url).hostname or "").lower()
    base_host = (urlparse(base_url).hostname or "").lower()
    return host == base_host or host == "gov.cn" or host.endswith(".gov.cn")


class GovCnParser(SiteParser):
    name = "govcn"
    # Only the portal itself: provincial sites under gov.cn have their own layouts.
    hosts = ("www.gov.cn",)
    default_issuer = "国务院"

    def matched_host_length(self, url: str) -> int:
        # The bare domain too, but not its subdomains (com.gd.gov.cn is a province's site).
        if (urlparse(url).hostname or "").lower() == "gov.cn":
            return len("gov.cn")
        return super().matched_host_length(url)

    # ---- lists -------------------------------------------------------------------------------
    def parse_list(self, html: str, url: str) -> ListPage:
        text = html.lstrip("\ufeff \t\r\n")
        if text.startswith("["):
            return self._parse_json_list(text, url)
        soup = parse_html(html)
        scopes = soup.select(_LIST_SCOPES) or [soup]
        found: list[str] = []
        for scope in scopes:
            for link in links(scope, url):
                if (_ARTICLE_PATH.search(urlparse(link).path) and same_site(link, url)
                        and link not in found):
                    found.append(link)
        return ListPage(article_urls=tuple(found), next_url=next_page_link(soup, url))

    def _parse_json_list(self, text: str, url: str) -> ListPage:
        # The current columns ship their whole list as JSON; there is no next page to follow.
        try:
            rows = json.loads(text)
        except ValueError:
            return ListPage(article_urls=())
        found: list[str] = []
        for row in rows if isinstance(rows, list) else []:
            href = str((row or {}).get("URL") or (row or {}).get("url") or "").strip()
            link = urljoin(url, href).split("#", 1)[0] if href else ""
            if link.startswith(("http://", "https://")) and link not in found:
                found.append(link)
        return ListPage(article_urls=tuple(found))

    # ---- articles ----------------------------------------------------------------------------
    def parse_article(self, html: str, url: str) -> ParsedArticle:
        soup = parse_html(html)
        meta = self._metadata(soup)
        body = first_match(soup, _BODY_SELECTORS)
        if body is not None:
            for p in body.find_all(["p", "div"]):
                if _PUBLICATION_NOTE.match(short_text(p).replace(" ", "")):
                    p.decompose()
        return build_article(url=url, title=meta.get("title") or self._title(soup), body=body,
                             meta=meta, default_issuer=self.default_issuer)

    def _metadata(self, soup: BeautifulSoup) -> dict[str, str]:
        # Only the first table.bd1: the second one holds 主题词 and nothing else.
        box = first_match(soup, _META_SELECTORS)
        meta = label_table(box)
        if meta.get("subject", "").startswith("主题分类"):  # the 2023 cell may repeat its label
            meta["subject"] = meta["subject"].split("\\", 1)[-1]
        if not meta.get("publish_date"):
            meta["publish_date"] = self._publish_time(soup)
        return meta

    @staticmethod
    def _publish_time(soup: BeautifulSoup) -> str:
        return (meta_content(soup, "firstpublishedtime", "PubDate", "publishdate")
                or short_text(soup.select_one("div.pages-date, span.pages-date")))

    @staticmethod
    def _title(soup: BeautifulSoup) -> str:
        for sel in ("div.share-title", "h1#ti", "div.pages-title", "div.article h1", "h1"):
            text = short_text(soup.select_one(sel))
            if text:
                return text
        if meta_content(soup, "ArticleTitle"):
            return meta_content(soup, "ArticleTitle")
        # <title>国务院关于…的通知_国务院文件_中国政府网</title>
        return short_text(soup.title).split("_", 1)[0] if soup.title else ""
