"""Load the shipped corpus: official documents (text + metadata YAML) and curated guides (YAML)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import yaml

from .errors import CorpusError
from .segmenter import clauses_or_paragraphs
from .types import LISTS, MEASURES, TOPICS, Citation, Clause, Document, ListEntryMeta


# The C loader when PyYAML has it: law metadata files are many.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _str(value) -> str:
    return "" if value is None else str(value)


def _topics(values, where: str) -> tuple[str, ...]:
    topics = tuple(values or ())
    unknown = [t for t in topics if t not in TOPICS]
    if unknown:
        raise CorpusError(f"{where}: unknown topic(s) {unknown}; known: {', '.join(TOPICS)}")
    return topics


def load_official(meta_path: Path) -> Document:
    """An official document: `<id>.yaml` metadata naming the extracted text file beside it."""
    meta = yaml.load(meta_path.read_text(encoding="utf-8"), Loader=_Loader)
    text_path = meta_path.parent / meta["file"]
    if not text_path.exists():
        raise CorpusError(f"{meta_path}: text file {meta['file']} not found beside it")
    doc_id = meta["id"]
    if meta.get("text_format") == "articles":
        clauses = _article_clauses(meta, text_path)
    else:
        clauses = _segmented_clauses(meta, meta_path, text_path)
    return Document(
        id=doc_id,
        title=meta["title"],
        title_en=_str(meta.get("title_en")),
        issuer=meta["issuer"],
        issuer_en=_str(meta.get("issuer_en")),
        doc_number=_str(meta.get("doc_number")),
        date=_str(meta.get("date")),
        source_url=_str(meta.get("source_url")),
        language=_str(meta.get("language") or "zh"),
        kind=_str(meta.get("kind") or "official"),
        status=_str(meta.get("status") or "current"),
        superseded_by=meta.get("superseded_by"),
        clauses=tuple(clauses),
        effective_date=_str(meta.get("effective_date")),
        version_date=_str(meta.get("version_date")),
        source_name=_str(meta.get("source_name")),
    )


def _article_clauses(meta: dict, text_path: Path) -> list[Clause]:
    """A structured text (a law from the law package): one clause per article, as stored."""
    try:
        articles = json.loads(text_path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise CorpusError(f"{text_path}: not a JSON list of articles ({exc})") from None
    doc_id = meta["id"]
    topics = _topics(meta.get("topics") or ["general"], str(text_path))
    clauses, seen = [], set()
    for a in articles:
        label = _str(a.get("label"))
        if not label or label in seen:
            raise CorpusError(f"{text_path}: missing or repeated article label {label!r}")
        seen.add(label)
        clauses.append(Clause(id=f"{doc_id}#{label}", doc_id=doc_id, label=label,
                              heading=_str(a.get("heading")), text=_str(a.get("text")),
                              topics=topics))
    return clauses


def _segmented_clauses(meta: dict, meta_path: Path, text_path: Path) -> list[Clause]:
    # `text_format: paragraphs` marks a text taken from HTML (one paragraph a line); the default
    # is an extraction with hard-wrapped lines to rejoin.
    segments = clauses_or_paragraphs(text_path.read_text(encoding="utf-8"),
                                     strip_signature=(meta["issuer"],),
                                     hard_wrapped=meta.get("text_format", "wrapped") != "paragraphs")
    curated = meta.get("clauses") or {}
    # Crawled documents carry one topic list per clause, in order, and default topics.
    ordered_topics = meta.get("clause_topics") or []
    if len(ordered_topics) != len(segments):
        ordered_topics = [None] * len(segments)
    default_topics = meta.get("topics") or ["general"]
    doc_id = meta["id"]
    clauses = []
    seen: dict[str, int] = {}
    for s, topics in zip(segments, ordered_topics):
        extra = curated.get(s.label) or {}
        # Item labels such as `1.` restart in every section: keep clause ids unique.
        seen[s.label] = seen.get(s.label, 0) + 1
        suffix = "" if seen[s.label] == 1 else f"@{seen[s.label]}"
        clauses.append(Clause(
            id=f"{doc_id}#{s.label}{suffix}",
            doc_id=doc_id,
            label=s.label,
            heading=" > ".join(s.heading),
            text=s.text,
            title_en=_str(extra.get("title_en")),
            summary_en=_str(extra.get("summary_en")),
            topics=_topics(extra.get("topics") or topics or default_topics, f"{meta_path} {s.label}"),
        ))
    missing = set(curated) - {c.label for c in clauses}
    if missing:
        raise CorpusError(f"{meta_path}: curated labels not found in the text: {sorted(missing)}")
    return clauses


def load_official_folder(folder: Path) -> list[Document]:
    return [load_official(p) for p in sorted(folder.glob("*.yaml"))]


def load_guide(path: Path) -> Document:
    """A curated guide: entries written by us in both languages, each citing official documents."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc_id = data["id"]
    topic = data.get("topic", "general")
    clauses = []
    seen = set()
    for entry in data.get("entries") or []:
        label = _str(entry["label"])
        if label in seen:
            raise CorpusError(f"{path}: duplicate entry label {label!r}")
        seen.add(label)
        cites = tuple(Citation(
            title=_str(c.get("title")), doc_number=_str(c.get("doc_number")),
            issuer=_str(c.get("issuer")), date=_str(c.get("date")), url=_str(c.get("url")),
        ) for c in entry.get("cites") or [])
        if not cites:
            raise CorpusError(f"{path}: entry {label!r} cites no official document")
        entry_meta(entry, f"{doc_id}#{label}", f"{path} {label}")  # optional list fields, checked
        clauses.append(Clause(
            id=f"{doc_id}#{label}",
            doc_id=doc_id,
            label=label,
            heading=f"{data['title']} > {label}",
            text=" ".join(_str(entry["text"]).split()),
            title_en=_str(entry.get("title_en")),
            summary_en=" ".join(_str(entry.get("summary_en")).split()),
            topics=_topics([entry.get("topic", topic)], f"{path} {label}"),
            verified=bool(entry.get("verified", False)),
            citations=cites,
        ))
    return Document(
        id=doc_id,
        title=data["title"],
        title_en=_str(data.get("title_en")),
        issuer=_str(data.get("issuer")),
        issuer_en=_str(data.get("issuer_en")),
        date="",
        source_url="",
        kind="guide",
        clauses=tuple(clauses),
    )


