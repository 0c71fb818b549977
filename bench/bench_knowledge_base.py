"""Benchmark of the knowledge base: search latency, index build throughput, resident memory.

Run with `make bench`. Figures are medians over repeated runs because these machines are shared.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", default=str(REPO / "tests" / "eval" / "dev.jsonl"))
    parser.add_argument("--rounds", type=int, default=3, help="passes over the question set")
    parser.add_argument("--builds", type=int, default=3, help="index builds to time")
    parser.add_argument("--top-k", type=int, default=5)
    args = parser.parse_args()

    from knowledge_base.build import build_index
    from knowledge_base.config import get_settings
    from knowledge_base.evaluate import load_questions
    from knowledge_base.search import KnowledgeBase
    from knowledge_base.embedder import Embedder
    from knowledge_base.threads import numeric_threads

    settings = get_settings()
    rss_start = rss_mib()
    started = time.perf_counter()
    kb = KnowledgeBase.load(settings, queries_only=True)  # as the action server serves
    load_seconds = time.perf_counter() - started
    rss_loaded = rss_mib()

    questions = [q.question for q in load_questions(Path(args.questions))]
    latencies = []
    with numeric_threads(1):  # as the action server searches (KB_THREADS_PER_SEARCH)
        for q in questions[:5]:  # warm-up
            kb.search(q, top_k=args.top_k)
        for _ in range(args.rounds):
            for q in questions:
                t0 = time.perf_counter()
                kb.search(q, top_k=args.top_k)
                latencies.append((time.perf_counter() - t0) * 1000)

    # Cold: every passage through the model. Warm: an unchanged corpus, vectors from the cache.
    # Built as `make index` builds: float32 weights (autocast), the libraries' own thread pools.
    builder = Embedder(settings)
    rates, warm_rates = [], []
    with tempfile.TemporaryDirectory() as tmp:
        local = dataclasses.replace(settings, index_dir=Path(tmp) / "index",
                                    cache_dir=Path(tmp) / "cache")
        for _ in range(args.builds):
            report = build_index(local, builder, use_cache=False)
            rates.append(report.clauses_per_second)
            clauses, vectors = report.clauses, report.vectors
        build_index(local, builder)  # fills the cache
        for _ in range(args.builds):
            warm_rates.append(build_index(local, builder).clauses_per_second)

    result = {
        "search_ms_median": round(statistics.median(latencies), 1),
        "search_ms_p95": round(percentile(latencies, 0.95), 1),
        "searches": len(latencies),
        "top_k": args.top_k,
        "build_clauses_per_s_median": round(statistics.median(rates), 1),
        "build_warm_clauses_per_s_median": round(statistics.median(warm_rates), 1),
        "build_clauses": clauses,
        "build_passages": vectors,
        "build_runs": args.builds,
        "load_seconds": round(load_seconds, 1),
        "rss_mib_before_load": round(rss_start),
        "rss_mib_after_load": round(rss_loaded),
        "torch_threads": __import__("torch").get_num_threads(),
    }
    out_dir = REPO / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"knowledge_base-{time.strftime('%Y%m%dT%H%M%S')}.json").write_text(
        json.dumps(result, indent=2))
    print(f"search latency (top-k {args.top_k}, {len(latencies)} searches): "
          f"median {result['search_ms_median']} ms, p95 {result['search_ms_p95']} ms")
    print(f"index build, cold: median {result['build_clauses_per_s_median']} clauses/s over "
          f"{args.builds} builds ({clauses} clauses, {vectors} passages embedded)")
    print(f"index build, unchanged corpus (vector cache): median "
          f"{result['build_warm_clauses_per_s_median']} clauses/s")
    print(f"resident memory: {result['rss_mib_after_load']} MiB after loading model and index "
          f"({result['rss_mib_before_load']} MiB before); load took {result['load_seconds']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
