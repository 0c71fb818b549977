"""Typed records that cross the knowledge base's boundary."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal, Optional

TOPICS = (
    "reinvestment",
    "negative_list",
    "encouraged_catalogue",
    "investment_law",
    "approval",
    "information_reporting",
    "complaints",
    "general",
)

# What a "no" or "partial" answer lacks, by kind (its wording is in missing_zh / missing_en):
# market data, an office's contact details, the figure asked for, one's own case, the general
# rule behind a regional clause, a place's local rules, or what applies to one foreign country.
Gap = Literal["", "live_data", "contact", "figure", "own_case", "general_rule", "local_rules",
              "foreign_specifics"]


@dataclass(frozen=True)
class Citation:
    """An official document that a curated guide entry relies on."""

    title: str
    doc_number: str = ""
    issuer: str = ""
    date: str = ""
    url: str = ""


@dataclass(frozen=True)
class Clause:
    id: str
    doc_id: str
    label: str  # exactly as printed: （二十一）, 第三十四条, 一、 …
    heading: str  # heading path: section title > clause title
    text: str
    title_en: str = ""
    summary_en: str = ""
    topics: tuple[str, ...] = ()
    verified: bool = True
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    issuer: str
    date: str
    source_url: str
    doc_number: str = ""
    title_en: str = ""
    issuer_en: str = ""
    language: str = "zh"
    kind: str = "official"  # official | guide | law
    status: str = "current"  # current | superseded | abolished
    superseded_by: Optional[str] = None
    clauses: tuple[Clause, ...] = ()
    # Laws: the date the text in force took effect, and of its latest amendment.
    effective_date: str = ""
    version_date: str = ""
    source_name: str = ""  # names a database address that is not the document's own page


@dataclass(frozen=True)
class SearchResult:
    doc_id: str
    doc_title: str
    issuer: str
    doc_number: str
    date: str
    label: str
    heading: str
    text: str
    summary_en: str
    source_url: str
    score: float
    # Not part of the JSON contract; shown by the table view and used by the bot.
    clause_id: str = ""
    title_en: str = ""
    doc_title_en: str = ""
    citations: tuple[Citation, ...] = ()
    dense: float = 0.0
    bm25: float = 0.0
    topics: tuple[str, ...] = ()
    kind: str = "official"
    status: str = "current"
    superseded_by: str = ""  # the title of the document that replaced this one
    verified: bool = True
    effective_date: str = ""
    version_date: str = ""
    source_name: str = ""

    CONTRACT_FIELDS = (
        "doc_id", "doc_title", "issuer", "doc_number", "date", "label",
        "heading", "text", "summary_en", "source_url", "score",
    )

    def to_contract(self) -> dict:
        data = asdict(self)
        return {k: (round(data[k], 4) if k == "score" else data[k]) for k in self.CONTRACT_FIELDS}


@dataclass(frozen=True)
class SearchResponse:
    query: str
    lang: str
    no_answer: bool
    results: tuple[SearchResult, ...] = ()
    warnings: tuple[str, ...] = field(default=())
    truncated: bool = False  # the question was cut to the searchable length
    # Whether the first result answers the question: "yes", "partial" or "no" (exactly when
    # no_answer); `need` what the question asks for, `missing` what no document states.
    answerable: str = "no"
    need: str = "other"
    missing_zh: str = ""
    missing_en: str = ""
    place: str = ""
    place_en: str = ""
    gap: Gap = ""  # which kind of thing is missing (answerability.Answerability.gap)

    def missing(self, lang: str) -> str:
        return self.missing_zh if lang == "zh" else self.missing_en

    def to_contract(self) -> dict:
        return {
            "query": self.query,
            "lang": self.lang,
            "no_answer": self.no_answer,
            "answerable": self.answerable,
            "missing": self.missing(self.lang),
            "results": [r.to_contract() for r in self.results],
        }


MEASURES = ("prohibited", "restricted", "note", "removed", "pilot", "edition")
LISTS = ("national", "ftz")


@dataclass(frozen=True)
class ListEntryMeta:
    """Optional fields of a curated negative-list entry (item number, measure type, list, ...).

    Guides without them load as before; `knowledge_base.sectors` reads them to give verdicts.
    """

    clause_id: str
    label: str
    measure: str = ""  # one of MEASURES, or "" for an ordinary guide entry
    list: str = "national"  # one of LISTS
    edition: str = ""
    item: Optional[int] = None
    in_force: str = ""
    sector: str = ""
    sector_en: str = ""
    name: str = ""
    name_en: str = ""
    terms: tuple[str, ...] = ()
    condition: str = ""
    condition_en: str = ""
    pilots: tuple[str, ...] = ()  # labels of pilot entries in the same guide
    ftz: str = ""  # "same", or the label of the FTZ entry with a different measure
    places: str = ""
    places_en: str = ""
    checked_against: tuple[str, ...] = ()
    verified: bool = False
