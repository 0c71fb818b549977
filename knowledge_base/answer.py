"""Compose a cited answer from search results: the quote, its citation, and "see also"."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from .types import SearchResponse, SearchResult


@dataclass(frozen=True)
class Source:
    doc_title: str
    label: str
    doc_number: str
    date: str
    source_url: str

    @classmethod
    def of(cls, r: SearchResult) -> "Source":
        return cls(r.doc_title, r.label, r.doc_number, r.date, r.source_url)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ComposedAnswer:
    lang: str
    no_answer: bool
    text: str
    sources: tuple[Source, ...] = ()

    def payload(self) -> dict:
        """The `custom` payload that channels render as source cards."""
        return {"type": "answer", "lang": self.lang,
                "sources": [s.as_dict() for s in self.sources]}


def _citation(r: SearchResult, lang: str) -> str:
    parts = [p for p in (r.doc_number, r.date) if p]
    tail = f"（{'，'.join(parts)}）" if parts and lang == "zh" else (f" ({', '.join(parts)})" if parts else "")
    if r.kind == "guide":
        if lang == "zh":
            return f"本助手据官方文件整理的指南《{r.doc_title}》“{r.label}”{tail}"
        return f"our guide \"{r.title_en or r.label}\", compiled from the official documents{tail}"
    if lang == "zh":
        return f"《{r.doc_title}》{r.label}{tail}"
    title = r.doc_title_en or r.doc_title
    return f"{title}, clause {r.label}{tail}"


def _caveats(r: SearchResult, lang: str) -> list[str]:
    notes = []
    if not r.verified:
        notes.append("注意：此条信息尚待官方文本核实。" if lang == "zh"
                     else "Note: this point has not yet been confirmed against the official text.")
    if r.status != "current":
        if r.superseded_by and r.superseded_by == r.doc_title:
            # The same page republished with changes: the quote is from the older version.
            notes.append("注意：该文件已更新，以下为旧版本的内容。" if lang == "zh"
                         else "Note: this document has since been revised; the text below is "
                              "from an earlier version.")
        elif r.superseded_by:
            notes.append(f"注意：该文件已被《{r.superseded_by}》取代，以下为历史规定。" if lang == "zh"
                         else f"Note: this document has been superseded by “{r.superseded_by}”; "
                              "the text below is historical.")
        else:
            notes.append("注意：该文件已被新文件取代，以下为历史规定。" if lang == "zh"
                         else "Note: this document has been superseded; the text below is historical.")
    return notes


def compose_answer(resp: SearchResponse, lang: str, see_also: int = 2) -> ComposedAnswer:
    """Quote the best clause with its citation, then up to `see_also` more sources.

    English readers get the curated English summary first and the Chinese original under it;
    nothing is translated on the fly, so every sentence shown is one we stored.
    """
    if resp.no_answer or not resp.results:
        return ComposedAnswer(lang=lang, no_answer=True, text="")
    best, others = resp.results[0], resp.results[1:1 + see_also]
    lines = _caveats(best, lang)
    if lang == "en":
        lines.append(f"According to {_citation(best, 'en')}:")
        if best.summary_en:
            lines.append(best.summary_en)
        lines.append(f"Chinese original: “{best.text}”")
        if others:
            lines.append("See also: " + "; ".join(_citation(r, "en") for r in others))
    else:
        lines.append(f"根据{_citation(best, 'zh')}：")
        lines.append(f"“{best.text}”")
        if others:
            lines.append("另见：" + "；".join(_citation(r, "zh") for r in others))
    sources = tuple(Source.of(r) for r in (best, *others))
    return ComposedAnswer(lang=lang, no_answer=False, text="\n".join(lines), sources=sources)
