"""Benchmark of the knowledge base at scale: the default laws and every current law (`--all`).

For each corpus: a cold build (every passage through the model, from an empty vector cache) with
its embedding throughput, search latency (median and p95 over the law and dev questions, several
rounds), resident memory with the index loaded, and, for the large corpus, the recall of the
approximate FAISS index (HNSW) against exact search. Run by hand (`make bench-laws`); the --all
cold build takes a quarter of an hour on 2 cores. Results go to bench/results/laws.json.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench_knowledge_base import percentile, rss_mib  # noqa: E402  (this folder is on sys.path)


def import_laws(laws_dir: Path, everything: bool) -> None:
    cmd = [sys.executable, "-m", "scrapers", "laws"] + (["--all"] if everything else [])
    env = {"KB_LAWS_DIR": str(laws_dir), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}
    subprocess.run(cmd, cwd=REPO, env=env, check=True, capture_output=True)


def measure(name: str, settings, embedder, server_embedder, questions: list[str], rounds: int,
            cold: bool) -> dict:
    from knowledge_base.build import build_index
    from knowledge_base.index_store import read_index
    from knowledge_base.search import KnowledgeBase
    from knowledge_base.threads import numeric_threads

    started = time.perf_counter()
    report = build_index(settings, embedder, use_cache=not cold)
    build_seconds = time.perf_counter() - started
    rss_before = rss_mib()
    # The search side as served: bfloat16 weights where autocast would be used, one thread.
    kb = KnowledgeBase(settings, read_index(settings.index_dir), server_embedder)
    latencies = []
    with numeric_threads(1):  # as the action server searches (KB_THREADS_PER_SEARCH)
        for q in questions[:5]:
            kb.search(q)
        for _ in range(rounds):
            for q in questions:
                t0 = time.perf_counter()
                kb.search(q)
                latencies.append((time.perf_counter() - t0) * 1000)
    result = {
        "corpus": name, "documents": report.documents, "clauses": report.clauses,
        "passages": report.vectors, "index_type": kb.manifest.index_type,
        "build_seconds": round(build_seconds, 1), "embedded": report.embedded,
        "passages_per_second": round(report.embedded / build_seconds, 1) if cold else None,
        "search_ms_p50": round(statistics.median(latencies), 1),
        "search_ms_p95": round(percentile(latencies, 0.95), 1),
        # Both models are loaded here (the build's and the server's): the index's own share is
        # rss_mib_index.
        "searches": len(latencies), "rss_mib_after_load": round(rss_mib(), 0),
        "rss_mib_index": round(rss_mib() - rss_before, 0),
    }
    if kb.manifest.index_type == "hnsw":
        result["hnsw_recall_at_20"] = hnsw_recall(kb, embedder, questions)
    return result


def hnsw_recall(kb, embedder, questions: list[str], k: int = 20) -> float:
    """Recall@k of the HNSW index against an exact search over the same vectors."""
    import faiss

    index = kb.stored.vectors
    exact = faiss.IndexFlatIP(index.d)
    exact.add(index.reconstruct_n(0, index.ntotal))
    queries = embedder.queries(questions)
    _, approx_ids = index.search(queries, k)
    _, exact_ids = exact.search(queries, k)
    return round(float(np.mean([len(set(a) & set(e)) / k for a, e in zip(approx_ids, exact_ids)])), 4)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-all", action="store_true", help="only the default list")
    parser.add_argument("--warm", action="store_true", help="reuse the vector cache (no cold build)")
    args = parser.parse_args()

    from knowledge_base.config import get_settings
    from knowledge_base.embedder import Embedder
    from knowledge_base.evaluate import load_questions

    base = get_settings()
    embedder = Embedder(base)
    server_embedder = Embedder(base, queries_only=True)
    questions = [q.question for name in ("laws_dev", "laws_holdout", "dev")
                 for q in load_questions(REPO / "tests" / "eval" / f"{name}.jsonl")]
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-laws-") as tmp:
        tmp = Path(tmp)
        for name, everything in (("default", False), ("all", True)):
            if everything and args.skip_all:
                continue
            laws_dir = tmp / name / "laws" / "documents"
            import_laws(laws_dir, everything)
            settings = dataclasses.replace(
                base, index_dir=tmp / name / "index", laws_dir=laws_dir,
                crawled_dir=tmp / "no-crawl",
                vector_cache=None if args.warm else tmp / name / "vectors")
            result = measure(name, settings, embedder, server_embedder, questions, args.rounds,
                             cold=not args.warm)
            print(json.dumps(result, ensure_ascii=False), flush=True)
            results.append(result)
    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "laws.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
