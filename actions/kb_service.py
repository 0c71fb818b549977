"""The knowledge base as the action server sees it: loaded once, searched with a time limit.

A rebuilt index is picked up without a restart: a daemon thread checks every KB_RELOAD_INTERVAL
seconds (default 5, 0 disables) whether KB_INDEX_DIR now points at another version, loads it
beside the old one with the same embedding model, and swaps the module's reference in one
assignment. A search grabs the reference once, so searches in flight finish on the old index.
"""
from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from knowledge_base.errors import BadInputError, KnowledgeBaseError
from knowledge_base.index_store import Manifest, read_index
from knowledge_base.search import KnowledgeBase
from knowledge_base.sectors import SectorAnswer, names_a_sector, sector_answer
from knowledge_base.types import SearchResponse

logger = logging.getLogger(__name__)

_lock = threading.Lock()  # one load or reload at a time; searches never take it
_kb: KnowledgeBase | None = None
_watcher: threading.Thread | None = None
_stop_watching = threading.Event()
_last_failure: tuple[Path, str] | None = None  # so a broken version is logged once, not every tick
# Searches run here so a slow one never blocks the action server's event loop.
_threads = int(os.environ.get("KB_ACTION_THREADS", "2"))
_pool = ThreadPoolExecutor(max_workers=_threads)
# A search that timed out keeps its thread until it ends; without a bound, later searches would
# queue behind it and time out too. A slot is held from submission until the search really
# ends (or is cancelled before starting): with every slot taken a search fails at once.
_slots = threading.BoundedSemaphore(_threads + int(os.environ.get("KB_ACTION_QUEUE", "2")))


class KnowledgeBaseUnavailable(Exception):
    """The search could not be done (index missing, model missing, time limit passed)."""


def timeout_seconds() -> float:
    return float(os.environ.get("KB_ACTION_TIMEOUT", "4.0"))


def reload_interval() -> float:
    return float(os.environ.get("KB_RELOAD_INTERVAL", "5"))


def get_kb() -> KnowledgeBase:
    global _kb
    if _kb is None:
        with _lock:
            if _kb is None:
                _kb = KnowledgeBase.load()
                _start_watcher()
    return _kb


def current_index_version() -> str | None:
    """The version folder the loaded index was read from, e.g. `index-20261129T234149984256Z`."""
    kb = _kb
    return kb.stored.path.name if kb is not None else None


def _on_disk(index_dir: Path) -> tuple[Path, str | None]:
    """(version folder, manifest build_time) the index link points at now; cheap enough per tick."""
    path = Path(index_dir).resolve()
    try:
        return path, Manifest.read(path).build_time
    except KnowledgeBaseError:
        return path, None  # not a usable index (yet): read_index below says why


def reload_if_changed() -> bool:
    """Swap to the index KB_INDEX_DIR now points at, if it is another one; True when swapped.

    A missing, half-written or incompatible new version is logged and the loaded one kept; the
    next call tries again.
    """
    global _kb, _last_failure
    with _lock:
        old = _kb
        if old is None:
            return False  # nothing loaded yet: get_kb() will load whatever is current
        index_dir = old.settings.index_dir
        if _on_disk(index_dir) == (old.stored.path, old.manifest.build_time):
            return False
        started = time.perf_counter()
        try:
            stored = read_index(index_dir)
            # Reuse the loaded model: no second model load, no second copy in memory.
            new = old.with_index(stored)
        except KnowledgeBaseError as exc:
            failure = (Path(index_dir).resolve(), str(exc))
            if failure != _last_failure:
                logger.error("new knowledge base index not loaded, keeping %s: %s",
                             old.stored.path.name, exc)
                _last_failure = failure
            return False
        _kb = new  # one assignment: each search uses whichever object it grabbed
        _last_failure = None
    logger.info("knowledge base reloaded: %s (%d clauses) in %.2f s", stored.path.name,
                len(stored.clauses), time.perf_counter() - started)
    return True


def _watch(interval: float) -> None:
    while not _stop_watching.wait(interval):
        try:
            reload_if_changed()
        except Exception:  # the watcher must outlive any surprise; the next tick tries again
            logger.exception("knowledge base reload check failed")


def _start_watcher() -> None:
    global _watcher
    interval = reload_interval()
    if interval <= 0 or (_watcher is not None and _watcher.is_alive()):
        return
    _stop_watching.clear()
    _watcher = threading.Thread(target=_watch, args=(interval,), name="kb-index-watcher",
                                daemon=True)
    _watcher.start()


def stop_watcher() -> None:
    """Stop the reload thread (tests; shutdown). The next first load starts it again."""
    _stop_watching.set()
    if _watcher is not None:
        _watcher.join(timeout=30)


def preload() -> None:
    """Load model and index at start-up so the first question is not slow; log, never crash."""
    try:
        # One throw-away search: the first pays one-off costs (jieba's dictionary, torch's first
        # pass; ~2.5 s on 2 CPUs) that would otherwise land on a user, near the action timeout.
        get_kb().search("外商投资负面清单")
    except KnowledgeBaseError as exc:
        logger.error("knowledge base not loaded: %s", exc)


async def _bounded(run, what: str):
    """Run `run()` in the pool within a free search slot and the time limit."""
    loop = asyncio.get_running_loop()
    if not _slots.acquire(blocking=False):
        logger.warning("knowledge base busy: every search slot is taken; answering at once")
        raise KnowledgeBaseUnavailable("busy")
    try:
        future = _pool.submit(run)
    except BaseException:
        _slots.release()
        raise
    future.add_done_callback(lambda _: _slots.release())  # ended, failed or cancelled
    try:
        # On timeout a search still queued is cancelled (its slot freed); a running one runs on.
        return await asyncio.wait_for(asyncio.wrap_future(future, loop=loop),
                                      timeout=timeout_seconds())
    except asyncio.TimeoutError:
        logger.warning("knowledge base %s timed out after %.1f s", what, timeout_seconds())
        raise KnowledgeBaseUnavailable("timeout") from None
    except BadInputError:
        raise  # a bad question: the caller answers it
    except KnowledgeBaseError as exc:
        logger.error("knowledge base unavailable: %s", exc)
        raise KnowledgeBaseUnavailable(str(exc)) from None


async def search(question: str, lang: str, topic=None, top_k: int = 3,
                 widen: bool = False) -> SearchResponse:
    def run():
        # get_kb() is read once: a reload meanwhile does not touch this search's index.
        return get_kb().search(question, lang=lang, topic=topic, top_k=top_k, widen=widen)

    return await _bounded(run, "search")


async def sector_verdict(question: str, lang: str, previous: str | None = None) -> SectorAnswer | None:
    """A sector verdict for "can I invest in X?" questions (None for other questions)."""
    if not names_a_sector(question, previous):
        return None  # most questions: no search slot, no thread

    def run():
        return sector_answer(get_kb(), question, lang, previous)

    return await _bounded(run, "sector verdict")
