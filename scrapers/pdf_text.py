"""Text of PDF attachments, one extracted line per line, without page furniture.

Lines stay hard-wrapped as printed: the knowledge base's segmenter rebuilds the paragraphs
(knowledge_base.text.join_wrapped), so the wrap points are not guessed twice.
"""
from __future__ import annotations

import io
import re
import unicodedata
from collections import Counter

from pypdf import PdfReader

from knowledge_base.text import clean_lines


class PdfError(ValueError):
    """A PDF whose text cannot be had; the message is the logged reason."""


_PAGE_NUMBER = re.compile(
    r"^(?:[-—–_·•~\s]*\d{1,4}[-—–_·•~\s]*"  # 3, - 3 -, —3—
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/、]?\s*共\s*\d{1,4}\s*页)?"  # 第 3 页, 第3页 共12页
    r"|共\s*\d{1,4}\s*页\s*[,，]?\s*第\s*\d{1,4}\s*页"  # 共12页 第3页
    r"|\d{1,4}\s*/\s*\d{1,4}"  # 3/12
    r"|(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?)$",  # Page 3 of 12
    re.IGNORECASE)
_EDGE = 2  # headers, footers and page numbers sit in the first and last lines of a page


def pdf_text(data: bytes, max_pages: int = 200) -> str:
    """The text of the first `max_pages` pages; raises PdfError when there is none to read."""
    reader = _open(data)
    pages: list[list[str]] = []
    failure = None
    for number in range(min(len(reader.pages), max_pages)):
        try:
            text = reader.pages[number].extract_text() or ""
        except Exception as exc:  # noqa: BLE001 - one broken page must not lose the others
            failure = f"page {number + 1}: {type(exc).__name__}: {exc}"
            continue
        pages.append([line.strip() for line in text.splitlines() if line.strip()])
    lines = clean_lines("\n".join(line for page in _drop_furniture(pages) for line in page))
    if not lines:
        if failure:
            raise PdfError(f"no page could be read ({failure})")
        raise PdfError("the PDF has no text layer (a scan or images only?)")
    return "\n".join(lines)


def _open(data: bytes) -> PdfReader:
    # Sites answer a vanished attachment with an HTML page; say so rather than "EOF not found".
    if b"%PDF-" not in data[:1024]:
        raise PdfError(f"not a PDF (it begins {data[:24]!r})")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # Many official PDFs are encrypted only to forbid printing or copying: their user
            # password is empty and any viewer opens them, so try that before giving up.
            if not reader.decrypt(""):
                raise PdfError("the PDF is encrypted and needs a password to open")
        len(reader.pages)  # reads the page tree, where a damaged file usually fails
    except PdfError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types on damaged input
        raise PdfError(f"corrupt or unreadable PDF: {type(exc).__name__}: {exc}") from exc
    return reader


def _shape(line: str) -> str:
    """A line with its numbers blanked: "第3页" and "第4页" are the same running footer."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", unicodedata.normalize("NFKC", line)))


def _edge_indexes(page: list[str]) -> set[int]:
    return set(range(min(_EDGE, len(page)))) | set(range(max(0, len(page) - _EDGE), len(page)))


def _drop_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Drop page numbers at page edges, then edge lines repeated on at least half the pages."""
    pages = [[line for i, line in enumerate(page)
              if not (i in _edge_indexes(page)
                      and _PAGE_NUMBER.match(unicodedata.normalize("NFKC", line)))]
             for page in pages]
    if len(pages) < 2:
        return pages
    counts = Counter(shape for page in pages
                     for shape in {_shape(page[i]) for i in _edge_indexes(page)})
    repeated = {shape for shape, n in counts.items() if n >= max(2, (len(pages) + 1) // 2)}
    return [[line for i, line in enumerate(page)
             if not (i in _edge_indexes(page) and _shape(line) in repeated)]
            for page in pages]
