"""Hybrid search: dense (FAISS, inner product on normalised vectors) + BM25, fused per language."""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import numpy as np
from rank_bm25 import BM25Okapi

from .config import Settings, get_settings
from .corpus_loader import corpus_hash
from .embedder import Embedder
from .errors import BadQuestionError, IndexInvalidError
from .index_store import StoredIndex, read_index
from .language import detect_language
from .text import normalize_query
from .tokenize import expand_query_tokens
from .types import TOPICS, Citation, SearchResponse, SearchResult

_HAS_WORDS = re.compile(r"[A-Za-z0-9\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Fusion:
    """How dense and BM25 evidence combine for one query language.

    Both score vectors are standardised over the clauses (z-scores) before weighting, since raw
    e5 cosines sit in a narrow band while BM25 is unbounded. The ranking is relative; whether
    anything answers at all is decided separately, on absolute similarities (`relevance_margin`).
    """

    dense_weight: float

    def fuse(self, dense: np.ndarray, bm25: np.ndarray) -> np.ndarray:
        return self.dense_weight * _standardise(dense) + (1 - self.dense_weight) * _standardise(bm25)


def _standardise(x: np.ndarray) -> np.ndarray:
    std = float(x.std())
    return (x - x.mean()) / std if std > 1e-9 else np.zeros_like(x)


# Calibrated on the dev set (README, "Evaluation"). English questions lean on the dense model
# because BM25 sees them only through the glossary and the English summaries.
DEFAULT_FUSION = {"zh": Fusion(dense_weight=0.5), "en": Fusion(dense_weight=0.7)}
MODES = ("hybrid", "dense", "bm25")
# In standard deviations of the fused score: enough to put a current clause on the same
# subject first, not enough to hide the superseded one.
SUPERSEDED_PENALTY = 1.0


class KnowledgeBase:
    """A loaded index plus the embedding model; thread-safe for concurrent searches."""

    def __init__(self, settings: Settings, stored: StoredIndex, embedder: Embedder,
                 fusion: dict[str, Fusion] | None = None):
        manifest = stored.manifest
        if manifest.model != settings.model:
            raise IndexInvalidError(
                f"The index at {stored.path} was built with model {manifest.model!r}, but "
                f"KB_MODEL is {settings.model!r}. Rebuild it with `make index`, or set KB_MODEL "
                "back to the index's model."
            )
        if manifest.dimension != embedder.dimension:
            raise IndexInvalidError(
                f"The index at {stored.path} holds {manifest.dimension}-dimensional vectors but "
                f"the model gives {embedder.dimension}. Rebuild it with `make index`."
            )
        if (manifest.query_prefix, manifest.passage_prefix) != (settings.query_prefix,
                                                                settings.passage_prefix):
            raise IndexInvalidError(
                f"The index at {stored.path} was built with other query/passage prefixes. "
                "Rebuild it with `make index`."
            )
        self.settings = settings
        self.stored = stored
        self.embedder = embedder
        self.fusion = fusion or DEFAULT_FUSION
        self.relevance_margin = settings.relevance_margin
        self.bm25 = BM25Okapi(stored.tokens) if stored.tokens else None
        self._vectors = stored.vectors.reconstruct_n(0, stored.vectors.ntotal)
        self._owners = stored.owners
        self._passages_per_clause = np.maximum(np.bincount(stored.owners, minlength=len(stored.clauses)), 1)
        self._topics = [set(c["topics"]) for c in stored.clauses]
        self._superseded = np.array([c["status"] != "current" for c in stored.clauses], dtype=np.float32)
        self._lock = threading.Lock()  # BM25Okapi and torch encode are not re-entrant-safe
        self.stale = corpus_hash(settings.corpus_dir, settings.crawled_dir) != manifest.corpus_hash \
            if settings.corpus_dir.is_dir() else False

    @classmethod
    def load(cls, settings: Settings | None = None) -> "KnowledgeBase":
        settings = settings or get_settings()
        stored = read_index(settings.index_dir)  # fails fast, before the model loads
        return cls(settings, stored, Embedder(settings))

    def with_index(self, stored: StoredIndex) -> "KnowledgeBase":
        """The same knowledge base over another index version: the loaded model is reused, and
        so is the lock that keeps two searches from running it at once."""
        other = KnowledgeBase(self.settings, stored, self.embedder, self.fusion)
        other._lock = self._lock
        return other

    @property
    def manifest(self):
        return self.stored.manifest

    def _dense_scores(self, question: str) -> tuple[np.ndarray, np.ndarray, float]:
        """Per clause: mean and max cosine over its passages; and the best out-of-scope match."""
        query = self.embedder.queries([question])[0]
        per_vector = self._vectors @ query
        n = len(self.stored.clauses)
        best = np.full(n, -1.0, dtype=np.float32)
        np.maximum.at(best, self._owners, per_vector)
        mean = np.bincount(self._owners, weights=per_vector, minlength=n) / self._passages_per_clause
        prototype = float((self.stored.prototypes @ query).max()) if len(self.stored.prototypes) else -1.0
        return mean.astype(np.float32), best, prototype

    def search(self, question: str, lang: str | None = None,
               topic: str | tuple[str, ...] | None = None,
               top_k: int = 5, mode: str = "hybrid", widen: bool = False) -> SearchResponse:
        """Rank clauses for `question`; `topic` (one or several) restricts the candidates.
        With `widen`, a topic that gives no answer is dropped and every clause ranked instead
        (the intent may have named the wrong topic), from the same scores: no second encoding."""
        if question is None or not question.strip():
            raise BadQuestionError("The question is empty: type a question, for example "
                                   "“负面清单有多少条？” or “How do I file a complaint?”.")
        topics = (topic,) if isinstance(topic, str) else tuple(topic or ())
        unknown = [t for t in topics if t not in TOPICS]
        if unknown:
            raise BadQuestionError(f"Unknown topic {unknown[0]!r}; choose one of {', '.join(TOPICS)}.")
        if mode not in MODES:
            raise BadQuestionError(f"Unknown mode {mode!r}; choose one of {', '.join(MODES)}.")
        warnings = []
        limit = self.settings.max_query_chars
        truncated = len(question) > limit
        if truncated:
            question = question[:limit]
            warnings.append(f"The question was longer than {limit} characters; "
                            f"only the first {limit} were searched.")
        text = normalize_query(question)
        lang = lang if lang in ("zh", "en") else detect_language(text)
        if not _HAS_WORDS.search(text):
            # Punctuation or emoji only: nothing to look up.
            return SearchResponse(query=question, lang=lang, no_answer=True, warnings=tuple(warnings),
                                  truncated=truncated)

        tokens = expand_query_tokens(text)
        with self._lock:
            dense, dense_best, prototype = self._dense_scores(text)
            bm25 = (self.bm25.get_scores(tokens) if self.bm25 is not None and tokens
                    else np.zeros(len(dense)))
        bm25 = np.asarray(bm25, dtype=np.float32)
        fused = self.fusion[lang].fuse(dense, bm25)
        ranking = {"hybrid": fused, "dense": dense, "bm25": bm25}[mode]
        # Superseded clauses stay findable but rank below current ones of similar score.
        if mode == "hybrid":
            ranking = ranking - SUPERSEDED_PENALTY * self._superseded

        def rank(candidates: np.ndarray) -> tuple[tuple[SearchResult, ...], bool]:
            order = candidates[np.argsort(-ranking[candidates], kind="stable")][:max(top_k, 0)]
            found = tuple(self._result(i, float(ranking[i]), float(dense[i]), float(bm25[i]))
                          for i in order)
            # Out of scope when the best clause is no closer to the question than a prototype
            # of the questions we do not answer (weather, food, sport, personal tax, …) is.
            return found, not found or float(dense_best[order[0]]) - prototype < self.relevance_margin

        everything = np.arange(len(ranking))
        if topics:
            wanted = set(topics)
            results, no_answer = rank(np.array([i for i in everything if self._topics[i] & wanted],
                                               dtype=int))
            if no_answer and widen:
                results, no_answer = rank(everything)
        else:
            results, no_answer = rank(everything)
        if self.stale:
            warnings.append("The index was built from an older corpus; run `make index`.")
        return SearchResponse(query=question, lang=lang, no_answer=no_answer,
                              results=results, warnings=tuple(warnings), truncated=truncated)

    def _result(self, i: int, score: float, dense: float, bm25: float) -> SearchResult:
        c = self.stored.clauses[i]
        return SearchResult(
            doc_id=c["doc_id"], doc_title=c["doc_title"], issuer=c["issuer"],
            doc_number=c["doc_number"], date=c["date"], label=c["label"], heading=c["heading"],
            text=c["text"], summary_en=c["summary_en"], source_url=c["source_url"], score=score,
            clause_id=c["clause_id"], title_en=c["title_en"], doc_title_en=c.get("doc_title_en", ""),
            citations=tuple(Citation(**x) for x in c.get("citations", [])), dense=dense, bm25=bm25,
            topics=tuple(c["topics"]), kind=c["kind"], status=c["status"], verified=c["verified"],
            superseded_by=c.get("superseded_by", ""),
        )
