"""The action server's search queue is bounded (issue 13): timed-out searches that still occupy
the threads make later searches fail at once with the apology, instead of queueing to time out."""
from __future__ import annotations

import asyncio
import threading
import time


from actions import kb_service


class SlowKnowledgeBase:
    """The real knowledge base behind a delay: a search stuck for `delay` seconds, as one that
    hit a pathological question or a starved CPU would be (that cannot be produced on demand)."""

    def __init__(self, kb, delay: float):
        self.kb, self.delay = kb, delay
        self.calls = 0
        self.finished = threading.Semaphore(0)
        self.lock = threading.Lock()

    def search(self, *args, **kwargs):
        with self.lock:
            self.calls += 1
        try:
            time.sleep(self.delay)
            return self.kb.search(*args, **kwargs)
        finally:
            self.finished.release()


async def _timed_search(question: str):
    started = time.monotonic()
    try:
        await kb_service.search(question, "zh")
        outcome = "answer"
    except kb_service.KnowledgeBaseUnavailable as exc:
        outcome = str(exc)
    return outcome, time.monotonic() - started


async def _burst(n: int):
    return await asyncio.gather(*[_timed_search("负面清单有几条") for _ in range(n)])


def test_stuck_searches_make_later_ones_fail_fast(kb, monkeypatch):
    slow = SlowKnowledgeBase(kb, delay=2.0)
    monkeypatch.setattr(kb_service, "_kb", slow)
    monkeypatch.setenv("KB_ACTION_TIMEOUT", "0.5")
    capacity = kb_service._threads + 2  # KB_ACTION_QUEUE default
    results = asyncio.run(_burst(capacity + 4))
    outcomes = [o for o, _ in results]
    assert outcomes.count("timeout") == capacity
    assert outcomes.count("busy") == 4
    assert all(elapsed < 0.2 for o, elapsed in results if o == "busy")  # no waiting at all
    # Searches cancelled in the queue never ran: only the threads' own searches did.
    for _ in range(kb_service._threads):
        assert slow.finished.acquire(timeout=30)
    time.sleep(0.2)
    assert slow.calls == kb_service._threads
    # Once the stuck searches end, the slots are free again.
    monkeypatch.setattr(kb_service, "_kb", kb)
    monkeypatch.setenv("KB_ACTION_TIMEOUT", "30")
    outcome, _ = asyncio.run(_timed_search("负面清单有几条"))
    assert outcome == "answer"


def test_a_burst_within_the_bound_is_answered(kb, monkeypatch):
    monkeypatch.setattr(kb_service, "_kb", kb)
    monkeypatch.setenv("KB_ACTION_TIMEOUT", "30")
    capacity = kb_service._threads + 2
    outcomes = [o for o, _ in asyncio.run(_burst(capacity))]
    assert outcomes == ["answer"] * capacity
