"""HTML to text: block elements become line breaks, so the segmenter sees one paragraph a line."""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlparse

from bs4 import BeautifulSoup, NavigableString, Tag

from .types import ATTACHMENT_KINDS, Attachment

_BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
           "article", "blockquote", "pre", "ul", "ol", "dd", "dt", "center"}
_SKIP = {"script", "style", "noscript", "iframe", "object", "embed", "template", "head"}
_CELL = {"td", "th"}


def parse_html(html: str) -> BeautifulSoup:
    # html.parser is forgiving with the unclosed tags and stray markup of CMS pages.
    return BeautifulSoup(html, "html.parser")


def element_text(element: Tag | None) -> str:
    """The visible text of `element`: one line per block, cells of a row joined by a space."""
    if element is None:
        return ""
    parts: list[str] = []

    def walk(node) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child).__name__ in ("Comment", "Doctype", "ProcessingInstruction", "CData"):
                    continue
                parts.append(str(child).replace("\n", " ").replace("\r", " "))
            elif isinstance(child, Tag):
                name = child.name.lower()
                if name in _SKIP:
                    continue
                if name == "br":
                    parts.append("\n")
                    continue
                block = name in _BLOCKS
                if block:
                    parts.append("\n")
                walk(child)
                if block:
                    parts.append("\n")
                elif name in _CELL:
                    parts.append(" ")

    walk(element)
    text = "".join(parts).replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def short_text(element: Tag | None) -> str:
    """An inline value (title, metadata cell) on one line."""
    return " ".join(element_text(element).split()) if element is not None else ""


def attachment_kind(url: str) -> str:
    path = urlparse(url).path.lower()
    ext = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
    return ext if ext in ATTACHMENT_KINDS else ""


def find_attachments(element: Tag | None, base_url: str) -> tuple[Attachment, ...]:
    """Links to documents (PDF, DOC, DOCX, XLS, …) inside `element`, absolute and de-duplicated."""
    if element is None:
        return ()
    seen, found = set(), []
    for link in element.find_all("a", href=True):
        url = urljoin(base_url, link["href"].strip())
        kind = attachment_kind(url)
        if not kind or url in seen or not url.startswith(("http://", "https://")):
            continue
        seen.add(url)
        name = short_text(link) or url.rsplit("/", 1)[-1]
        found.append(Attachment(url=url, name=name, kind=kind))
    return tuple(found)


def links(element: Tag | None, base_url: str, selector: str = "a[href]") -> tuple[str, ...]:
    """Absolute http(s) addresses of the links matching `selector`, in order, without repeats."""
    if element is None:
        return ()
    out, seen = [], set()
    for a in element.select(selector):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        url = urljoin(base_url, href).split("#", 1)[0]
        if url.startswith(("http://", "https://")) and url not in seen:
            seen.add(url)
            out.append(url)
    return tuple(out)


def attachments_in(containers, base_url: str) -> tuple[Attachment, ...]:
    """Attachments of several containers (a body and an attachment box), without repeats."""
    found: dict[str, Attachment] = {}
    for container in containers:
        for attachment in find_attachments(container, base_url):
            found.setdefault(attachment.url, attachment)
    return tuple(found.values())


def first_match(soup: Tag, selectors) -> Tag | None:
    """The first element matched by the first selector (in order of preference) that matches."""
    for selector in selectors:
        element = soup.select_one(selector)
        if element is not None:
            return element
    return None


def meta_content(soup: Tag, *names: str) -> str:
    """The first non-empty `<meta name=… content=…>` among `names` (ArticleTitle, PubDate …)."""
    for name in names:
        tag = soup.find("meta", attrs={"name": name})
        if isinstance(tag, Tag) and tag.get("content"):
            return " ".join(str(tag["content"]).split())
    return ""


_NEXT_TEXTS = {"下一页", "下页", "后页", "next"}


def next_page_link(soup: Tag, url: str, selector: str = "") -> str | None:
    """The next list page: the link `selector` names, else an `<a>` reading 下一页 / 下页 / Next
    or marked class/rel "next". A disabled link (`#`, `javascript:`) or one pointing back at
    this page means there is none."""
    if selector:
        candidates = [e if e.name == "a" else (e.find("a", href=True) or e)
                      for e in soup.select(selector)]
    else:
        candidates = []
    if not candidates:
        candidates = [a for a in soup.find_all("a", href=True)
                      if re.sub(r"[\s\[\]【】<>»›]+", "", a.get_text()).lower() in _NEXT_TEXTS
                      or "next" in {c.lower() for c in a.get("class") or []}
                      or "next" in (a.get("rel") or [])]
    here = url.split("#", 1)[0]
    for a in candidates:
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        target = urljoin(url, href).split("#", 1)[0]
        if target.startswith(("http://", "https://")) and target != here:
            return target
    return None
