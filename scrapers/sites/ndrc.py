"""National Development and Reform Commission (www.ndrc.gov.cn): 发展改革委令, 规范性文件, 通知.

Page structure (TRS CMS, checked against public crawlers and a saved detail page):
  list     /xxgk/zcfb/fzggwl/ (also ghxwj/, tz/, gg/): rows are `ul.u-list > li`, each with the
           policy link `./202409/t20240908_1392000.html` (title in its `title` attribute), a date
           `<span>2024/09/08</span>` and, for some rows, a `div.popbox` of 相关解读 links that must
           not be taken for policies. Pagination is a script call
           `createPageHTML(total, current, "index", "html")`: page 0 is index.html, page n is
           index_n.html.
  article  `h2.article_title`; `div.time` "发布时间：2024/09/08"; `div.laiyuantext` "来源：…";
           the text in `div.article_con > div.TRS_Editor`; the published files in
           `div.attachment div.attachment_r` (PDF and OFD, next to the body, not inside it).
           Orders are titled "《…》 2024年第23号令" and carry the full text only as attachments.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin

from ..article import build_article
from ..html_text import attachments_in, meta_content, next_page_link, parse_html, short_text
from ..metadata import find_doc_number
from ..types import ListPage, ParsedArticle
from .base import SiteParser

# createPageHTML(9, 0, "index", "html"); some TRS sites put a container id first.
_CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*(?:['\"][^'\"]*['\"]\s*,\s*)?(\d+)\s*,\s*(\d+)\s*,"
    r"\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]")
_DETAIL_LINK = re.compile(r"t\d{8}_\d+(?:_ext)?\.s?html?$")
_ORDER_NUMBER = re.compile(r"(\d{4})\s*年\s*第\s*(\d+)\s*号令")
_SITE_SUFFIX = re.compile(r"\s*[-_|]\s*国家发展和改革委员会\s*$")


def create_page_next(html: str, url: str) -> str | None:
    """The next page announced by a TRS `createPageHTML(total, current, prefix, ext)` call.

    `current` counts from 0 and page n > 0 lives at `prefix_n.ext` beside the current page."""
    match = _CREATE_PAGE.search(html)
    if not match:
        return None
    total, current, prefix, ext = int(match[1]), int(match[2]), match[3], match[4]
    if current + 1 >= total:
        return None
    return urljoin(url, f"{prefix}_{current + 1}.{ext}")


class NdrcParser(SiteParser):
    name = "ndrc"
    hosts = ("www.ndrc.gov.cn", "ndrc.gov.cn")
    default_issuer = "国家发展和改革委员会"

    def parse_list(self, html: str, url: str) -> ListPage:
        soup = parse_html(html)
        found: list[str] = []
        rows = soup.select("ul.u-list > li")
        for li in rows:
            # The row's own link comes first; links inside div.popbox are 解读 pages.
            a = li.find("a", href=True, recursive=False) or next(
                (x for x in li.find_all("a", href=True) if x.find_parent(class_="popbox") is None),
                None)
            if a is not None and not a["href"].strip().startswith(("#", "javascript:")):
                found.append(urljoin(url, a["href"].strip()))
        if not rows:
            # Other column templates: any article-shaped link outside the 解读 pop-ups.
            for a in soup.find_all("a", href=True):
                if a.find_parent(class_="popbox") is None and _DETAIL_LINK.search(a["href"]):
                    found.append(urljoin(url, a["href"].strip()))
        unique = tuple(dict.fromkeys(u for u in found if "/jd/" not in u))
        return ListPage(article_urls=unique,
                        next_url=create_page_next(html, url) or next_page_link(soup, url))

    def parse_article(self, html: str, url: str) -> ParsedArticle:
        soup = parse_html(html)
        title = short_text(soup.select_one(".article_title")) or meta_content(soup, "ArticleTitle")
        if not title and soup.title:
            title = _SITE_SUFFIX.sub("", short_text(soup.title)).strip("【】 ")
        body = soup.select_one(".article_con") or soup.select_one(".TRS_Editor")
        meta: dict[str, str] = {}
        time_text = short_text(soup.select_one(".article .time, .shezhi .time"))
        meta["publish_date"] = time_text or meta_content(soup, "PubDate")
        # 来源 names the drafting department (e.g. 外资司, 国家能源局), not the issuing authority,
        # so the issuer stays the Commission.
        order = _ORDER_NUMBER.search(title)
        if order:
            # Orders are cited as 国家发展改革委令2024年第23号.
            meta["doc_number"] = f"国家发展改革委令{order[1]}年第{order[2]}号"
        elif find_doc_number(title):
            meta["doc_number"] = find_doc_number(title)
        attachments = attachments_in([body, soup.select_one(".attachment")], url)
        return build_article(url=url, title=title, body=body, meta=meta,
                             default_issuer=self.default_issuer, attachments=attachments)
