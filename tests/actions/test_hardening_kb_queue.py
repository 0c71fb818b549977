"""The action server's search queue is bounded (issue 13): timed-out searches that still occupy
the threads make later searches fail at once with the apology, instead of queueing to time out."""
from __future__ import annotations

import asyncio
import dataclasses
import threading
import time

from actions.config import ActionSettings
from actions.kb_service import KnowledgeBaseService, KnowledgeBaseUnavailable


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


async def _timed_search(service: KnowledgeBaseService, question: str):
    started = time.monotonic()
    try:
        await service.search(question, "zh")
        outcome = "answer"
    except KnowledgeBaseUnavailable as exc:
        outcome = str(exc)
    return outcome, time.monotonic() - started


async def _burst(service: KnowledgeBaseService, n: int):
    return await asyncio.gather(*[_timed_search(service, "负面清单有几条") for _ in range(n)])


def test_stuck_searches_make_later_ones_fail_fast(kb):
    slow = SlowKnowledgeBase(kb, delay=2.0)
    settings = ActionSettings(threads=2, queue=2, timeout=0.5, reload_interval=0)
    service = KnowledgeBaseService(settings, kb=slow)
    capacity = settings.threads + settings.queue
    assert service.capacity == capacity == 4
    results = asyncio.run(_burst(service, capacity + 4))
    outcomes = [o for o, _ in results]
    assert outcomes.count("timeout") == capacity
    assert outcomes.count("busy") == 4
    assert all(elapsed < 0.2 for o, elapsed in results if o == "busy")  # no waiting at all
    # Searches cancelled in the queue never ran: only the threads' own searches did.
    for _ in range(settings.threads):
        assert slow.finished.acquire(timeout=30)
    time.sleep(0.2)
    assert slow.calls == settings.threads
    # Once the stuck searches end, the slots are free again.
    slow.delay = 0
    service.settings = dataclasses.replace(settings, timeout=30)
    outcome, _ = asyncio.run(_timed_search(service, "负面清单有几条"))
    assert outcome == "answer"


def test_a_burst_within_the_bound_is_answered(kb):
    service = KnowledgeBaseService(ActionSettings(timeout=30, reload_interval=0), kb=kb)
    capacity = service.capacity
    outcomes = [o for o, _ in asyncio.run(_burst(service, capacity))]
    assert outcomes == ["answer"] * capacity
