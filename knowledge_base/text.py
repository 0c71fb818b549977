"""Chinese text clean-up: full-width forms, PDF line repair, spacing."""
from __future__ import annotations

import re
import unicodedata

# The CJK ideographs (Extension A, the unified block, compatibility ideographs), as the inside of
# a character class: the one definition every module's pattern is built from.
CJK_IDEOGRAPHS = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# CJK ideographs, CJK punctuation and full-width forms: spaces next to these are PDF artefacts.
_CJK = rf"\u3000-\u303f{CJK_IDEOGRAPHS}\uff00-\uffef"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])[ \t\u00a0]+|[ \t\u00a0]+(?=[{_CJK}])")
_CJK_CHAR = re.compile(rf"[{CJK_IDEOGRAPHS}]")
_PAGE_NUMBER = re.compile(r"^\s*[-—–－]?\s*\d{1,3}\s*[-—–－]?\s*$")
_SENTENCE_END = "。：；！？”」』）"


def is_cjk(ch: str) -> bool:
    return bool(_CJK_CHAR.match(ch))


def count_cjk(text: str) -> int:
    return len(_CJK_CHAR.findall(text))


def fix_spacing(text: str) -> str:
    """Drop spaces a PDF extractor put between Chinese characters (and between `11 号`)."""
    return _SPACE_NEAR_CJK.sub("", text)


def normalize_query(text: str) -> str:
    """Canonical form for matching: NFKC (full-width ASCII to half-width), collapsed spaces.

    NFKC keeps Chinese punctuation such as `，。（）` distinct only where it has no ASCII twin;
    both sides of every comparison go through this function, so that is harmless.
    """
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)
    text = re.sub(r"\s+", " ", text).strip()
    return fix_spacing(text)


def clean_lines(raw: str) -> list[str]:
    """Lines of an extracted text without blank lines, page numbers and edge spaces."""
    lines = []
    for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = line.replace("\u3000", " ").strip()
        if not line or _PAGE_NUMBER.match(line):
            continue
        lines.append(fix_spacing(line))
    return lines


def join_wrapped(lines: list[str], starts_paragraph=lambda line: False) -> list[str]:
    """Rebuild paragraphs from hard-wrapped lines.

    A PDF line that ends a sentence and is clearly shorter than a full line ends its paragraph;
    any line for which `starts_paragraph` is true begins a new one.
    """
    if not lines:
        return []
    widths = sorted(len(line) for line in lines)
    full = widths[int(len(widths) * 0.9)] if len(widths) > 3 else widths[-1]
    paragraphs: list[str] = []
    current = ""
    for line in lines:
        if current and starts_paragraph(line):
            paragraphs.append(current)
            current = ""
        current = join_two(current, line)
        if line[-1] in _SENTENCE_END and len(line) < 0.8 * full:
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return paragraphs


def join_two(left: str, right: str) -> str:
    """Join two wrapped pieces: no space between Chinese, one space between Latin words."""
    if not left:
        return right
    if left[-1].isascii() and left[-1].isalnum() and right[:1].isascii() and right[:1].isalpha():
        return f"{left} {right}"
    return fix_spacing(left + right)
