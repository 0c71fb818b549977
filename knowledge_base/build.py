"""Build the index from the corpus: clauses -> passages -> vectors + BM25 tokens -> index folder."""
from __future__ import annotations

import time
from pathlib import Path
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
import yaml

from .config import Settings
from .corpus_loader import corpus_hash, load_corpus
from .embedder import Embedder
from .index_store import FORMAT_VERSION, Manifest, choose_index_type, write_index
from .tokenize import tokenize
from .types import Clause, Document
from .vector_cache import VectorCache

OUT_OF_SCOPE_PATH = Path(__file__).with_name("out_of_scope.yaml")


@dataclass(frozen=True)
class BuildReport:
    documents: int
    clauses: int
    vectors: int
    seconds: float
    path: str
    embedded: int  # passages actually run through the model (the rest came from the cache)

    @property
    def clauses_per_second(self) -> float:
        return self.clauses / self.seconds if self.seconds else 0.0


def clause_record(doc: Document, clause: Clause, titles: dict[str, str] | None = None) -> dict:
    """The clause table row: everything a search result shows, flattened with its document.
    `titles` (document id -> title) names the document that superseded this one."""
    if doc.kind == "guide" and clause.citations:
        primary = clause.citations[0]
        doc_number = "；".join(c.doc_number for c in clause.citations if c.doc_number)
        date, source_url = primary.date, primary.url
    else:
        doc_number, date, source_url = doc.doc_number, doc.date, doc.source_url
    return {
        "clause_id": clause.id,
        "doc_id": doc.id,
        "doc_title": doc.title,
        "doc_title_en": doc.title_en,
        "issuer": doc.issuer,
        "doc_number": doc_number,
        "date": date,
        "label": clause.label,
        "heading": clause.heading,
        "text": clause.text,
        "title_en": clause.title_en,
        "summary_en": clause.summary_en,
        "source_url": source_url,
        "topics": list(clause.topics),
        "kind": doc.kind,
        "status": doc.status,
        "superseded_by": (titles or {}).get(doc.superseded_by or "", doc.superseded_by or ""),
        "verified": clause.verified,
        "citations": [c.__dict__ for c in clause.citations],
        "effective_date": doc.effective_date,
        "version_date": doc.version_date,
        "source_name": doc.source_name,
    }


def clause_passages(clause: Clause, doc: Document | None = None) -> list[str]:
    """Texts embedded for a clause: the Chinese original with its heading, and the English gloss.
    A law article also names its law: the article alone rarely says which law it belongs to."""
    if doc is not None and doc.kind == "law":
        return [f"《{doc.title}》{clause.label} {clause.heading}\n{clause.text}"]
    passages = [f"{clause.heading}\n{clause.text}"]
    english = " ".join(p for p in (clause.title_en, clause.summary_en) if p)
    if english:
        passages.append(english)
    return passages


def clause_tokens(clause: Clause, doc: Document | None = None) -> list[str]:
    law_title = doc.title if doc is not None and doc.kind == "law" else ""
    return tokenize(" ".join((law_title, clause.heading, clause.text, clause.title_en, clause.summary_en)))


DENSE_SAMPLE_SIZE = 4096  # passages of each kind


def passage_sample(vectors: np.ndarray, kinds: np.ndarray,
                   size: int = DENSE_SAMPLE_SIZE) -> tuple[np.ndarray, np.ndarray]:
    """A fixed sample of passage vectors of each kind (all of them in a small corpus), from
    which search estimates how a query's cosines spread over each kind of passage."""
    chosen = []
    rng = np.random.default_rng(0)
    for kind in np.unique(kinds):
        rows = np.flatnonzero(kinds == kind)
        chosen.append(rows if len(rows) <= size else np.sort(rng.choice(rows, size=size, replace=False)))
    rows = np.concatenate(chosen) if chosen else np.zeros(0, dtype=int)
    return vectors[rows], kinds[rows]


def build_index(settings: Settings, embedder: Embedder | None = None,
                use_cache: bool = True) -> BuildReport:
    embedder = embedder or Embedder(settings)
    started = time.perf_counter()
    docs = load_corpus(settings.corpus_dir, settings.crawled_dir, settings.laws_dir)
    records: list[dict] = []
    tokens: list[list[str]] = []
    passages: list[str] = []
    owners: list[int] = []
    kinds: list[int] = []
    titles = {doc.id: doc.title for doc in docs}
    for doc in docs:
        for clause in doc.clauses:
            position = len(records)
            records.append(clause_record(doc, clause, titles))
            tokens.append(clause_tokens(clause, doc))
            for kind, passage in enumerate(clause_passages(clause, doc)):
                passages.append(passage)
                owners.append(position)
                kinds.append(kind)  # 0 the original text, 1 the English gloss
    prototypes = [str(p) for p in
                  yaml.safe_load(OUT_OF_SCOPE_PATH.read_text(encoding="utf-8"))["prototypes"]]
    # Prototypes are embedded as passages, like clauses, so the two similarities compare like
    # with like; they go through the same cache, so an incremental build embeds neither again.
    texts = passages + prototypes
    if use_cache:
        cache = VectorCache(settings.vectors_cache_dir, settings.model, settings.passage_prefix)
        all_vectors, embedded = cache.embed(texts, embedder.passages)
    else:
        all_vectors, embedded = embedder.passages(texts), len(texts)
    vectors, prototype_vectors = all_vectors[:len(passages)], all_vectors[len(passages):]
    passage_kinds = np.asarray(kinds, dtype=np.int8)
    dense_sample, dense_sample_kinds = passage_sample(vectors, passage_kinds)
    manifest = Manifest(
        format_version=FORMAT_VERSION,
        model=settings.model,
        dimension=embedder.dimension,
        corpus_hash=corpus_hash(settings.corpus_dir, settings.crawled_dir, settings.laws_dir),
        build_time=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        clauses=len(records),
        vectors=len(passages),
        query_prefix=settings.query_prefix,
        passage_prefix=settings.passage_prefix,
        index_type=choose_index_type(len(passages), settings.faiss_index),
    )
    path = write_index(settings.index_dir, manifest, vectors, np.asarray(owners), records, tokens,
                       prototype_vectors, passage_kinds, dense_sample, dense_sample_kinds)
    return BuildReport(len(docs), len(records), len(passages), time.perf_counter() - started,
                       str(path), embedded)
