"""The knowledge base as the action server sees it: loaded once, searched with a time limit.

One KnowledgeBaseService is made by the server at start (actions/server.py) and handed to the
actions that search; importing this module loads nothing.

A rebuilt index is picked up without a restart: a daemon thread checks every KB_RELOAD_INTERVAL
seconds (default 5, 0 disables) whether KB_INDEX_DIR now points at another version, loads it
beside the old one with the same embedding model, and swaps the service's reference in one
assignment. A search grabs the reference once, so searches in flight finish on the old index.
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, TypeVar

from knowledge_base.config import Settings
from knowledge_base.errors import BadInputError, KnowledgeBaseError
from knowledge_base.index_store import Manifest, read_index
from knowledge_base.search import KnowledgeBase
from knowledge_base.sectors import SectorAnswer, names_a_sector, sector_answer
from knowledge_base.types import SearchResponse

from .config import ActionSettings

logger = logging.getLogger(__name__)
T = TypeVar("T")


class KnowledgeBaseUnavailable(Exception):
    """The search could not be done (index missing, model missing, time limit passed)."""


def _on_disk(index_dir: Path) -> tuple[Path, str | None]:
    """(version folder, manifest build_time) the index link points at now; cheap enough per tick."""
    path = Path(index_dir).resolve()
    try:
        return path, Manifest.read(path).build_time
    except KnowledgeBaseError:
        return path, None  # not a usable index (yet): read_index below says why


class KnowledgeBaseService:
    """The loaded knowledge base, its reload watcher and the bounded pool searches run in.

    `kb_settings` says where the index and model are (default: the environment's); `kb` hands in
    an already loaded knowledge base (tests; anything with KnowledgeBase's search() will do).
    """

    def __init__(self, settings: ActionSettings | None = None, kb_settings: Settings | None = None,
                 kb: Any = None):
        self.settings = settings or ActionSettings()
        self._kb_settings = kb_settings
        self._kb = kb
        self._lock = threading.Lock()  # one load or reload at a time; searches never take it
        self._watcher: threading.Thread | None = None
        self._stop_watching = threading.Event()
        self._last_failure: tuple[Path, str] | None = None  # a broken version is logged once
        self._pool = ThreadPoolExecutor(max_workers=self.settings.threads)
        # A search that timed out keeps its thread until it ends; without a bound, later searches
        # would queue behind it and time out too. A slot is held from submission until the search
        # really ends (or is cancelled before starting): with every slot taken a search fails at once.
        self._slots = threading.BoundedSemaphore(self.settings.threads + self.settings.queue)

    @property
    def capacity(self) -> int:
        """Searches running or waiting at once; one more fails at once."""
        return self.settings.threads + self.settings.queue

    def get_kb(self) -> KnowledgeBase:
        if self._kb is None:
            with self._lock:
                if self._kb is None:
                    self._kb = KnowledgeBase.load(self._kb_settings, queries_only=True)
                    self.start_watcher()
        return self._kb

    @property
    def loaded(self) -> Any:
        """The knowledge base searches use now (None before the first load)."""
        return self._kb

    def current_index_version(self) -> str | None:
        """The version folder the loaded index was read from, e.g. `index-20261129T234149984256Z`."""
        kb = self._kb
        return kb.stored.path.name if kb is not None else None

    def reload_if_changed(self) -> bool:
        """Swap to the index KB_INDEX_DIR now points at, if it is another one; True when swapped.

        A missing, half-written or incompatible new version is logged and the loaded one kept;
        the next call tries again.
        """
        with self._lock:
            old = self._kb
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
                if failure != self._last_failure:
                    logger.error("new knowledge base index not loaded, keeping %s: %s",
                                 old.stored.path.name, exc)
                    self._last_failure = failure
                return False
            self._kb = new  # one assignment: each search uses whichever object it grabbed
            self._last_failure = None
        logger.info("knowledge base reloaded: %s (%d clauses) in %.2f s", stored.path.name,
                    len(stored.clauses), time.perf_counter() - started)
        return True

    def _watch(self, interval: float) -> None:
        while not self._stop_watching.wait(interval):
            try:
                self.reload_if_changed()
            except Exception:  # the watcher must outlive any surprise; the next tick tries again
                logger.exception("knowledge base reload check failed")

    def start_watcher(self) -> None:
        interval = self.settings.reload_interval
        if interval <= 0 or (self._watcher is not None and self._watcher.is_alive()):
            return
        self._stop_watching.clear()
        self._watcher = threading.Thread(target=self._watch, args=(interval,),
                                         name="kb-index-watcher", daemon=True)
        self._watcher.start()

    def stop_watcher(self) -> None:
        """Stop the reload thread (tests; shutdown). The next first load starts it again."""
        self._stop_watching.set()
        if self._watcher is not None:
            self._watcher.join(timeout=30)

    def preload(self) -> None:
        """Load model and index at start-up so the first question is not slow; log, never crash."""
        try:
            # One throw-away search: the first pays one-off costs (jieba's dictionary, torch's
            # first pass; ~2.5 s on 2 CPUs) that would otherwise land on a user, near the action
            # timeout.
            self.get_kb().search("外商投资负面清单")
        except KnowledgeBaseError as exc:
            logger.error("knowledge base not loaded: %s", exc)

    async def _bounded(self, run: Callable[[], T], what: str) -> T:
        """Run `run()` in the pool within a free search slot and the time limit."""
        loop = asyncio.get_running_loop()
        if not self._slots.acquire(blocking=False):
            logger.warning("knowledge base busy: every search slot is taken; answering at once")
            raise KnowledgeBaseUnavailable("busy")
        try:
            future = self._pool.submit(run)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _: self._slots.release())  # ended, failed or cancelled
        timeout = self.settings.timeout
        try:
            # On timeout a search still queued is cancelled (its slot freed); a running one runs on.
            return await asyncio.wait_for(asyncio.wrap_future(future, loop=loop), timeout=timeout)
        except asyncio.TimeoutError:
            logger.warning("knowledge base %s timed out after %.1f s", what, timeout)
            raise KnowledgeBaseUnavailable("timeout") from None
        except BadInputError:
            raise  # a bad question: the caller answers it
        except KnowledgeBaseError as exc:
            logger.error("knowledge base unavailable: %s", exc)
            raise KnowledgeBaseUnavailable(str(exc)) from None

    async def search(self, question: str, lang: str, topic=None, top_k: int = 3,
                     widen: bool = False) -> SearchResponse:
        def run():
            # get_kb() is read once: a reload meanwhile does not touch this search's index.
            return self.get_kb().search(question, lang=lang, topic=topic, top_k=top_k, widen=widen)

        return await self._bounded(run, "search")

    async def sector_verdict(self, question: str, lang: str,
                             previous: str | None = None) -> SectorAnswer | None:
        """A sector verdict for "can I invest in X?" questions (None for other questions)."""
        if not names_a_sector(question, previous):
            return None  # most questions: no search slot, no thread

        def run():
            return sector_answer(self.get_kb(), question, lang, previous)

        return await self._bounded(run, "sector verdict")
