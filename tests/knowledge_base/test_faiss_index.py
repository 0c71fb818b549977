"""FAISS index types: the approximate index (HNSW) agrees with exact search."""
from __future__ import annotations

import dataclasses

import numpy as np

from knowledge_base.index_store import (
    HNSW_FROM_PASSAGES,
    choose_index_type,
    configure_for_search,
    make_faiss_index,
)
from helpers import DEV_SET


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def test_index_type_follows_corpus_size_unless_set():
    assert choose_index_type(100) == "flat"
    assert choose_index_type(HNSW_FROM_PASSAGES) == "hnsw"
    assert choose_index_type(100, "hnsw") == "hnsw"
    assert choose_index_type(10 ** 6, "flat") == "flat"


def test_hnsw_recall_against_exact_search_on_a_fixed_set():
    rng = np.random.default_rng(7)
    # Clustered vectors, like embeddings of related clauses, not uniform noise.
    centres = _unit(rng.normal(size=(60, 384)))
    vectors = _unit(centres[rng.integers(0, 60, size=6000)] + 0.35 * rng.normal(size=(6000, 384)) / 20)
    queries = _unit(centres[rng.integers(0, 60, size=100)] + 0.4 * rng.normal(size=(100, 384)) / 20)
    flat = make_faiss_index(vectors, "flat")
    hnsw = configure_for_search(make_faiss_index(vectors, "hnsw"))
    k = 20
    exact_scores, exact = flat.search(queries, k)
    approx_scores, approx = hnsw.search(queries, k)
    recall = np.mean([len(set(a) & set(e)) / k for a, e in zip(approx, exact)])
    assert recall >= 0.95, recall
    assert np.mean(approx[:, 0] == exact[:, 0]) >= 0.98
    # Returned scores are true inner products, not approximations of them.
    np.testing.assert_allclose(approx_scores[:, 0],
                               np.einsum("ij,ij->i", queries, vectors[approx[:, 0]]), rtol=1e-5)


def test_search_over_hnsw_and_flat_agree_on_the_dev_questions(built_index, tmp_path):
    from knowledge_base.build import build_index
    from knowledge_base.evaluate import load_questions
    from knowledge_base.index_store import read_index
    from knowledge_base.search import KnowledgeBase

    settings, embedder, _ = built_index
    hnsw_settings = dataclasses.replace(settings, index_dir=tmp_path / "index", faiss_index="hnsw")
    build_index(hnsw_settings, embedder)
    stored = read_index(hnsw_settings.index_dir)
    assert stored.manifest.index_type == "hnsw"
    exact = KnowledgeBase(settings, read_index(settings.index_dir), embedder)
    approx = KnowledgeBase(hnsw_settings, stored, embedder)
    questions = [q.question for q in load_questions(DEV_SET)][::3]
    same_top = sum(exact.search(q).results[0].clause_id == approx.search(q).results[0].clause_id
                   for q in questions)
    assert same_top / len(questions) >= 0.95
