"""商务部 (www.mofcom.gov.cn): policy releases (政策发布, 商务部令, 公告) lists and articles.

Two generations of the site (structure checked against public crawlers, see the tests):
- up to 2023 (`/article/b/c/201903/20190302841337.shtml`): lists are `ul.txtList_01 > li`
  (`a[title]` + a date `span`, `li.listline` separators); articles carry the title in
  `#artitle`, date and source in `#arsource`, the body in `div.artCon`.
- 2024 on, a JPaaS CMS (`/zcfb/zc/art/2024/art_<32 hex>.html`): lists are `ul.policy-list > li`
  or `ul.txtList_01 > li` ("【类别】" em, link, "[2024-05-06]" span), paginated by an API
  (`/api-gateway/jpaas-publish-server/front/page/build/unit?…&paramJson={"pageNo":2,…}`) that
  answers `{"data": {"html": "<ul…><div class=\"pagination\" rows count pageNo>"}}`; articles have
  `<meta name="ArticleTitle|PubDate|ContentSource">`, the body in
  `div.art-con.art-con-bottonmLine` (ergodic="article") and the document's particulars in
  `div.art-con-gonggao`: 【发布单位】商务部 【发布文号】商务部令2024年第3号 【发文日期】2024年4月30日.
Pages may be served in GBK; the fetcher decodes them before they reach this parser.
"""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlencode, urlparse, urlunparse

from bs4 import BeautifulSoup

from ..article import build_article
from ..html_text import links, meta_content, next_page_link, parse_html, short_text
from ..metadata import find_doc_number
from ..types import ListPage, ParsedArticle
from .base import SiteParser
from .govcn import same_site

# Article addresses of both generations.
_ARTICLE_PATH = re.compile(r"(/art/\d{4}/art_[0-9a-f]+\.html?$|/\d{6}/\d{14}\.s?html?$)")
_LIST_ROWS = "ul.policy-list > li, ul.txtList_01 > li, ul.txtList_02 > li, section.iListCon li"
# Body candidates of both generations; the longest one is the body.
_BODY_SELECTORS = "div[ergodic=article], div.art-con, div.artCon, #zoom, div.article-con"
# 【发布单位】商务部 or 发文日期：2024年4月30日 – the particulars block and old bodies use both.
_PARTICULAR = re.compile(r"(?:【\s*(发布单位|发布文号|发文字号|发文日期|成文日期)\s*】|"
                         r"^\s*(发布单位|发布文号|发文字号|发文日期|成文日期)\s*[:：])\s*([^【\n]*)",
                         re.M)
_KEYS = {"发布单位": "issuer", "发布文号": "doc_number", "发文字号": "doc_number",
         "发文日期": "written_date", "成文日期": "written_date"}


class MofcomParser(SiteParser):
    name = "mofcom"
    hosts = ("www.mofcom.gov.cn", "mofcom.gov.cn")
    default_issuer = "商务部"

    # ---- lists -------------------------------------------------------------------------------
    def parse_list(self, html: str, url: str) -> ListPage:
        text = html.lstrip("\ufeff \t\r\n")
        if text.startswith("{"):
            return self._parse_api_list(text, url)
        soup = parse_html(html)
        return ListPage(article_urls=self._entries(soup, url), next_url=next_page_link(soup, url))

    def _entries(self, soup: BeautifulSoup, url: str) -> tuple[str, ...]:
        # The list's own rows; the navigation and the sidebars link other columns' articles.
        rows = [li for li in soup.select(_LIST_ROWS) if "listline" not in (li.get("class") or [])]
        found: list[str] = []
        for scope in rows or [soup]:
            for link in links(scope, url):
                if (_ARTICLE_PATH.search(urlparse(link).path) and same_site(link, url)
                        and link not in found):
                    found.append(link)
        return tuple(found)

    def _parse_api_list(self, text: str, url: str) -> ListPage:
        """The JPaaS list API: the rows come as an HTML fragment; the next page is the same call
        with paramJson's pageNo + 1, as long as pageNo × rows is below the pager's count."""
        try:
            fragment = json.loads(text).get("data", {}).get("html", "")
        except (ValueError, AttributeError):
            return ListPage(article_urls=())
        soup = parse_html(fragment)
        pager = soup.find(attrs={"count": True})
        next_url = None
        if pager is not None:
            try:
                page = int(pager.get("pageno") or pager.get("pageNo") or 1)
                size, count = int(pager.get("rows") or 0), int(pager.get("count") or 0)
            except ValueError:
                page, size, count = 1, 0, 0
            if size and page * size < count:
                query = dict(parse_qsl(urlparse(url).query))
                query["paramJson"] = json.dumps({"pageNo": page + 1, "pageSize": size})
                next_url = urlunparse(urlparse(url)._replace(query=urlencode(query)))
        return ListPage(article_urls=self._entries(soup, url), next_url=next_url)

    # ---- articles ----------------------------------------------------------------------------
    def parse_article(self, html: str, url: str) -> ParsedArticle:
        soup = parse_html(html)
        meta: dict[str, str] = {}
        # The particulars block first; then it goes, so that it is not read as body text.
        for block in soup.select("div.art-con-gonggao"):
            self._read_particulars(block.get_text("\n"), meta)
            block.decompose()
        candidates = soup.select(_BODY_SELECTORS)
        body = max(candidates, key=lambda n: len(n.get_text(strip=True)), default=None)
        if body is not None:
            # Old pages print the particulars as the body's first paragraphs.
            for p in body.find_all(["p", "div"]):
                line = short_text(p)
                if _PARTICULAR.match(line) and len(line) < 80:
                    self._read_particulars(line, meta)
                    p.decompose()
        title = (meta_content(soup, "ArticleTitle") or short_text(soup.select_one("#artitle"))
                 or short_text(soup.select_one(".art-title, h1"))
                 or (short_text(soup.title).split("_", 1)[0] if soup.title else ""))
        meta["publish_date"] = (meta_content(soup, "PubDate") or short_text(soup.select_one("#arsource"))
                                or meta.get("publish_date", ""))
        if not meta.get("doc_number"):
            meta["doc_number"] = find_doc_number(title)  # 商务部公告2024年第11号 关于…
        return build_article(url=url, title=title, body=body, meta=meta,
                             default_issuer=self.default_issuer)

    @staticmethod
    def _read_particulars(text: str, meta: dict[str, str]) -> None:
        for match in _PARTICULAR.finditer(text):
            key = _KEYS[match.group(1) or match.group(2)]
            value = " ".join(match.group(3).split())
            if value and not meta.get(key):
                meta[key] = value
