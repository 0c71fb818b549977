"""Assemble a ParsedArticle from the pieces a site parser found, the same way for every site."""
from __future__ import annotations

import re

from bs4 import Tag

from knowledge_base.segmenter import clauses_or_paragraphs

from .html_text import element_text, find_attachments
from .metadata import find_doc_number, iso_date
from .types import Attachment, ParseError, ParsedArticle, ParsedClause

MIN_BODY_CHARS = 20


def body_clauses(body: str, issuer: str, hard_wrapped: bool = False) -> tuple[ParsedClause, ...]:
    """Clauses by the knowledge base's own segmenter, so the index sees exactly these. An HTML
    body has one paragraph a line; PDF text (`hard_wrapped`) has its broken lines rejoined."""
    segments = clauses_or_paragraphs(body, strip_signature=tuple(filter(None, [issuer])),
                                     hard_wrapped=hard_wrapped)
    return tuple(ParsedClause(label=s.label, heading=" > ".join(s.heading), text=s.text)
                 for s in segments)


def _title_lines_removed(body: str, title: str) -> str:
    """Drop the title printed again at the head of the body (often split over two lines)."""
    compact_title = re.sub(r"\s+", "", title)
    lines = body.split("\n")
    taken = ""
    for i, line in enumerate(lines[:4]):
        taken += re.sub(r"\s+", "", line)
        if taken == compact_title:
            return "\n".join(lines[i + 1:])
        if not compact_title.startswith(taken):
            break
    return body


def build_article(*, url: str, title: str, body: Tag | None, meta: dict[str, str] | None = None,
                  default_issuer: str = "", extra_text: str = "",
                  attachments: tuple[Attachment, ...] | None = None) -> ParsedArticle:
    """`meta` holds raw values by canonical key (issuer, doc_number, written_date, publish_date,
    index_number, subject), as `metadata.label_table` returns them; missing ones are looked for
    in the body's head (document number) and tail (signature date)."""
    meta = dict(meta or {})
    title = " ".join((title or meta.get("title") or "").split())
    if not title:
        raise ParseError("no title found")
    if body is None:
        raise ParseError("no article body found")
    text = element_text(body)
    if extra_text:
        text = text + "\n" + extra_text
    text = _title_lines_removed(text, title)
    if len(re.sub(r"\s+", "", text)) < MIN_BODY_CHARS:
        raise ParseError(f"article body is empty or too short ({len(text)} characters)")
    issuer = " ".join((meta.get("issuer") or default_issuer).split())
    head = "\n".join(text.split("\n")[:6])
    # A metadata table's 文号 is authoritative as printed (joint orders carry two issuers:
    # "国家发展改革委 商务部令第27号"); the body's head is searched only when there is none.
    doc_number = " ".join(meta.get("doc_number", "").split())
    if doc_number in ("无", "-", "—", "／", "/"):
        doc_number = ""
    doc_number = doc_number or find_doc_number(head)
    written = iso_date(meta.get("written_date", ""))
    if not written:
        # The signature date closes most notices: "2018年11月7日" on one of the last lines.
        for line in reversed(text.split("\n")[-4:]):
            if re.fullmatch(r"\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*", line):
                written = iso_date(line)
                break
    return ParsedArticle(
        title=title,
        issuer=issuer,
        doc_number=doc_number,
        written_date=written,
        publish_date=iso_date(meta.get("publish_date", "")),
        source_url=url,
        body=text,
        clauses=body_clauses(text, issuer),
        attachments=attachments if attachments is not None else find_attachments(body, url),
        index_number=meta.get("index_number", "").strip(),
        subject=meta.get("subject", "").strip(),
    )
