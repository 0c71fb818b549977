"""State Taxation Administration: www.chinatax.gov.cn (税收政策 / 最新文件) and its policy database
fgk.chinatax.gov.cn (政策法规库).

Page structure, as far as public crawlers show it:
  www list     /chinatax/n810341/n810755/index.html and the paged
               /chinatax/whmanuscriptList/n810755?…&page=N: rows are `ul.list li` (`ul.list.whlist`)
               with the link to `…/c5236xxx/content.html` and a `<span>` (文号 or date);
               the following page is a `下一页` / `a.next` link.
  www article  `<meta name="PubDate">` and `ArticleTitle`; the title lines (`.lanse`, `.yanse`);
               the text in `#fontzoom` (inside `div.text`).
  fgk list     /zcfgk/c100012/listflfg.html: `.list ul li p.bt a` → /zcfgk/c100012/c5194226/content.html.
  fgk article  title `div.detials h3`; a label/value block (文号, 发布日期 …); the text in `#fontzoom`
               or the content div beside the title.
Older pages are served as GBK with a gb2312 meta charset; the fetcher decodes them, so this
parser only sees text.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin

from ..article import build_article
from ..html_text import find_attachments, first_match, meta_content, next_page_link, parse_html, short_text
from ..metadata import find_doc_number, iso_date, label_table
from ..types import ListPage, ParsedArticle
from .base import SiteParser
from .ndrc import create_page_next

_ARTICLE_LINK = re.compile(r"/c\d+/content\.html?$|/content_\d+\.html?$|\d{6}/c\d+/content")
_TITLE_SUFFIX = re.compile(r"\s*[-_|]\s*国家税务总局.*$")
_BODY_SELECTORS = ("#fontzoom", ".detials .content", ".TRS_Editor", "div.text", ".article_con")
_META_SELECTORS = (".xxgk-info", ".xxgk", ".detials .info", ".pages-date", ".title-info")


class SatParser(SiteParser):
    name = "sat"
    hosts = ("www.chinatax.gov.cn", "fgk.chinatax.gov.cn")
    default_issuer = "国家税务总局"

    def parse_list(self, html: str, url: str) -> ListPage:
        soup = parse_html(html)
        found: list[str] = []
        # Both sites keep their rows in a `list` block; the navigation uses other containers.
        for a in soup.select("ul.list li a[href], .list ul li a[href]"):
            href = a["href"].strip()
            if href and not href.startswith(("#", "javascript:")) and _ARTICLE_LINK.search(href):
                found.append(urljoin(url, href))
        next_url = next_page_link(soup, url) or create_page_next(html, url)
        return ListPage(article_urls=tuple(dict.fromkeys(found)), next_url=next_url)

    def parse_article(self, html: str, url: str) -> ParsedArticle:
        soup = parse_html(html)
        heading = soup.select_one(".detials h3, .lanse, h1")
        title = meta_content(soup, "ArticleTitle") or short_text(heading)
        if not title and soup.title:
            title = _TITLE_SUFFIX.sub("", short_text(soup.title))
        body = first_match(soup, _BODY_SELECTORS)

        meta: dict[str, str] = {}
        for selector in _META_SELECTORS:
            meta.update({k: v for k, v in label_table(soup.select_one(selector)).items()
                         if k not in meta})
        meta.setdefault("publish_date", meta_content(soup, "PubDate"))
        # The 文号 is printed on its own line under the title (国家税务总局公告2025年第2号,
        # 财税〔2018〕102号); the title itself may carry one too.
        if not find_doc_number(meta.get("doc_number", "")):
            lines = " ".join(short_text(x) for x in soup.select(".yanse, .detials h4, .wh"))
            number = find_doc_number(lines) or find_doc_number(title)
            if number:
                meta["doc_number"] = number
        if meta.get("issuer") in ("", None):
            meta.pop("issuer", None)
        if meta.get("written_date") and not iso_date(meta["written_date"]):
            meta.pop("written_date")
        return build_article(url=url, title=title, body=body, meta=meta,
                             default_issuer=self.default_issuer,
                             attachments=find_attachments(body, url))