def entry_meta(entry: dict, clause_id: str, where: str) -> ListEntryMeta:
    """The optional negative-list fields of a guide entry, with defaults; bad values are errors."""
    measure = _str(entry.get("measure"))
    if measure and measure not in MEASURES:
        raise CorpusError(f"{where}: unknown measure {measure!r}; known: {', '.join(MEASURES)}")
    which = _str(entry.get("list") or "national")
    if which not in LISTS:
        raise CorpusError(f"{where}: unknown list {which!r}; known: {', '.join(LISTS)}")
    item = entry.get("item")
    if item is not None and (not isinstance(item, int) or isinstance(item, bool) or item < 1):
        raise CorpusError(f"{where}: item must be a positive whole number, not {item!r}")
    return ListEntryMeta(
        clause_id=clause_id, label=_str(entry.get("label")), measure=measure, list=which,
        edition=_str(entry.get("edition")), item=item, in_force=_str(entry.get("in_force")),
        sector=_str(entry.get("sector")), sector_en=_str(entry.get("sector_en")),
        name=_str(entry.get("name")), name_en=_str(entry.get("name_en")),
        terms=tuple(_str(t) for t in entry.get("terms") or ()),
        condition=_str(entry.get("condition")), condition_en=_str(entry.get("condition_en")),
        pilots=tuple(_str(p) for p in entry.get("pilots") or ()), ftz=_str(entry.get("ftz")),
        places=_str(entry.get("places")), places_en=_str(entry.get("places_en")),
        checked_against=tuple(_str(c) for c in entry.get("checked_against") or ()),
        verified=bool(entry.get("verified", False)),
    )


def guide_entry_metadata(path: Path) -> list[ListEntryMeta]:
    """The list fields of every entry of one guide file (entries without them included)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [entry_meta(e, f"{data['id']}#{_str(e['label'])}", f"{path} {e['label']}")
            for e in data.get("entries") or []]


def corpus_files(corpus_dir: Path) -> list[Path]:
    return sorted(p for p in corpus_dir.rglob("*")
                  if p.is_file() and p.suffix in (".yaml", ".yml", ".txt", ".json"))


# Files beside the code that shape the index as much as the corpus does.
_INDEX_INPUTS = ("glossary.yaml", "jieba_dict/policy_dict.txt", "out_of_scope.yaml")


def corpus_hash(corpus_dir: Path, crawled_dir: Path | None = None, laws_dir: Path | None = None) -> str:
    """Content hash over every corpus file and the index inputs, recorded in the manifest."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    files = [(str(p.relative_to(corpus_dir)), p) for p in corpus_files(corpus_dir)]
    if crawled_dir is not None and crawled_dir.is_dir():
        files += [(f"crawled/{p.relative_to(crawled_dir)}", p) for p in corpus_files(crawled_dir)]
    if laws_dir is not None and laws_dir.is_dir():
        files += [(f"laws/{p.relative_to(laws_dir)}", p) for p in corpus_files(laws_dir)]
    files += [(f"@{name}", package / name) for name in _INDEX_INPUTS if (package / name).exists()]
    for name, path in files:
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def load_corpus(corpus_dir: Path, crawled_dir: Path | None = None,
                laws_dir: Path | None = None) -> list[Document]:
    """The shipped corpus plus, when given and present, the crawlers' documents and the laws."""
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder {corpus_dir} does not exist")
    docs = load_official_folder(corpus_dir / "documents")
    docs += [load_guide(p) for p in sorted((corpus_dir / "guides").glob("*.yaml"))]
    if crawled_dir is not None and crawled_dir.is_dir():
        docs += load_official_folder(crawled_dir)
    if laws_dir is not None and laws_dir.is_dir():
        docs += load_official_folder(laws_dir)
    ids = [d.id for d in docs]
    if len(ids) != len(set(ids)):
        raise CorpusError(f"duplicate document ids in {corpus_dir}")
    return docs
