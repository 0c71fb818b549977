"""Invest in China / 中国投资指南 (www.fdi.gov.cn), the national foreign-investment portal run by
MOFCOM's Investment Promotion Agency; its 法律服务 > 法律法规 column republishes the laws,
regulations and rules on foreign investment.

Page structure (from a stored copy of http://www.fdi.gov.cn/1800000121_39_4869_0_7.html):
  addresses  `1800000121_<column>_<id>_0_7.html` is one document, `1800000121_<column>_<page>_7.html`
             a column list (…_8.html the English version).
  article    the title, then one metadata line "颁布日期：2017-07-30  颁布文号：商务部令2017年第2号
             颁布单位：中华人民共和国商务部" (English: Promulgation Date / Number / Department),
             then the text; lists page with a 下一页 link.
The exact container class names could not be confirmed offline, so the body is looked for in the
usual TRS/portal containers and the metadata is read by its labels, not by position.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin

from ..article import build_article
from ..html_text import find_attachments, first_match, meta_content, next_page_link, parse_html, short_text
from ..metadata import label_table
from ..types import ListPage, ParsedArticle
from .base import SiteParser
from .ndrc import create_page_next

_ARTICLE_LINK = re.compile(r"\d+_\d+_\d+_0_[78]\.html?$|/t\d{8}_\d+\.html?$")
_BODY_SELECTORS = ("#zoom", ".TRS_Editor", ".detail-content", ".article-content",
                   ".con_text", ".content_text", ".article_con")
_TITLE_SELECTORS = (".detail-title", ".article-title", ".con_title", "h1", "h2")
# The metadata line names its fields in one of these ways (Chinese and English pages).
_LABELS = {
    "publish_date": r"颁布日期|发布日期|发文日期|Promulgation Date",
    "doc_number": r"颁布文号|发文字号|文号|Promulgation Number",
    "issuer": r"颁布单位|颁布部门|发布部门|发文机关|Promulgation Department",
    "effective_date": r"实施日期|施行日期|生效日期",
}
_ANY_LABEL = "|".join(_LABELS.values())


def metadata_line(text: str) -> dict[str, str]:
    """Split "颁布日期：… 颁布文号：… 颁布单位：…" into its values, each ending at the next label."""
    found: dict[str, str] = {}
    for key, labels in _LABELS.items():
        m = re.search(rf"(?:{labels})\s*[:：]\s*(.*?)\s*(?=(?:{_ANY_LABEL})\s*[:：]|$)", text)
        if m and m.group(1):
            found[key] = m.group(1).strip()
    return found


class FdiPortalParser(SiteParser):
    name = "fdi"
    hosts = ("www.fdi.gov.cn", "fdi.gov.cn")
    default_issuer = "中华人民共和国商务部"

    def parse_list(self, html: str, url: str) -> ListPage:
        soup = parse_html(html)
        found = [urljoin(url, a["href"].strip()) for a in soup.find_all("a", href=True)
                 if _ARTICLE_LINK.search(a["href"].strip())]
        return ListPage(article_urls=tuple(dict.fromkeys(found)),
                        next_url=next_page_link(soup, url) or create_page_next(html, url))

    def parse_article(self, html: str, url: str) -> ParsedArticle:
        soup = parse_html(html)
        title_tag = first_match(soup, _TITLE_SELECTORS)
        title = short_text(title_tag) or meta_content(soup, "ArticleTitle")
        body = first_match(soup, _BODY_SELECTORS)
        meta: dict[str, str] = {}
        # The metadata line sits between the title and the body; read the smallest element
        # that holds a label (innermost first) so that no other text leaks into the values.
        for element in reversed(soup.find_all(["p", "div", "span", "li", "td"])):
            text = short_text(element)
            if len(text) < 200 and re.search(rf"(?:{_ANY_LABEL})\s*[:：]", text) \
                    and (body is None or body not in element.parents):
                for key, value in metadata_line(text).items():
                    meta.setdefault(key, value)
        for key, value in label_table(soup.select_one(".xxgk, .info")).items():
            meta.setdefault(key, value)
        return build_article(url=url, title=title, body=body, meta=meta,
                             default_issuer=self.default_issuer,
                             attachments=find_attachments(body, url))
