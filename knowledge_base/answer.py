"""Compose a cited answer from search results: the quote, its citation, and "see also"."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date

from .direct_answer import direct_answer
from .segmenter import chinese_number
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
    answerable: str = "yes"  # yes | partial | no (see knowledge_base.answerability)
    missing: str = ""  # what no document states, in the user's language
    direct: str = ""  # the plain lead sentence, when the clause states the figure asked for

    def payload(self) -> dict:
        """The `custom` payload that channels render as source cards."""
        return {"type": "answer", "lang": self.lang, "answerable": self.answerable,
                "missing": self.missing, "direct": self.direct,
                "sources": [s.as_dict() for s in self.sources]}

def article_number_en(label: str) -> str:
    """第二十一条 -> Article 21; 第十七条之一 -> Article 17-1; anything else unchanged."""

    m = re.fullmatch(r"第([一二三四五六七八九十百千零〇两]+|\d+)条(?:之([一二三四五六七八九十]+))?", label)
    if not m:
        return label
    number = int(m.group(1)) if m.group(1).isdigit() else chinese_number(m.group(1))
    return f"Article {number}" + (f"-{chinese_number(m.group(2))}" if m.group(2) else "")

def _law_citation(r: SearchResult, lang: str) -> str:
    status_zh = {"current": "现行有效"}.get(r.status, "已失效")
    if lang == "zh":
        parts = [f"施行日期{r.effective_date}" if r.effective_date else "",
                 f"最近修改{r.version_date}" if r.version_date and r.version_date != r.effective_date else "",
                 status_zh]
        return f"《{r.doc_title}》{r.label}（{'，'.join(p for p in parts if p)}）"
    parts = [f"in force since {r.effective_date}" if r.effective_date else "",
             f"last amended {r.version_date}" if r.version_date and r.version_date != r.effective_date else "",
             "current" if r.status == "current" else "no longer in force"]
    title = f"the {r.doc_title_en} ({r.doc_title})" if r.doc_title_en else f"《{r.doc_title}》"
    return f"{title}, {article_number_en(r.label)} ({r.label}; {', '.join(p for p in parts if p)})"

def _law_source_line(r: SearchResult, lang: str) -> str:
    if not r.source_url:
        return ""
    if r.source_name:
        return (f"官方文本见{r.source_name}：{r.source_url}" if lang == "zh"
                else f"Official text: the {r.source_name} (National Database of Laws and "
                     f"Regulations), {r.source_url}")
    return f"官方文本：{r.source_url}" if lang == "zh" else f"Official text: {r.source_url}"

def _citation(r: SearchResult, lang: str) -> str:
    if r.kind == "law":
        return _law_citation(r, lang)
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

def _caveats(r: SearchResult, lang: str, today: str | None = None) -> list[str]:
    notes = []
    today = today or date.today().isoformat()
    if r.kind == "law" and r.effective_date and r.effective_date > today:
        notes.append(f"注意：以下为{r.effective_date}起施行的文本，此前仍适用原有规定。" if lang == "zh"
                     else f"Note: the text below takes effect on {r.effective_date}; until then the "
                          "earlier text of the law applies.")
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

def no_answer_reason(resp: SearchResponse, lang: str) -> str:
    """One sentence naming what the documents do not hold, when the judgment knows it."""
    missing = resp.missing(lang)
    if not missing:
        return ""
    return (f"我们掌握的政策文件和法律中没有{missing}。" if lang == "zh"
            else f"The policy documents and laws we hold do not contain {missing}.")


def _partial_lead(resp: SearchResponse, lang: str) -> list[str]:
    missing = resp.missing(lang)
    if lang == "zh":
        return [f"我们掌握的全国性文件不包括{missing}，以下条文只回答了问题的一部分："]
    return [f"The national documents we hold do not set {missing}; the provision below answers "
            "only part of the question:"]


def _partial_advice(resp: SearchResponse, lang: str) -> list[str]:
    if resp.place:
        if lang == "zh":
            return [f"{resp.place}的地方政策，请咨询当地商务主管部门（可在{resp.place}人民政府门户网站"
                    "“政务公开”或“部门信息”栏目查到其联系方式）。"]
        return [f"For {resp.place_en}'s own incentives and rules, ask the local commerce department "
                f"(its contact details are on the {resp.place_en} government's official website)."]
    if resp.gap == "own_case":
        return ["具体事项的办理进度只有受理机关能够告知，请直接联系受理您事项的机关。" if lang == "zh"
                else "Only the office handling your matter can tell you where it stands; please ask it directly."]
    return []


def compose_answer(resp: SearchResponse, lang: str, see_also: int = 2) -> ComposedAnswer:
    """Quote the best clause with its citation, then up to `see_also` more sources.

    English readers get the curated English summary first and the Chinese original under it;
    nothing is translated on the fly, so every sentence shown is one we stored.
    """
    if resp.no_answer or not resp.results:
        return ComposedAnswer(lang=lang, no_answer=True, text=no_answer_reason(resp, lang),
                              answerable="no", missing=resp.missing(lang))
    best, others = resp.results[0], resp.results[1:1 + see_also]
    partial = resp.answerable == "partial"
    # A figure leads only a full answer: in a partial one it would answer the missing part.
    direct = "" if partial else (direct_answer(resp.query, resp.need, best, lang) or "")
    lines = ([direct] if direct else []) + (_partial_lead(resp, lang) if partial else [])
    lines += _caveats(best, lang)
    if lang == "en":
        lines.append(f"According to {_citation(best, 'en')}:")
        if best.summary_en:
            lines.append(best.summary_en)
        if best.kind == "law":
            # Laws carry no English text of ours: the title is our rendering, the article is not
            # translated, so nothing shown passes for an official translation.
            lines.append("(The English title is our own rendering; we hold no official English "
                         "text of this article.)")
        lines.append(f"Chinese original: “{best.text}”")
        if best.kind == "law" and _law_source_line(best, "en"):
            lines.append(_law_source_line(best, "en"))
        if others:
            lines.append("See also: " + "; ".join(_citation(r, "en") for r in others))
    else:
        lines.append(f"根据{_citation(best, 'zh')}：")
        lines.append(f"“{best.text}”")
        if best.kind == "law" and _law_source_line(best, "zh"):
            lines.append(_law_source_line(best, "zh"))
        if others:
            lines.append("另见：" + "；".join(_citation(r, "zh") for r in others))
    if partial:
        lines += _partial_advice(resp, lang)
    sources = tuple(Source.of(r) for r in (best, *others))
    return ComposedAnswer(lang=lang, no_answer=False, text="\n".join(lines), sources=sources,
                          answerable=resp.answerable, missing=resp.missing(lang) if partial else "",
                          direct=direct)
