"""The bilingual glossary: English policy terms -> Chinese terms, for query expansion."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

GLOSSARY_PATH = Path(__file__).with_name("glossary.yaml")


@dataclass(frozen=True)
class Glossary:
    # (compiled English phrase pattern, Chinese terms), longest phrases first.
    entries: tuple[tuple[re.Pattern, tuple[str, ...]], ...]
    zh_terms: frozenset[str]
    # (colloquial Chinese words, formal terms the documents use)
    zh_synonyms: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()

    def expand(self, text: str) -> list[str]:
        """Chinese terms for the English glossary phrases in `text` (lower-cased). A phrase found
        only inside a longer one does not count: "freely transfer" (汇出) is not also "transfer"
        (the reinvestment rule's transfer between accounts); overlapping phrases both count
        ("enterprise income tax rate": 企业所得税 and 税率)."""
        lowered = text.lower()
        found: list[str] = []
        taken: list[tuple[int, int]] = []
        for pattern, zh in self.entries:  # longest phrases first
            spans = [m.span() for m in pattern.finditer(lowered)]
            free = [(a, b) for a, b in spans if not any(x <= a and b <= y for x, y in taken)]
            if free:
                found.extend(t for t in zh if t not in found)
                taken.extend(free)
        return found

    def formal_terms(self, text: str) -> list[str]:
        """Formal Chinese terms for the colloquial words found in a Chinese question."""
        found: list[str] = []
        for asks, terms in self.zh_synonyms:
            if any(a in text for a in asks):
                found.extend(t for t in terms if t not in found)
        return found


@lru_cache(maxsize=4)
def load_glossary(path: Path = GLOSSARY_PATH) -> Glossary:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    pairs = []
    zh_terms: set[str] = set()
    for term in data["terms"]:
        zh = tuple(term["zh"])
        zh_terms.update(zh)
        for en in term["en"]:
            words = [re.escape(w) for w in str(en).lower().split()]
            # A phrase of several words is a noun phrase and may be plural ("information
            # reports"); a single word is matched as written ("term" is not "terms").
            plural = r"(?:s|es)?" if len(words) > 1 else ""
            pattern = re.compile(r"(?<![a-z0-9])" + r"[\s\-]+".join(words) + plural + r"(?![a-z0-9])")
            pairs.append((len(str(en)), pattern, zh))
    pairs.sort(key=lambda p: -p[0])
    synonyms = tuple((tuple(s["ask"]), tuple(s["terms"])) for s in data.get("zh_synonyms") or [])
    for _, terms in synonyms:
        zh_terms.update(terms)
    return Glossary(entries=tuple((p, zh) for _, p, zh in pairs), zh_terms=frozenset(zh_terms),
                    zh_synonyms=synonyms)
