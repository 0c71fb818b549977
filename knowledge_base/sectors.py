"""Sector verdicts: "can a foreign investor do X?" -> prohibited / restricted / open / removed.

The verdict is reached by the hybrid search plus the sector vocabulary, never by an answer written
per question: the vocabulary maps the everyday words of the question ("primary school", "快递")
to the lists' sector terms; the search ranks the curated negative-list entries for the question
(expanded with those terms); the best-ranked entry that carries one of the terms decides. When no
list entry carries them, the sector is not on the list and the verdict is national treatment, never
"prohibited" by guesswork. Each entry's item number, measure, condition, pilots and FTZ measure
come from the guide's optional fields (`corpus_loader.guide_entry_metadata`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Generic, Sequence, TypeVar

import yaml

from .answer import ComposedAnswer, compose_answer
from .corpus_loader import guide_entry_metadata
from .types import ListEntryMeta, SearchResponse, SearchResult

VOCABULARY_PATH = Path(__file__).with_name("sector_vocabulary.yaml")
# The clause quoted for "not on the list": national treatment outside the list (FIL art. 4).
NATIONAL_TREATMENT_CLAUSE = "guide-negative_list#负面清单制度与非禁即入"
MARKET_ACCESS_CLAUSE = "guide-negative_list#市场准入负面清单的区别"
KINDS = ("prohibited", "restricted", "open", "removed")
_DECIDING = ("prohibited", "restricted", "removed")

NATIONAL_LIST = {
    "zh": "2024年版全国外资准入负面清单（国家发展改革委、商务部令第23号）",
    "en": "the 2024 national negative list for foreign investment (NDRC/MOFCOM Order No. 23)",
}
FTZ_LIST = {
    "zh": "自由贸易试验区外资准入负面清单（2021年版，自2022年1月1日起施行）",
    "en": "the free trade zone negative list (2021 edition, in force since 1 January 2022)",
}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


@dataclass(frozen=True)
class VocabularyEntry:
    name: str
    name_en: str
    terms: tuple[str, ...]
    note: str = ""
    note_en: str = ""


@dataclass(frozen=True)
class Place:
    """A city or province a question may name; `within` are the provinces it lies in."""
    name: str
    name_en: str
    within: tuple[str, ...] = ()


@dataclass(frozen=True)
class VocabularyMatch:
    entries: tuple[VocabularyEntry, ...]

    @property
    def terms(self) -> frozenset[str]:
        return frozenset(t for e in self.entries for t in e.terms)


_Value = TypeVar("_Value")


class _Phrases(Generic[_Value]):
    """Chinese words as substrings, English ones as whole words; longest first, no overlaps."""

    def __init__(self, pairs: Sequence[tuple[str, _Value]]):
        self._pairs: list[tuple[re.Pattern[str], _Value]] = []
        for word, value in sorted(pairs, key=lambda p: -len(p[0])):
            word = str(word)
            if re.search(r"[\u3400-\u9fff]", word):
                pattern = re.compile(re.escape(word))
            else:
                words = [re.escape(w) for w in word.lower().split()]
                pattern = re.compile(r"(?<![a-z0-9])" + r"[\s\-]+".join(words) + r"(?![a-z0-9])")
            self._pairs.append((pattern, value))

    def find(self, text: str) -> list[_Value]:
        lowered = text.lower()
        taken = [False] * len(lowered)
        found: list[_Value] = []
        for pattern, value in self._pairs:
            for m in pattern.finditer(lowered):
                if any(taken[m.start():m.end()]):
                    continue
                taken[m.start():m.end()] = [True] * (m.end() - m.start())
                if value not in found:
                    found.append(value)
        return found


@dataclass(frozen=True)
class Vocabulary:
    sectors: _Phrases[VocabularyEntry]
    ftz: _Phrases[str]
    market_access: _Phrases[str]
    cues: _Phrases[str]
    places: _Phrases[Place]

    def match(self, text: str) -> VocabularyMatch:
        return VocabularyMatch(tuple(self.sectors.find(text)))

    def mentions_ftz(self, text: str) -> bool:
        return bool(self.ftz.find(text))

    def mentions_market_access(self, text: str) -> bool:
        return bool(self.market_access.find(text))

    def has_cue(self, text: str) -> bool:
        return bool(self.cues.find(text))

    def place(self, text: str) -> Place | None:
        """The first city or province the text names, if any."""
        found = self.places.find(text)
        return found[0] if found else None


@lru_cache(maxsize=4)
def load_vocabulary(path: Path = VOCABULARY_PATH) -> Vocabulary:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    pairs: list[tuple[str, VocabularyEntry]] = []
    for s in data["sectors"]:
        entry = VocabularyEntry(name=s["name"], name_en=s["name_en"], terms=tuple(s["terms"]),
                                note=s.get("note", ""), note_en=s.get("note_en", ""))
        pairs += [(w, entry) for w in (*s.get("zh", ()), *s.get("en", ()))]

    def flat(key: str) -> _Phrases[str]:
        words = [*data[key].get("zh", ()), *data[key].get("en", ())]
        return _Phrases([(w, key) for w in words])

    place_pairs: list[tuple[str, Place]] = []
    for pl in data.get("places") or ():
        place = Place(name=pl["name"], name_en=pl["name_en"], within=tuple(pl.get("within", ())))
        place_pairs += [(w, place) for w in (pl["name"], pl["name_en"], *pl.get("zh", ()),
                                              *pl.get("en", ()))]
    return Vocabulary(_Phrases(pairs), flat("ftz"), flat("market_access"), flat("cues"),
                      _Phrases(place_pairs))


@lru_cache(maxsize=8)
def _list_entries(guides_dir: str, stamp: tuple) -> tuple[ListEntryMeta, ...]:
    entries: list[ListEntryMeta] = []
    for path in sorted(Path(guides_dir).glob("*.yaml")):
        entries += [m for m in guide_entry_metadata(path) if m.measure]
    return tuple(entries)


def list_entries(corpus_dir: Path) -> tuple[ListEntryMeta, ...]:
    """Every curated entry with a measure type, re-read when a guide file changes."""
    guides = Path(corpus_dir) / "guides"
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(guides.glob("*.yaml")))
    return _list_entries(str(guides), stamp)


@dataclass(frozen=True)
class SectorVerdict:
    kind: str  # one of KINDS
    list: str  # "national" or "ftz": the list the verdict is drawn from
    lang: str
    sentence: str  # what the user reads first
    sector: str  # the sector as the question named it (vocabulary name)
    entry: ListEntryMeta | None = None  # the deciding list entry (None when not on the list)
    pilots: tuple[ListEntryMeta, ...] = ()
    place: str = ""  # the city or province the question named (vocabulary name), if any
    pilots_here: tuple[str, ...] = ()  # labels of the pilots that apply in that place

    def as_dict(self) -> dict:
        return {"kind": self.kind, "list": self.list, "item": self.entry.item if self.entry else None,
                "edition": self.entry.edition if self.entry else "",
                "in_force": self.entry.in_force if self.entry else "",
                "pilots": [p.label for p in self.pilots], "place": self.place,
                "pilots_here": list(self.pilots_here)}


@dataclass(frozen=True)
class SectorAnswer:
    verdict: SectorVerdict
    response: SearchResponse  # results reordered: the deciding clause first, then pilots


def _date(value: str, lang: str) -> str:
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value or "")
    if not m:
        return value
    y, mo, d = (int(x) for x in m.groups())
    return f"{y}年{mo}月{d}日" if lang == "zh" else f"{d} {_MONTHS[mo - 1]} {y}"


def _pilot_sentence(p: ListEntryMeta, lang: str) -> str:
    if lang == "zh":
        return f"试点放宽：{p.name}试点适用于{p.places}（{_date(p.in_force, 'zh')}起）。"
    return f"A pilot relaxes this: {p.name_en}, in {p.places_en} (since {_date(p.in_force, 'en')})."


def pilot_reach(p: ListEntryMeta, place: Place) -> str:
    """Whether a pilot's places include a named place: "yes", "within" (its province is named, so
    only the listed areas there) or "no"."""
    if place.name in p.places or place.name_en.lower() in p.places_en.lower():
        return "yes"
    # "海南全岛" and "海南自由贸易港" cover the whole province, every city in it.
    if any(f"{prov}{whole}" in p.places for prov in place.within for whole in ("全岛", "自由贸易港")):
        return "yes"
    if any(prov in p.places for prov in place.within):
        return "within"
    return "no"


def _place_sentence(p: ListEntryMeta, place: Place, e: ListEntryMeta, lang: str) -> str:
    reach = pilot_reach(p, place)
    if lang == "zh":
        if reach == "yes":
            return f"您提到的{place.name}在这一试点的地区之列（以上述范围为准）。"
        if reach == "within":
            prov = next(x for x in place.within if x in p.places)
            return f"您提到的{place.name}所在的{prov}在试点范围内，但试点只限上述区域。"
        return (f"您提到的{place.name}不在这一试点的地区之列，那里仍适用全国清单第{e.item}项的规定。")
    if reach == "yes":
        return f"{place.name_en} is among this pilot's places (within the scope listed)."
    if reach == "within":
        return (f"{place.name_en} lies in a province the pilot names, but the pilot covers only the "
                "areas listed.")
    return (f"{place.name_en} is not among this pilot's places: item {e.item} of the national list "
            "applies there.")


def _national_sentence(e: ListEntryMeta, lang: str) -> str:
    zh = lang == "zh"
    if e.measure == "prohibited":
        return (f"结论：禁止外商投资。{e.name}属于{NATIONAL_LIST['zh']}第{e.item}项（{e.sector}）的"
                f"禁止类措施，该清单自{_date(e.in_force, 'zh')}起施行。" if zh else
                f"Verdict: prohibited. Foreign investment in {e.name_en} is banned by item {e.item} "
                f"({e.sector_en}) of {NATIONAL_LIST['en']}, in force since {_date(e.in_force, 'en')}.")
    if e.measure == "restricted":
        return (f"结论：有条件开放（限制类）。{e.name}列在{NATIONAL_LIST['zh']}第{e.item}项（{e.sector}）："
                f"{e.condition}。该清单自{_date(e.in_force, 'zh')}起施行。" if zh else
                f"Verdict: restricted. Item {e.item} ({e.sector_en}) of {NATIONAL_LIST['en']}, in "
                f"force since {_date(e.in_force, 'en')}, covers {e.name_en}: {e.condition_en}.")
    # removed
    return (f"结论：已不再限制。{e.name}已由{e.edition}年版负面清单删除，自{_date(e.in_force, 'zh')}起"
            "不再有外资准入限制。" if zh else
            f"Verdict: no longer restricted. The {e.edition} edition of the negative list removed "
            f"{e.name_en}; since {_date(e.in_force, 'en')} there is no foreign-entry restriction.")


def _ftz_sentence(e: ListEntryMeta, ftz_entry: ListEntryMeta | None, lang: str) -> str:
    zh = lang == "zh"
    if e.measure == "removed":
        return (f"结论（自贸试验区）：不受限制。自贸试验区清单和全国清单都已没有这一限制：{e.name}已由"
                f"{e.edition}年版负面清单删除（{_date(e.in_force, 'zh')}起）。" if zh else
                "Verdict (free trade zone): not restricted. Neither the FTZ list nor the national "
                f"list has this measure any more: the {e.edition} edition removed {e.name_en} "
                f"(since {_date(e.in_force, 'en')}).")
    if ftz_entry is not None and ftz_entry.measure == "removed":
        return (f"结论（自贸试验区）：不受限制。{FTZ_LIST['zh']}没有这一措施：{ftz_entry.name}自"
                f"{ftz_entry.edition}年版自贸试验区清单（{_date(ftz_entry.in_force, 'zh')}起）已不在清单上。"
                f"自贸试验区以外仍适用全国清单第{e.item}项。" if zh else
                "Verdict (free trade zone): not restricted. "
                f"{FTZ_LIST['en'][:1].upper()}{FTZ_LIST['en'][1:]} has no such measure: {ftz_entry.name_en} "
                f"left the FTZ list with its {ftz_entry.edition} edition (from "
                f"{_date(ftz_entry.in_force, 'en')}). Outside the zones, item {e.item} of the national "
                "list still applies.")
    if ftz_entry is not None:
        return (f"结论（自贸试验区）：比全国清单宽松。{FTZ_LIST['zh']}对{ftz_entry.name}的规定是："
                f"{ftz_entry.condition}。全国清单第{e.item}项的规定仍适用于自贸试验区以外。" if zh else
                f"Verdict (free trade zone): looser than the national list. Under {FTZ_LIST['en']}, "
                f"for {ftz_entry.name_en}: {ftz_entry.condition_en}. Outside the zones, item {e.item} "
                "of the national list still applies.")
    if e.measure == "prohibited":
        return (f"结论（自贸试验区）：同样禁止。{FTZ_LIST['zh']}对{e.name}的禁止与全国清单第{e.item}项相同。"
                if zh else f"Verdict (free trade zone): prohibited there too. {FTZ_LIST['en'][:1].upper()}"
                f"{FTZ_LIST['en'][1:]} keeps the same ban on {e.name_en} as item {e.item} of the "
                "national list.")
    return (f"结论（自贸试验区）：同样限制。{FTZ_LIST['zh']}对{e.name}的要求与全国清单第{e.item}项相同："
            f"{e.condition}。" if zh else f"Verdict (free trade zone): restricted there too. "
            f"{FTZ_LIST['en'][:1].upper()}{FTZ_LIST['en'][1:]} keeps the same condition on "
            f"{e.name_en} as item {e.item} of the national list: {e.condition_en}.")


def _open_sentence(sector: VocabularyEntry, ftz: bool, lang: str) -> str:
    if lang == "zh":
        where = "全国外资准入负面清单（2024年版）和自贸试验区清单" if ftz else "2024年版全国外资准入负面清单"
        return (f"结论：不在外资准入负面清单上。{sector.name}未列入{where}，外资按内外资一致原则享受国民待遇"
                "（《外商投资法》第四条、第二十八条）。但仍须依法取得该行业的许可，并遵守对内外资同样适用的"
                "《市场准入负面清单》。")
    where = ("the 2024 national negative list for foreign investment or the free trade zone list"
             if ftz else "the 2024 national negative list for foreign investment")
    return (f"Verdict: not on the negative list. {sector.name_en[:1].upper()}{sector.name_en[1:]} is not "
            f"on {where}, so foreign investors get national treatment (Foreign Investment Law, "
            "articles 4 and 28). Sector licences still apply, and so does the Market Access Negative "
            "List, which binds domestic and foreign investors alike.")


def _market_access_note(lang: str) -> str:
    return ("注意：您提到的《市场准入负面清单》是另一份清单，对内外资一致适用；外资是否可以进入，"
            "看的是外商投资准入负面清单。" if lang == "zh" else
            "Note: the Market Access Negative List you mention is a different list, binding domestic "
            "and foreign investors alike; whether foreign investors may enter is decided by the "
            "negative list for foreign investment.")


def names_a_sector(question: str, previous: str | None = None,
                   vocabulary: Vocabulary | None = None) -> bool:
    """Cheap check, no search: could `sector_answer` give a verdict for this question?"""
    vocab = vocabulary or load_vocabulary()
    if vocab.match(question).entries:
        return vocab.has_cue(question)
    return bool(previous) and vocab.mentions_ftz(question) and bool(vocab.match(previous).entries)


def sector_answer(kb, question: str, lang: str, previous: str | None = None,
                  vocabulary: Vocabulary | None = None) -> SectorAnswer | None:
    """A verdict for a question that names a business activity, or None when it names none.

    `previous` is the user's previous message: "and in an FTZ?" takes its sector from there.
    `kb` is a `search.KnowledgeBase` (anything with `search` and `settings.corpus_dir`).
    """
    vocab = vocabulary or load_vocabulary()
    ftz = vocab.mentions_ftz(question)
    found = vocab.match(question)
    search_text = question
    if found.entries:
        if not vocab.has_cue(question):
            return None
    elif ftz and previous:
        found = vocab.match(previous)
        if not found.entries:
            return None
        search_text = f"{previous} {question}"
    else:
        return None
    terms = found.terms
    # The vocabulary's terms join the question so that BM25 sees the list's own words.
    resp = kb.search(f"{search_text} {' '.join(sorted(terms))}", lang=lang, topic="negative_list",
                     top_k=200)
    entries = list_entries(kb.settings.corpus_dir)
    by_id = {e.clause_id: e for e in entries}
    by_label = {e.label: e for e in entries}
    deciding = [r for r in resp.results
                if (e := by_id.get(r.clause_id)) and e.measure in _DECIDING and e.list == "national"
                and terms & set(e.terms)]
    results = {r.clause_id: r for r in resp.results}
    lead: list[SearchResult] = []
    pilots: tuple[ListEntryMeta, ...] = ()
    if deciding:
        best = deciding[0]
        entry = by_id[best.clause_id]
        sector = next((v for v in found.entries if set(v.terms) & set(entry.terms)), found.entries[0])
        ftz_entry = by_label.get(entry.ftz) if ftz and entry.ftz not in ("", "same") else None
        if ftz_entry is not None and not terms & set(ftz_entry.terms):
            # The FTZ entry covers only part of the item ("schooling vocational institutions" of
            # the education item): a question on the rest gets the national measure there too.
            ftz_entry = None
        pilots = tuple(by_label[p] for p in entry.pilots if p in by_label)
        if ftz:
            sentence = _ftz_sentence(entry, ftz_entry, lang)
            if ftz_entry is not None:
                kind = "open" if ftz_entry.measure == "removed" else "restricted"
            else:
                kind = "open" if entry.measure == "removed" else entry.measure
            listed = "ftz"
            lead = [results[c] for c in (ftz_entry.clause_id if ftz_entry else "", best.clause_id)
                    if c in results]
        else:
            sentence = _national_sentence(entry, lang)
            kind, listed = entry.measure, "national"
            lead = [best]
        sep = " " if lang == "en" else ""
        place = vocab.place(question) or (vocab.place(previous) if previous and ftz else None)
        pilots_here: tuple[str, ...] = ()
        if pilots and entry.measure != "removed":
            for p in pilots:
                sentence += sep + _pilot_sentence(p, lang)
                if place is not None:
                    sentence += sep + _place_sentence(p, place, entry, lang)
            lead += [results[p.clause_id] for p in pilots if p.clause_id in results]
            if place is not None:
                pilots_here = tuple(p.label for p in pilots if pilot_reach(p, place) != "no")
        note = sector.note_en if lang == "en" else sector.note
        if note:
            sentence += sep + note
        verdict = SectorVerdict(kind=kind, list=listed, lang=lang, sentence=sentence,
                                sector=sector.name_en if lang == "en" else sector.name,
                                entry=ftz_entry or entry, pilots=pilots,
                                place=(place.name_en if lang == "en" else place.name) if place else "",
                                pilots_here=pilots_here)
    else:
        sector = found.entries[0]
        sentence = _open_sentence(sector, ftz, lang)
        verdict = SectorVerdict(kind="open", list="ftz" if ftz else "national", lang=lang,
                                sentence=sentence,
                                sector=sector.name_en if lang == "en" else sector.name)
        lead = [results[c] for c in (NATIONAL_TREATMENT_CLAUSE,) if c in results]
    if vocab.mentions_market_access(question):
        verdict = replace(verdict, sentence=verdict.sentence + (" " if lang == "en" else "")
                          + _market_access_note(lang))
        lead += [results[c] for c in (MARKET_ACCESS_CLAUSE,) if c in results]
    # Then only entries on the same sector ("see also"), in the search's order: an unrelated
    # list item under a verdict would read as part of it.
    seen = {r.clause_id for r in lead}
    related = [r for r in resp.results if r.clause_id not in seen
               and (e := by_id.get(r.clause_id)) is not None and terms & set(e.terms)]
    ordered = tuple(lead) + tuple(related) or resp.results[:1]
    return SectorAnswer(verdict=verdict, response=replace(resp, results=ordered, no_answer=False))


def compose_sector_answer(answer: SectorAnswer, lang: str) -> ComposedAnswer:
    """The verdict sentence first, then the deciding clause quoted with its citation."""
    quoted = compose_answer(answer.response, lang)
    return replace(quoted, text=f"{answer.verdict.sentence}\n{quoted.text}")
