"""The fallback for a page of an unknown site: the title from <h1>/<title>, the body from the
element that holds the most paragraph text, metadata from any `label：value` pairs."""
from __future__ import annotations

import re

from bs4 import Tag

from ..article import build_article
from ..html_text import links, next_page_link, parse_html, short_text
from ..metadata import label_table
from ..types import ListPage, ParseError, ParsedArticle
from .base import SiteParser



def _own_text_length(element: Tag) -> int:
    # Text in the element's direct paragraph-like children: the article body wins over the
    # page wrapper that also contains menus and footers.
    total = 0
    for child in element.find_all(["p", "div", "br", "span"], recursive=False):
        total += len(re.sub(r"\s+", "", child.get_text()))
    for child in element.children:
        if isinstance(child, str):
            total += len(re.sub(r"\s+", "", child))
    return total


class HeuristicParser(SiteParser):
    name = "heuristic"

    def parse_list(self, html: str, url: str) -> ListPage:
        soup = parse_html(html)
        next_url = next_page_link(soup, url)
        articles = tuple(u for u in links(soup, url) if re.search(r"\.(s?html?|shtml)$|content_\d+", u))
        return ListPage(articles, next_url)

    def parse_article(self, html: str, url: str) -> ParsedArticle:
        soup = parse_html(html)
        h1 = soup.find("h1")
        title = short_text(h1) if h1 else ""
        if not title and soup.title:
            title = re.split(r"[_|｜-]{1,2}", short_text(soup.title))[0]
        candidates = soup.find_all(["div", "td", "article", "section"])
        body = max(candidates, key=_own_text_length, default=None)
        if body is None or _own_text_length(body) < 20:
            raise ParseError("no element with article text found")
        return build_article(url=url, title=title, body=body, meta=label_table(soup))
