"""Topology benchmark: 16 concurrent senders through the gateway for BENCH_SECONDS (60) with
1 replica on SQLite, 1 replica on PostgreSQL + Redis and 2 replicas on PostgreSQL + Redis:
answers/s, p50, p95, errors, and the CPU each kind of process spent per answer (the bottleneck).
PostgreSQL and Redis are private servers on loopback ports, as in the tests."""
from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from harness.rasa_bot import start_bot
from harness.services import start_postgres, start_redis

REPO = Path(__file__).resolve().parents[1]

QUESTIONS = ["外商投资企业投诉以后多久受理？", "How do I file the annual foreign investment information report?",
             "负面清单现在有几条？", "Can reinvested profits defer withholding tax?"]
SENDERS = int(os.environ.get("BENCH_SENDERS", "16"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
TICKS = os.sysconf("SC_CLK_TCK")


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else 0.0


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return tree


def cpu_seconds(pid: int, tree: dict[int, list[int]]) -> float:
    """CPU time of a process and all its descendants (gunicorn's workers)."""
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(tree.get(p, []))
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICKS
        except (OSError, IndexError):
            continue
    return total


def cpu_by_kind(bot) -> dict[str, float]:
    tree = _children()
    out: dict[str, float] = {}
    for name, state in bot.status().items():
        kind = name.split("-")[0]
        out[kind] = out.get(kind, 0.0) + cpu_seconds(state["pid"], tree)
    return out


def answered(messages: list[dict]) -> bool:
    """A searched answer: every bench question is a policy question, and the knowledge base's
    reply (an answer, a partial one or "the documents do not say") carries `answerable`. The
    action server's "search busy, ask again" apology under overload has text but none."""
    return any(m.get("answerable") for m in messages)


def load(gateway: str, seconds: float) -> dict:
    latencies: list[float] = []
    errors = [0]
    shed = [0]
    stop = time.monotonic() + seconds
    run_tag = f"{time.time():.0f}"  # conversations of at most 10 turns, never continued by a later run

    def sender(i: int) -> None:
        n = 0
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            try:
                r = requests.post(f"{gateway}/api/chat", timeout=60, json={
                    "sender": f"bench-{run_tag}-{i}-{n // 10}", "message": QUESTIONS[(i + n) % len(QUESTIONS)]})
                messages = r.json()["messages"] if r.status_code == 200 else []
                ok = any(m["text"] for m in messages)
            except requests.RequestException:
                ok = False
            if ok and answered(messages):
                latencies.append((time.perf_counter() - t0) * 1000)
            elif ok:
                shed[0] += 1
            else:
                errors[0] += 1
            n += 1

    threads = [threading.Thread(target=sender, args=(i,)) for i in range(SENDERS)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    return {"answers": len(latencies), "answers_per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(percentile(latencies, 0.5)), "p95_ms": round(percentile(latencies, 0.95)),
            "errors": errors[0], "busy_apologies": shed[0], "seconds": round(elapsed, 1)}


def run(name: str, replicas: int, shared: bool) -> dict:
    pg = redis = None
    with tempfile.TemporaryDirectory() as tmp:
        env = {"REPLICAS": str(replicas), "RATE_LIMIT_SENDER": "1000000", "RATE_LIMIT_ADDRESS": "1000000",
               "STARTUP_TIMEOUT": "480"}
        if shared:
            pg, redis = start_postgres(), start_redis()
            env.update(TRACKER_STORE_URL=pg.url, REDIS_URL=redis.url)
        bot = start_bot(Path(tmp), REPO / "var" / "index", **env)
        try:
            load(bot.gateway_url, 10)  # warm-up
            single = []
            for i in range(20):
                t0 = time.perf_counter()
                requests.post(f"{bot.gateway_url}/api/chat", timeout=60,
                              json={"sender": f"one-{i}", "message": QUESTIONS[i % 4]}).raise_for_status()
                single.append((time.perf_counter() - t0) * 1000)
            before = cpu_by_kind(bot)
            result = load(bot.gateway_url, SECONDS)
            after = cpu_by_kind(bot)
            # Per reply: a busy apology costs Rasa as much as an answer, the action server less.
            answers = max(result["answers"] + result["busy_apologies"], 1)
            result["cpu_ms_per_answer"] = {k: round((after[k] - before.get(k, 0)) * 1000 / answers, 1)
                                           for k in after}
            result["single_client_p50_ms"] = round(statistics.median(single))
            result.update(config=name, replicas=replicas, senders=SENDERS)
            print(json.dumps(result, ensure_ascii=False), flush=True)
            return result
        finally:
            bot.stop()
            for server in (pg, redis):
                if server:
                    server.destroy()


def main() -> int:
    results = [run("1 replica, SQLite", 1, False), run("1 replica, PostgreSQL + Redis", 1, True),
               run("2 replicas, PostgreSQL + Redis", 2, True)]
    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "topology.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(f"{'configuration':<32} {'answers/s':>9} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6}  CPU ms per answer")
    for r in results:
        cpu = ", ".join(f"{k} {v}" for k, v in sorted(r["cpu_ms_per_answer"].items()))
        print(f"{r['config']:<32} {r['answers_per_s']:>9} {r['p50_ms']:>7} {r['p95_ms']:>7} {r['errors']:>6}  {cpu}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
