"""REST end-to-end benchmark: a policy question through Rasa, the action server and the
knowledge base, on warm servers started for the run (loopback only).

Reports median and p95 latency with 1 client and with 8 concurrent clients, and answers/s.
"""
from __future__ import annotations

import json
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from harness.rasa_bot import start_bot  # shared with the end-to-end tests

REPO = Path(__file__).resolve().parents[1]

QUESTIONS = [
    "外商投资企业投诉以后多久受理？", "How do I file the annual foreign investment information report?",
    "负面清单现在有几条？", "Can reinvested profits defer withholding tax?",
    "鼓励外商投资产业目录有什么优惠？", "Do I need MOFCOM approval to set up a WFOE?",
]


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def timed_question(bot, i):
    t0 = time.perf_counter()
    out = bot.say(f"bench-{uuid.uuid4().hex[:8]}", QUESTIONS[i % len(QUESTIONS)])
    elapsed = (time.perf_counter() - t0) * 1000
    assert any("custom" in m for m in out), out
    return elapsed


def run(bot, clients, requests_per_client):
    total = clients * requests_per_client
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        latencies = list(pool.map(lambda i: timed_question(bot, i), range(total)))
    wall = time.perf_counter() - t0
    return {"clients": clients, "requests": total,
            "median_ms": round(statistics.median(latencies), 1),
            "p95_ms": round(percentile(latencies, 0.95), 1),
            "answers_per_s": round(total / wall, 1)}


def main() -> int:
    index_dir = REPO / "var" / "index"
    with tempfile.TemporaryDirectory() as tmp:
        bot = start_bot(Path(tmp), index_dir)
        try:
            for i in range(6):  # warm-up
                timed_question(bot, i)
            results = [run(bot, 1, 60), run(bot, 8, 12)]
        finally:
            bot.stop()
    out_dir = REPO / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"rest-{time.strftime('%Y%m%dT%H%M%S')}.json").write_text(json.dumps(results, indent=2))
    for r in results:
        print(f"REST policy question, {r['clients']} client(s), {r['requests']} requests: "
              f"median {r['median_ms']} ms, p95 {r['p95_ms']} ms, {r['answers_per_s']} answers/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
