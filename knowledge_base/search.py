"""Hybrid search: dense (FAISS, inner product on normalised vectors) + BM25, fused per language."""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import numpy as np

from .config import Settings, get_settings
from .answerability import judge
from .bm25 import SparseBM25
from .corpus_loader import corpus_hash
from .embedder import Embedder
from .errors import BadQuestionError, IndexInvalidError
from .index_store import StoredIndex, read_index
from .glossary import load_glossary
from .language import detect_language
from .text import CJK_IDEOGRAPHS, normalize_query
from .tokenize import expand_query_tokens
from .types import TOPICS, Citation, SearchResponse, SearchResult

_HAS_WORDS = re.compile(rf"[A-Za-z0-9{CJK_IDEOGRAPHS}]")


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
# Law articles lead the curated guides and policy documents only when the best article's cosine
# with the question beats the best other clause's (both Chinese originals, so comparable) by this
# margin. English questions reach Chinese articles less reliably, so they ask for more. Chosen
# on the dev sets (README, "Evaluation").
LAW_LEAD_MARGIN = {"zh": 0.02, "en": 0.035}
# English questions with glossary terms: laws lead when the best article is closer to the
# expanded question than the best other clause is, each by its closest passage (a curated entry's
# English summary included). The English summaries make the curated side's cosines comparable to
# the question's, which the Chinese-only comparison above is not. Chosen on the dev sets
# (README, "Evaluation"): no margin.
ENGLISH_LEAD_MARGIN = 0.0
# English questions: the weight of the glossary's Chinese terms (encoded alone) in the dense score
# of law articles, beside the question's own cosines. Chosen on laws_dev (README, "Evaluation").
TERMS_WEIGHT = 0.5
# In standard deviations of the fused score: how much better a clause outside the asked-for topic
# must be to be preferred to the topic's best.
TOPIC_OVERRIDE_MARGIN = 1.0
# Candidates: the clauses of the nearest passages FAISS returns, the best BM25 clauses, and every
# clause of the topics asked for when those are few; only these are scored exactly and fused.
DENSE_CANDIDATES = 200
BM25_CANDIDATES = 200
TOPIC_CANDIDATES_MAX = 3000


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
        # Sources are ranked in groups (laws; everything else): BM25 statistics, standardisation
        # and candidates are per group, so adding thousands of law articles leaves the ranking
        # of the curated guides and policy documents as it was; groups meet in _order_groups.
        self._group = np.array([1 if c["kind"] == "law" else 0 for c in stored.clauses], dtype=np.int64)
        self._group_members = [np.flatnonzero(self._group == g) for g in (0, 1)]
        self._bm25_groups = [(SparseBM25([stored.tokens[i] for i in members]), members)
                             for members in self._group_members if len(members)]
        self._index = stored.vectors
        self._owners = stored.owners.astype(np.int64)
        self._kinds = stored.passage_kinds.astype(np.int64)
        n = len(stored.clauses)
        # Passage rows of each clause, for exact scores of the candidates.
        order = np.argsort(self._owners, kind="stable")
        starts = np.searchsorted(self._owners[order], np.arange(n + 1))
        self._rows = [order[starts[i]:starts[i + 1]] for i in range(n)]
        self._topics = [set(c["topics"]) for c in stored.clauses]
        self._topic_members = {t: np.array([i for i, ts in enumerate(self._topics) if t in ts], dtype=int)
                               for t in TOPICS}
        self._superseded = np.array([c["status"] != "current" for c in stored.clauses], dtype=np.float32)
        # The stored sample's rows of each passage kind, for the per-kind spread of a query.
        kinds = int(max(self._kinds.max(initial=0), stored.dense_sample_kinds.max(initial=0))) + 1
        self._sample_rows = [np.flatnonzero(stored.dense_sample_kinds == k) for k in range(kinds)]
        self._lock = threading.Lock()  # torch encode is not re-entrant-safe
        self.stale = corpus_hash(settings.corpus_dir, settings.crawled_dir,
                                 settings.laws_dir) != manifest.corpus_hash \
            if settings.corpus_dir.is_dir() else False

    @classmethod
    def load(cls, settings: Settings | None = None, queries_only: bool = False) -> "KnowledgeBase":
        """`queries_only`: a serving process that never embeds passages (Embedder)."""
        settings = settings or get_settings()
        stored = read_index(settings.index_dir)  # fails fast, before the model loads
        return cls(settings, stored, Embedder(settings, queries_only=queries_only))

    def with_index(self, stored: StoredIndex) -> "KnowledgeBase":
        """The same knowledge base over another index version: the loaded model is reused, and
        so is the lock that keeps two searches from running it at once."""
        other = KnowledgeBase(self.settings, stored, self.embedder, self.fusion)
        other._lock = self._lock
        return other

    @property
    def manifest(self):
        return self.stored.manifest

    def _candidates(self, query: np.ndarray, bm25: np.ndarray, topics: tuple[str, ...]) -> np.ndarray:
        k = min(DENSE_CANDIDATES, self._index.ntotal)
        found: set[int] = set()
        if k:
            _, rows = self._index.search(query[None, :], k)
            found.update(int(self._owners[r]) for r in rows[0] if r >= 0)
        if len(bm25):
            top = min(BM25_CANDIDATES, len(bm25))
            best = np.argpartition(-bm25, top - 1)[:top]
            found.update(int(i) for i in best if bm25[i] > 0)
        for t in topics:
            members = self._topic_members.get(t, ())
            if len(members) <= TOPIC_CANDIDATES_MAX:
                found.update(int(i) for i in members)
        for members in self._group_members:
            if len(members) <= TOPIC_CANDIDATES_MAX:  # a small group is ranked whole
                found.update(int(i) for i in members)
        return np.array(sorted(found), dtype=int)

    @staticmethod
    def _lead_group(fused: np.ndarray, groups: np.ndarray, cosine: np.ndarray, margin: float) -> int:
        """1 (laws) only when the best article (by `fused`) is closer to the question, by
        `cosine`, than the best curated or policy clause by more than `margin`, else 0."""
        law = np.flatnonzero(groups == 1)
        other = np.flatnonzero(groups == 0)
        best_law, best_other = law[np.argmax(fused[law])], other[np.argmax(fused[other])]
        return 1 if cosine[best_law] - cosine[best_other] > margin else 0

    @staticmethod
    def _lift(fused: np.ndarray, groups: np.ndarray, lead: int) -> np.ndarray:
        """The lead group first; the order within each group is kept."""
        return fused + (float(fused.max() - fused.min()) + 1.0) * (groups == lead)

    def _fuse_groups(self, dense: np.ndarray, bm25: np.ndarray, groups: np.ndarray,
                     lang: str) -> np.ndarray:
        """Dense and BM25 fused within each group (standardised over the group's candidates)."""
        fused = np.zeros(len(dense), dtype=np.float32)
        for g in np.unique(groups):
            at = np.flatnonzero(groups == g)
            fused[at] = self.fusion[lang].fuse(dense[at], bm25[at])
        return fused

    def _dense_scores(self, query: np.ndarray, candidates: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per candidate clause: its dense score, its best raw cosine, and its raw cosine with
        the clause's original (Chinese) text.

        A query is closer to passages in its own language than to any in the other, so an
        English question would always prefer English glosses to Chinese articles. Each cosine is
        therefore standardised against the spread of the query's cosines over passages of the
        same kind (Chinese originals, English glosses) before a clause's passages are combined;
        that is what lets English questions find Chinese law articles beside glossed clauses.
        """
        if not len(candidates):
            empty = np.zeros(0, dtype=np.float32)
            return empty, empty, empty
        rows = [self._rows[i] for i in candidates]
        flat = np.concatenate(rows)
        per_vector = self._index.reconstruct_batch(flat) @ query
        mean, std = self._dense_stats(query)
        kinds = self._kinds[flat]
        z = (per_vector - mean[kinds]) / std[kinds]
        lengths = np.array([len(r) for r in rows])
        owner = np.repeat(np.arange(len(candidates)), lengths)
        dense = (np.bincount(owner, weights=z, minlength=len(candidates))
                 / np.maximum(lengths, 1)).astype(np.float32)
        best = np.full(len(candidates), -1.0, dtype=np.float32)
        np.maximum.at(best, owner, per_vector.astype(np.float32))
        original = np.full(len(candidates), -1.0, dtype=np.float32)
        first = kinds == 0
        np.maximum.at(original, owner[first], per_vector[first].astype(np.float32))
        return dense, best, original

    def _dense_stats(self, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and spread of the query's cosines per passage kind, from the stored sample."""
        mean, std = np.zeros(len(self._sample_rows)), np.ones(len(self._sample_rows))
        scores = self.stored.dense_sample @ query
        for kind, rows in enumerate(self._sample_rows):
            these = scores[rows]
            if len(these) > 1 and float(these.std()) > 1e-6:
                mean[kind], std[kind] = float(these.mean()), float(these.std())
        return mean, std

    def search(self, question: str, lang: str | None = None,
               topic: str | tuple[str, ...] | None = None,
               top_k: int = 5, mode: str = "hybrid", widen: bool = False) -> SearchResponse:
        """Rank clauses for `question`; `topic` (one or several) restricts the candidates.
        With `widen`, every clause is ranked instead when the topic gives no answer or a clause
        outside it scores clearly higher (the intent may have named the wrong topic), from the
        same scores: no second encoding."""
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
        terms = load_glossary().expand(text) if lang == "en" else []
        with self._lock:
            if not terms:
                query = plain = self.embedder.queries([text])[0]
                chinese_terms = None
            else:
                # The model aligns English and Chinese only loosely: the glossary's Chinese
                # terms for the English policy phrases pull the query towards the Chinese
                # articles. The expansion is for ranking only: whether anything answers is
                # judged on the question as asked, since Chinese terms pull any query away from
                # the out-of-scope prototypes (a driving-licence question gained 许可 and a law).
                # The terms alone, a Chinese query, decide whether laws lead (_order_groups).
                query, plain, chinese_terms = self.embedder.queries(
                    [f"{text} {' '.join(terms)}", text, " ".join(terms)])
        bm25_all = np.zeros(len(self.stored.clauses), dtype=np.float32)
        if tokens:
            for bm25_index, members in self._bm25_groups:
                bm25_all[members] = bm25_index.get_scores(tokens)
        candidates = self._candidates(query, bm25_all, topics)
        dense, dense_best, original = self._dense_scores(query, candidates)
        bm25 = bm25_all[candidates]
        prototype = float((self.stored.prototypes @ plain).max()) if len(self.stored.prototypes) else -1.0
        # Standardised over each group's candidates: thousands of law articles that share no word
        # with the question would otherwise shrink BM25's spread and let it drown the dense
        # evidence, and would move every curated clause's standing.
        groups = self._group[candidates]
        fused = self._fuse_groups(dense, bm25, groups, lang)
        floor_ranking = fused  # the order the question's own cosines give (see rank())
        if len(np.unique(groups)) > 1:
            floor_ranking = self._lift(fused, groups,
                                       self._lead_group(fused, groups, original, LAW_LEAD_MARGIN[lang]))
            if chinese_terms is None:
                fused = floor_ranking
            else:
                # An English question's cosines with Chinese texts say little about which article
                # is closer; its glossary terms' cosines (Chinese against Chinese) say more about
                # the order of the articles. Whether laws lead is decided on each side's closest
                # passage, since a curated clause's English summary meets the question in its own
                # language (ENGLISH_LEAD_MARGIN; README, "Evaluation").
                terms_dense, _, _ = self._dense_scores(chinese_terms, candidates)
                law_dense = np.where(groups == 1, (1 - TERMS_WEIGHT) * dense + TERMS_WEIGHT * terms_dense,
                                     dense).astype(np.float32)
                fused = self._fuse_groups(law_dense, bm25, groups, lang)
                fused = self._lift(fused, groups, self._lead_group(fused, groups, dense_best, ENGLISH_LEAD_MARGIN))
        ranking = {"hybrid": fused, "dense": dense, "bm25": bm25}[mode]
        # Superseded clauses stay findable but rank below current ones of similar score.
        if mode == "hybrid":
            ranking = ranking - SUPERSEDED_PENALTY * self._superseded[candidates]

        def rank(positions: np.ndarray) -> tuple[tuple[SearchResult, ...], bool]:
            order = positions[np.argsort(-ranking[positions], kind="stable")][:max(top_k, 0)]
            found = tuple(self._result(int(candidates[p]), float(ranking[p]), float(dense[p]),
                                       float(bm25[p])) for p in order)
            # Out of scope when the best clause is no closer to the question than a prototype
            # of the questions we do not answer (weather, food, sport, personal tax, …) is.
            if not found:
                return found, True
            # A law article put first by the Chinese terms of an English question sits far from
            # the English words themselves: the clause that the question's own cosines would
            # have put first may show instead that the question is in scope.
            heads = {int(order[0]), int(positions[np.argmax(floor_ranking[positions])])}
            best = max(dense_best[p] if plain is query else
                       float((self._index.reconstruct_batch(self._rows[candidates[p]]) @ plain).max())
                       for p in heads)
            return found, float(best) - prototype < self.relevance_margin

        everything = np.arange(len(candidates))
        if topics:
            wanted = set(topics)
            results, no_answer = rank(np.array([p for p in everything
                                                if self._topics[candidates[p]] & wanted], dtype=int))
            if widen:
                # The intent may have named the wrong topic: look everywhere when the topic gives
                # no answer, or when a clause outside it is clearly better (a law article for a
                # tax question the intent filed under reinvestment).
                anywhere, none_anywhere = rank(everything)
                if no_answer or (not none_anywhere
                                 and anywhere[0].score - results[0].score > TOPIC_OVERRIDE_MARGIN):
                    results, no_answer = anywhere, none_anywhere
        else:
            results, no_answer = rank(everything)
        if self.stale:
            warnings.append("The index was built from an older corpus; run `make index`.")
        if mode == "hybrid":
            alternative = self._other_group_best(results, candidates, ranking, dense, bm25)
            judged = judge(question, results, no_answer, alternative)
        else:
            # The single-evidence modes (for evaluation) keep their own order: judged on the
            # first result alone, nothing moved.
            judged = judge(question, results[:1], no_answer)
        if judged.answer_index >= len(results) and alternative is not None:
            # The other group's best states the general rule a regional exception stood for.
            results = (alternative, *results[:max(top_k - 1, 0)])
        elif judged.answer_index:
            # The clause that states what was asked (the penalty after the duty) leads.
            i = judged.answer_index
            results = (results[i], *results[:i], *results[i + 1:])
        return SearchResponse(query=question, lang=lang, no_answer=judged.tier == "no",
                              results=results, warnings=tuple(warnings), truncated=truncated,
                              answerable=judged.tier, need=judged.need, missing_zh=judged.missing_zh,
                              missing_en=judged.missing_en, place=judged.place, place_en=judged.place_en,
                              gap=judged.gap)

    def _other_group_best(self, results: tuple[SearchResult, ...], candidates: np.ndarray,
                          ranking: np.ndarray, dense: np.ndarray, bm25: np.ndarray
                          ) -> SearchResult | None:
        """The best clause of the group (laws; everything else) that did not lead, for the
        answerability judgment to fall back on."""
        if not results:
            return None
        groups = self._group[candidates]
        other = np.flatnonzero(groups != (1 if results[0].kind == "law" else 0))
        if not len(other):
            return None
        p = int(other[np.argmax(ranking[other])])
        return self._result(int(candidates[p]), float(ranking[p]), float(dense[p]), float(bm25[p]))

    def _result(self, i: int, score: float, dense: float, bm25: float) -> SearchResult:
        c = self.stored.clauses[i]
        return SearchResult(
            doc_id=c["doc_id"], doc_title=c["doc_title"], issuer=c["issuer"],
            doc_number=c["doc_number"], date=c["date"], label=c["label"], heading=c["heading"],
            text=c["text"], summary_en=c["summary_en"], source_url=c["source_url"], score=score,
            clause_id=c["clause_id"], title_en=c["title_en"], doc_title_en=c.get("doc_title_en", ""),
            citations=tuple(Citation(**x) for x in c.get("citations", [])), dense=dense, bm25=bm25,
            topics=tuple(c["topics"]), kind=c["kind"], status=c["status"], verified=c["verified"],
            superseded_by=c.get("superseded_by", ""), effective_date=c.get("effective_date", ""),
            version_date=c.get("version_date", ""), source_name=c.get("source_name", ""),
        )
