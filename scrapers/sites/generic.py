"""A parser configured by CSS selectors, for the many provincial commerce departments whose CMS
pages differ only in markup: one sources.yaml entry per site instead of one module per site."""
from __future__ import annotations

import re
from dataclasses import dataclass, fields

import soupsieve

from ..article import build_article
from ..html_text import attachments_in, links, next_page_link, parse_html, short_text
from ..metadata import LABEL_ALIASES, label_table, normalize_label
from ..types import ListPage, ParseError, ParsedArticle
from .base import SiteParser

# "发布时间：" inside a value element; `(?<![\u4e00-\u9fff])` keeps a label from starting
# mid-word, and a colon after digits (10:30) is not a label.
_INLINE_LABEL = re.compile(r"(?<![\u4e00-\u9fff])([\u4e00-\u9fff]{2,6})\s*[:：]\s*")
# Labels that also name the wanted field when the metadata table has no exact one.
_FIELD_LABELS = {"issuer": {"issuer", "source"}}
_VALUE_FIELDS = ("issuer", "doc_number", "written_date", "publish_date")


@dataclass(frozen=True)
class GenericSelectors:
    list_links: str  # article links on a list page
    title: str
    body: str
    next_page: str = ""  # the next list page's link
    meta: str = ""  # a label/value metadata block, read with metadata.label_table
    issuer: str = ""  # elements holding one value, possibly labelled ("发布时间：2024-01-05")
    doc_number: str = ""
    written_date: str = ""
    publish_date: str = ""
    attachments: str = ""  # where attachment links are, besides the body

    @classmethod
    def from_dict(cls, selectors: dict) -> "GenericSelectors":
        """Validate a config's `selectors:` mapping; errors name the offending key."""
        if not isinstance(selectors, dict):
            raise ValueError(f"selectors must be a mapping, not {type(selectors).__name__}")
        known = [f.name for f in fields(cls)]
        unknown = sorted(set(selectors) - set(known))
        if unknown:
            raise ValueError(f"unknown selector key(s) {', '.join(map(str, unknown))}; "
                             f"known keys: {', '.join(known)}")
        missing = [k for k in ("list_links", "title", "body") if not selectors.get(k)]
        if missing:
            raise ValueError(f"missing required selector key(s): {', '.join(missing)}")
        for key, value in selectors.items():
            if value is None:
                continue
            if not isinstance(value, str):
                raise ValueError(f"selector {key!r} must be a string, not {type(value).__name__}")
            try:
                # Compile now, so a typo fails when sources.yaml is loaded, not mid-crawl.
                soupsieve.compile(value)
            except soupsieve.SelectorSyntaxError as exc:
                raise ValueError(f"selector {key!r} is not valid CSS ({value!r}): {exc}") from exc
        return cls(**{k: v.strip() for k, v in selectors.items() if v})


def labelled_value(text: str, key: str) -> str:
    """The value for `key` in an element's text: "发布时间：2024-01-05" -> "2024-01-05".

    An element may hold several pairs ("来源：广东省商务厅 发布时间：2024-01-05"): the one whose
    label names `key` wins, else the first; text without a label is returned whole.
    """
    parts = _INLINE_LABEL.split(text)  # [before, label1, value1, label2, value2, …]
    if len(parts) == 1:
        return text.strip()
    pairs = [(parts[i], parts[i + 1].strip()) for i in range(1, len(parts), 2)]
    wanted = _FIELD_LABELS.get(key, {key})
    for label, value in pairs:
        if LABEL_ALIASES.get(normalize_label(label)) in wanted and value:
            return value
    return pairs[0][1]


class GenericParser(SiteParser):
    def __init__(self, name: str, hosts: tuple[str, ...], default_issuer: str,
                 selectors: dict | GenericSelectors):
        if not hosts or not all(isinstance(h, str) and h for h in hosts):
            raise ValueError(f"{name}: hosts must be a non-empty list of host names")
        self.name = name
        self.hosts = tuple(h.lower() for h in hosts)
        self.default_issuer = default_issuer
        self.selectors = selectors if isinstance(selectors, GenericSelectors) \
            else GenericSelectors.from_dict(selectors)

    @classmethod
    def from_config(cls, name: str, config: dict) -> "GenericParser":
        """Build from a sources.yaml entry (`hosts`, `issuer`, `selectors`; keys the crawler
        reads, such as `start_urls`, are left to it)."""
        if not isinstance(config, dict):
            raise ValueError(f"{name}: the source entry must be a mapping")
        parser = config.get("parser", "generic")
        if parser != "generic":
            raise ValueError(f"{name}: parser is {parser!r}, not 'generic'")
        hosts = config.get("hosts")
        if isinstance(hosts, str):
            hosts = [hosts]
        if not hosts:
            raise ValueError(f"{name}: missing 'hosts'")
        if not config.get("issuer"):
            raise ValueError(f"{name}: missing 'issuer' (the site's owner, used when a page "
                             f"names no issuer)")
        if "selectors" not in config:
            raise ValueError(f"{name}: missing 'selectors'")
        try:
            selectors = GenericSelectors.from_dict(config["selectors"])
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from exc
        return cls(name, tuple(hosts), str(config["issuer"]).strip(), selectors)

    # -- list pages ---------------------------------------------------------------------------

    def parse_list(self, html: str, url: str) -> ListPage:
        soup = parse_html(html)
        sel = self.selectors
        if not soup.select(sel.list_links):
            # An empty match is almost always a redesigned site, not an empty list.
            raise ParseError(f"{self.name}: list_links selector {sel.list_links!r} matched nothing")
        return ListPage(article_urls=links(soup, url, sel.list_links),
                        next_url=next_page_link(soup, url, self.selectors.next_page))

    # -- articles -----------------------------------------------------------------------------

    def parse_article(self, html: str, url: str) -> ParsedArticle:
        soup = parse_html(html)
        sel = self.selectors
        title = soup.select_one(sel.title)
        if title is None:
            raise ParseError(f"{self.name}: title selector {sel.title!r} matched nothing")
        body = soup.select_one(sel.body)
        if body is None:
            raise ParseError(f"{self.name}: body selector {sel.body!r} matched nothing")

        meta = label_table(soup.select_one(sel.meta)) if sel.meta else {}
        # A selector made for one field is more specific than the metadata block.
        for key in _VALUE_FIELDS:
            selector = getattr(sel, key)
            element = soup.select_one(selector) if selector else None
            value = labelled_value(short_text(element), key) if element is not None else ""
            if value:
                meta[key] = value

        return build_article(url=url, title=short_text(title), body=body, meta=meta,
                             default_issuer=self.default_issuer,
                             # The body's own document links count too: sites link files inline.
                             attachments=attachments_in(
                                 [body, *(soup.select(sel.attachments) if sel.attachments else [])],
                                 url))
