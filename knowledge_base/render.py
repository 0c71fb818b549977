"""Readable, coloured views of search results for staff (terminal tables)."""
from __future__ import annotations

import os
import sys
import textwrap
import unicodedata

from .types import SearchResponse

_COLOURS = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "blue": "34",
            "cyan": "36"}


def use_colour(stream=sys.stdout) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or stream.isatty()


def _paint(text: str, colour: str, on: bool) -> str:
    return f"\033[{_COLOURS[colour]}m{text}\033[0m" if on else text


def _fit(text: str, width: int) -> str:
    out, used = "", 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if used + w > width:
            return out[:-1] + "…" if out else ""
        out += ch
        used += w
    return out + " " * (width - used)


def render_response(resp: SearchResponse, colour: bool | None = None, width: int = 100) -> str:
    on = use_colour() if colour is None else colour
    lines = []
    verdict = {"no": _paint("NO ANSWER", "red", on), "partial": _paint("PARTIAL", "yellow", on)}.get(
        resp.answerable, _paint("answer", "green", on))
    lines.append(f"{_paint('Q', 'bold', on)} {resp.query}  [{resp.lang}]  → {verdict}  "
                 f"answerable: {resp.answerable}  (asks for: {resp.need})")
    if resp.answerable != "yes" and resp.missing_en:
        lines.append(_paint(f"  missing: {resp.missing_en}", "yellow", on))
    for warning in resp.warnings:
        lines.append(_paint(f"! {warning}", "yellow", on))
    if not resp.results:
        lines.append(_paint("  (no results)", "dim", on))
        return "\n".join(lines)
    header = f"{'#':>2}  {'score':>6} {'dense':>6} {'bm25':>6}  {_fit('label', 12)} {'document'}"
    lines.append(_paint(header, "bold", on))
    for rank, r in enumerate(resp.results, 1):
        score = _paint(f"{r.score:6.3f}", "green" if rank == 1 and not resp.no_answer else "cyan", on)
        doc = r.doc_title + (f" {r.doc_number}" if r.doc_number else "")
        if r.status != "current":
            doc += _paint(" [superseded]", "red", on)
        lines.append(f"{rank:>2}  {score} {r.dense:6.3f} {r.bm25:6.3f}  "
                     f"{_paint(_fit(r.label, 12), 'yellow', on)} {doc}")
        snippet = r.text.replace("\n", " ")
        for chunk in textwrap.wrap(snippet, width=width // 2)[:2]:
            lines.append(_paint(f"      {chunk}", "dim", on))
        if r.summary_en:
            for chunk in textwrap.wrap(r.summary_en, width=width - 6)[:2]:
                lines.append(_paint(f"      EN: {chunk}", "blue", on))
    lines.append(_paint("score = weighted z-scores of dense (mean cosine over the clause's zh/en "
                        "passages) and BM25 (raw); the dense and bm25 columns are the raw parts",
                        "dim", on))
    return "\n".join(lines)
