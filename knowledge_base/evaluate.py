"""Retrieval evaluation on a question file: hit@k, MRR per language and no-answer detection."""
from __future__ import annotations

from dataclasses import dataclass, field

from .questions import EvalQuestion, Expected, load_questions  # noqa: F401 (also read from here)
from .search import MODES, KnowledgeBase
from .types import SearchResponse


def first_hit_rank(resp: SearchResponse, expected: tuple[Expected, ...]) -> int | None:
    for rank, r in enumerate(resp.results, 1):
        if any(e.label == r.label and e.doc_title_contains in r.doc_title for e in expected):
            return rank
    return None


@dataclass
class LangScores:
    questions: int = 0
    hit1: int = 0
    hit3: int = 0
    rr: float = 0.0
    misses: list[str] = field(default_factory=list)

    def add(self, rank: int | None, question: str) -> None:
        self.questions += 1
        if rank == 1:
            self.hit1 += 1
        if rank is not None and rank <= 3:
            self.hit3 += 1
        if rank:
            self.rr += 1.0 / rank
        if rank != 1:
            self.misses.append(f"{question}  (rank {rank or '>10'})")

    def as_dict(self) -> dict:
        n = self.questions or 1
        return {"questions": self.questions, "hit@1": self.hit1 / n, "hit@3": self.hit3 / n,
                "mrr": self.rr / n}


@dataclass
class ModeReport:
    mode: str
    by_lang: dict[str, LangScores]
    flagged_out_of_scope: int = 0
    out_of_scope: int = 0
    flagged_answerable: int = 0
    answerable: int = 0
    wrongly_flagged: list[str] = field(default_factory=list)
    missed_out_of_scope: list[str] = field(default_factory=list)

    def no_answer(self) -> dict:
        flagged = self.flagged_out_of_scope + self.flagged_answerable
        return {
            "precision": self.flagged_out_of_scope / flagged if flagged else 1.0,
            "recall": self.flagged_out_of_scope / self.out_of_scope if self.out_of_scope else 1.0,
            "answerable_flagged_rate": (self.flagged_answerable / self.answerable
                                        if self.answerable else 0.0),
        }

    def overall(self) -> dict:
        total = LangScores()
        for s in self.by_lang.values():
            total.questions += s.questions
            total.hit1 += s.hit1
            total.hit3 += s.hit3
            total.rr += s.rr
        return total.as_dict()

    def as_dict(self) -> dict:
        data = {"mode": self.mode, "overall": self.overall(),
                "by_lang": {k: v.as_dict() for k, v in sorted(self.by_lang.items())}}
        if self.mode == "hybrid":
            data["no_answer"] = self.no_answer()
        return data


def evaluate(kb: KnowledgeBase, questions: list[EvalQuestion], modes=MODES) -> list[ModeReport]:
    reports = []
    for mode in modes:
        report = ModeReport(mode=mode, by_lang={})
        for q in questions:
            resp = kb.search(q.question, top_k=10, mode=mode)
            lang = q.lang or resp.lang
            if q.answerable:
                report.by_lang.setdefault(lang, LangScores()).add(
                    first_hit_rank(resp, q.expected), q.question)
                report.answerable += 1
                if resp.no_answer:
                    report.flagged_answerable += 1
                    report.wrongly_flagged.append(q.question)
            else:
                report.out_of_scope += 1
                if resp.no_answer:
                    report.flagged_out_of_scope += 1
                else:
                    report.missed_out_of_scope.append(q.question)
        reports.append(report)
    return reports


def format_reports(reports: list[ModeReport], verbose: bool = False) -> str:
    lines = [f"{'mode':<7} {'lang':<5} {'n':>4} {'hit@1':>6} {'hit@3':>6} {'MRR':>6}"]
    for report in reports:
        for lang, scores in sorted(report.by_lang.items()):
            d = scores.as_dict()
            lines.append(f"{report.mode:<7} {lang:<5} {d['questions']:>4} {d['hit@1']:>6.3f} "
                         f"{d['hit@3']:>6.3f} {d['mrr']:>6.3f}")
        o = report.overall()
        lines.append(f"{report.mode:<7} {'all':<5} {o['questions']:>4} {o['hit@1']:>6.3f} "
                     f"{o['hit@3']:>6.3f} {o['mrr']:>6.3f}")
    hybrid = next((r for r in reports if r.mode == "hybrid"), None)
    if hybrid:
        na = hybrid.no_answer()
        lines.append(
            f"no-answer (hybrid): precision {na['precision']:.3f}, recall {na['recall']:.3f} "
            f"({hybrid.flagged_out_of_scope}/{hybrid.out_of_scope} out-of-scope flagged), "
            f"answerable wrongly flagged {hybrid.flagged_answerable}/{hybrid.answerable} "
            f"({na['answerable_flagged_rate']:.1%})")
        if verbose:
            for lang, scores in sorted(hybrid.by_lang.items()):
                for miss in scores.misses:
                    lines.append(f"  miss [{lang}] {miss}")
            for q in hybrid.wrongly_flagged:
                lines.append(f"  flagged but answerable: {q}")
            for q in hybrid.missed_out_of_scope:
                lines.append(f"  out of scope but answered: {q}")
    return "\n".join(lines)
