"""Typed records that cross the scrapers' boundaries (fetcher -> parsers -> store -> corpus)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

ATTACHMENT_KINDS = ("pdf", "doc", "docx", "xls", "xlsx", "wps", "ofd", "zip")


class ParseError(ValueError):
    """A page that cannot be read as what its parser expects; the message is the logged reason."""


@dataclass(frozen=True)
class Attachment:
    url: str  # absolute
    name: str  # the link text, or the file name when the link has no text
    kind: str  # one of ATTACHMENT_KINDS


@dataclass(frozen=True)
class ParsedClause:
    label: str  # as printed: （一）, 第三条, 一、 … ; 正文 for an unlabelled body
    heading: str  # heading path joined with " > "
    text: str


@dataclass(frozen=True)
class ParsedArticle:
    title: str
    issuer: str  # 发文机关 / 发布单位; the site's owner when the page names none
    doc_number: str  # 文号, e.g. 国发〔2018〕38号; "" when the page has none
    written_date: str  # 成文日期, ISO yyyy-mm-dd or ""
    publish_date: str  # 发布日期, ISO yyyy-mm-dd or ""
    source_url: str
    body: str  # the cleaned body text, one paragraph per line
    clauses: tuple[ParsedClause, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    index_number: str = ""  # 索引号 (gov.cn)
    subject: str = ""  # 主题分类 (gov.cn)
    effective_date: str = ""  # 实施日期, ISO, where the page prints it (law databases)
    validity: str = ""  # 时效性 as printed (现行有效, 已被修改, 失效 …), where the page prints it

    @property
    def date(self) -> str:
        """The document's date: the date it was signed, else the date it was published."""
        return self.written_date or self.publish_date

    def to_json(self) -> dict:
        return {
            "title": self.title,
            "issuer": self.issuer,
            "doc_number": self.doc_number,
            "date": self.date,
            "source_url": self.source_url,
            "clauses": [{"label": c.label, "text": c.text} for c in self.clauses],
            "written_date": self.written_date,
            "publish_date": self.publish_date,
            "effective_date": self.effective_date,
            "attachments": [{"url": a.url, "name": a.name, "kind": a.kind}
                            for a in self.attachments],
        }


@dataclass(frozen=True)
class ListPage:
    article_urls: tuple[str, ...]  # absolute, in page order, without duplicates
    next_url: Optional[str] = None  # the following list page, absolute


@dataclass(frozen=True)
class FetchResult:
    url: str  # the address asked for
    final_url: str  # after redirects
    status: int  # 200, or 304 when the stored copy is still current
    content: bytes = b""
    text: str = ""  # decoded HTML/text; "" for binary content
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304
