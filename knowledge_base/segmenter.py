"""Split a policy text into labelled clauses under their headings.

Recognised structures (the labels are kept exactly as printed):
  第一章 … (chapter heading)    一、 (section)    （一） (sub-clause)    第一条 (article)    1. / 1． / 1、 (item)
The finest of article, sub-clause, item and section levels that the text uses becomes the clause;
coarser levels become the heading path; finer ones stay inside the clause text (e.g. the （一）
list inside an article). A marker only counts when its number follows the previous one of its
level (or restarts at 1), which rejects wrapped lines that happen to begin with `（二）`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .text import clean_lines, join_wrapped

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUM = "[一二三四五六七八九十百千零〇两]+"


def chinese_number(text: str) -> int:
    """Value of a Chinese numeral such as 二十一 or 一百零三."""
    total, digit = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (digit or 1) * _CN_UNITS[ch]
            digit = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + digit


@dataclass(frozen=True)
class _Level:
    name: str
    pattern: re.Pattern
    is_heading_only: bool = False  # chapters are never clauses

    def match(self, line: str):
        m = self.pattern.match(line)
        if not m:
            return None
        raw = m.group("num")
        num = int(raw) if raw.isdigit() else chinese_number(raw)
        return m.group("label"), num, line[m.end():].strip()


# Ordered from coarse to fine.
LEVELS = (
    _Level("chapter", re.compile(rf"^(?P<label>第(?P<num>{_NUM})[章编])\s*"), True),
    _Level("section", re.compile(rf"^(?P<label>(?P<num>{_NUM})、)\s*")),
    _Level("subclause", re.compile(rf"^(?P<label>[（(](?P<num>{_NUM})[）)])\s*")),
    _Level("article", re.compile(rf"^(?P<label>第(?P<num>{_NUM}|\d+)条)\s*")),
    _Level("item", re.compile(r"^(?P<label>(?P<num>\d{1,2})[.．、](?!\d))\s*")),
)
LEVELS_BY_NAME = {level.name: level for level in LEVELS}
_CLAUSE_PREFERENCE = ("article", "subclause", "item", "section")
# For each clause level, the levels that form its heading path; all others stay in the text.
_HEADING_LEVELS = {
    "article": ("chapter",),
    "subclause": ("chapter", "section"),
    "item": ("chapter", "section", "subclause"),
    "section": ("chapter",),
}
_CLOSING_LEAD = re.compile(r"^(各级|各地区|各地|各有关|各部门|各单位|特此|请各|以上)")
_SIGNATURE_DATE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
# Signatories of orders: "主任：郑栅洁", "部长 王文涛" (one or several on a line).
_SIGNATORY = re.compile(r"^(?:(?:主任|部长|局长|署长|主席|总理|行长|委员长|总局长)\s*[:：]?\s*"
                        r"[\u4e00-\u9fff·]{2,4}\s*)+$")
_TITLE_MAX = 40


@dataclass
class Segment:
    label: str
    heading: tuple[str, ...]
    title: str
    text: str


@dataclass
class Segmented:
    preamble: str
    clauses: list[Segment] = field(default_factory=list)
    closing: str = ""


@dataclass
class _Marker:
    level: str
    label: str
    num: int
    rest: str


def _first_sentence_title(body: str) -> str:
    end = body.find("。")
    if 0 < end < _TITLE_MAX:
        return body[:end]
    return ""


def _scan_markers(lines: list[str]) -> list[_Marker | None]:
    """One marker (or None) per line, keeping only markers whose numbering is consistent.

    A level continues from its last number (the notice numbers （一）…（二十四） across sections)
    or restarts at 1 once a marker of another level has appeared since its last use (a new
    section, or a new article whose （一） list starts again).
    """
    last: dict[str, int] = {}
    parent_since: dict[str, bool] = {}
    out: list[_Marker | None] = []
    for line in lines:
        found = None
        for level in LEVELS:
            hit = level.match(line)
            if not hit:
                continue
            label, num, rest = hit
            continues = num == last.get(level.name, 0) + 1
            restarts = num == 1 and parent_since.get(level.name, False)
            if continues or restarts:
                found = _Marker(level.name, label, num, rest)
                last[level.name] = num
                parent_since[level.name] = False
                for other in LEVELS:
                    if other.name != level.name:
                        parent_since[other.name] = True
            break
        out.append(found)
    return out


def segment(raw: str, *, strip_signature: tuple[str, ...] = (), hard_wrapped: bool = True) -> Segmented:
    """Segment an extracted text. `strip_signature` lists issuer names to drop from the end.
    `hard_wrapped` texts (PDF extractions) have their broken lines rejoined; in a text taken from
    HTML every line is already a whole paragraph and is kept as one."""
    lines = clean_lines(raw)
    rejoin = join_wrapped if hard_wrapped else _lines_as_paragraphs
    # Signature block at the end: issuer line(s) and a date line.
    # Issuers compared without spaces: joint issuers are printed "财政部　税务总局　商务部".
    issuers = {re.sub(r"\s+", "", name) for name in strip_signature if name}
    while lines and (_SIGNATURE_DATE.match(lines[-1]) or _SIGNATORY.match(lines[-1])
                     or re.sub(r"\s+", "", lines[-1]) in issuers):
        lines.pop()
    markers = _scan_markers(lines)
    present = {m.level for m in markers if m}
    clause_level = next((lv for lv in _CLAUSE_PREFERENCE if lv in present), None)
    if clause_level is None:
        return Segmented(preamble="\n".join(rejoin(lines)))
    heading_levels = _HEADING_LEVELS[clause_level]

    preamble_lines: list[str] = []
    headings: dict[str, str] = {}
    # (marker, heading path, body lines, is the heading's own text)
    clauses: list[tuple[_Marker, tuple[str, ...], list[str], bool]] = []
    for line, marker in zip(lines, markers):
        if marker and marker.level in heading_levels:
            # A heading line: its title is the rest of the line (a section title fits one line).
            level = heading_levels.index(marker.level)
            headings[marker.level] = f"{marker.label}{marker.rest}".strip()
            for finer in heading_levels[level + 1:]:
                headings.pop(finer, None)
            if not LEVELS_BY_NAME[marker.level].is_heading_only:
                # Text printed under a heading before its first clause (一、指导思想 + a paragraph)
                # is a clause of its own, labelled by the heading, so it is never lost.
                path = tuple(headings[lv] for lv in heading_levels[:level] if lv in headings)
                clauses.append((marker, path, [], True))
            continue
        if marker and marker.level == clause_level:
            path = tuple(headings[lv] for lv in heading_levels if lv in headings)
            clauses.append((marker, path, [marker.rest] if marker.rest else [], False))
            continue
        if clauses:
            clauses[-1][2].append(line)
        else:
            preamble_lines.append(line)
    # A heading with nothing under it but clauses is only a heading; one whose line is itself a
    # long sentence keeps it as its text.
    clauses = [(m, path, body if body or len(m.rest) <= _TITLE_MAX else [m.rest], own)
               for m, path, body, own in clauses
               if not own or body or len(m.rest) > _TITLE_MAX]

    result = Segmented(preamble="\n".join(rejoin(preamble_lines)))
    for index, (marker, path, body_lines, own) in enumerate(clauses):
        if own:
            body = "\n".join(rejoin(body_lines, starts_paragraph=_starts_finer_marker))
            heading = path + (f"{marker.label}{marker.rest}".strip(),)
            result.clauses.append(Segment(label=marker.label, heading=heading, title=marker.rest,
                                          text=body))
            continue
        paragraphs = rejoin(body_lines, starts_paragraph=_starts_finer_marker)
        if index == len(clauses) - 1:
            while len(paragraphs) > 1 and _CLOSING_LEAD.match(paragraphs[-1]):
                result.closing = "\n".join(filter(None, [paragraphs.pop(), result.closing]))
        body = "\n".join(paragraphs)
        title = _first_sentence_title(body) if clause_level in ("subclause", "section") else ""
        heading = path + ((f"{marker.label}{title}",) if title else ())
        result.clauses.append(Segment(label=marker.label, heading=heading, title=title, text=body))
    return result


def _lines_as_paragraphs(lines: list[str], starts_paragraph=None) -> list[str]:
    return list(lines)


def _starts_finer_marker(line: str) -> bool:
    return any(level.match(line) for level in LEVELS)


UNLABELLED = "正文"
_CHUNK_CHARS = 600


def clauses_or_paragraphs(raw: str, *, strip_signature: tuple[str, ...] = (),
                          hard_wrapped: bool = True) -> list[Segment]:
    """The labelled clauses of a text; a text without labels (a short notice, a news-style page)
    becomes one clause `正文`, or `正文第N段` chunks of about 600 characters, so that nothing
    of it is left out of the index."""
    seg = segment(raw, strip_signature=strip_signature, hard_wrapped=hard_wrapped)
    if seg.clauses:
        return seg.clauses
    chunks: list[str] = []
    for paragraph in filter(None, (p.strip() for p in seg.preamble.split("\n"))):
        if chunks and len(chunks[-1]) + len(paragraph) < _CHUNK_CHARS:
            chunks[-1] = f"{chunks[-1]}\n{paragraph}"
        else:
            chunks.append(paragraph)
    if len(chunks) == 1:
        return [Segment(label=UNLABELLED, heading=(), title="", text=chunks[0])]
    return [Segment(label=f"{UNLABELLED}第{i}段", heading=(), title="", text=chunk)
            for i, chunk in enumerate(chunks, 1)]
