"""Embedding throughput and query latency, float32 against bfloat16 autocast, in one run.

A fixed sample of the index's real passages (curated clauses, English glosses and law
articles) is embedded in each precision and batch size, several rounds each, interleaved so the
machine's noise falls on both alike; the median passages/s is reported, with the lowest cosine
between a passage's two vectors. Run by hand: `PYTHONPATH=. .venv/bin/python bench/bench_embedding.py`.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def sample_passages(settings, size: int) -> list[str]:
    from knowledge_base.build import clause_passages
    from knowledge_base.corpus_loader import load_corpus

    docs = load_corpus(settings.corpus_dir, settings.crawled_dir, settings.laws_dir)
    passages = [p for d in docs for c in d.clauses for p in clause_passages(c, d)]
    return random.Random(0).sample(passages, min(size, len(passages)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--passages", type=int, default=320)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-sizes", default="16,32")
    args = parser.parse_args()

    from knowledge_base.config import get_settings
    from knowledge_base.embedder import Embedder

    base = get_settings()
    embedders = {p: Embedder(dataclasses.replace(base, embed_precision=p)) for p in ("float32", "bfloat16")}
    passages = sample_passages(base, args.passages)
    questions = ["外国投资者在中国赚的利润可以自由汇出吗？", "What is the standard corporate income tax rate?",
                 "有限责任公司股东认缴的出资要在几年内缴足", "How do I file a complaint about a local government?"]
    texts = [base.passage_prefix + p for p in passages]
    reference = embedders["float32"]._encode(texts, 16)
    rates: dict[str, list[float]] = {}
    query_ms: dict[str, list[float]] = {p: [] for p in embedders}
    lowest_cos: dict[str, float] = {}
    for _ in range(args.rounds):
        for precision, embedder in embedders.items():
            for batch in (int(b) for b in args.batch_sizes.split(",")):
                started = time.perf_counter()
                vectors = embedder._encode(texts, batch)
                rates.setdefault(f"{precision} batch {batch}", []).append(
                    len(texts) / (time.perf_counter() - started))
                cos = float(np.min(np.sum(vectors * reference, axis=1)))
                lowest_cos[precision] = min(lowest_cos.get(precision, 1.0), cos)
            for q in questions * 3:
                started = time.perf_counter()
                embedder.queries([q])
                query_ms[precision].append((time.perf_counter() - started) * 1000)
    result = {
        "passages": len(texts),
        "passages_per_second_median": {k: round(statistics.median(v), 1) for k, v in rates.items()},
        "query_ms_median": {k: round(statistics.median(v), 1) for k, v in query_ms.items()},
        "lowest_cosine_to_float32": {k: round(v, 5) for k, v in lowest_cos.items()},
        "auto_precision_here": Embedder(base).precision,
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
