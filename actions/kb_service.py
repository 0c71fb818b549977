"""The knowledge base as the action server sees it: loaded once, searched with a time limit."""
from __future__ import annotations

import asyncio
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from knowledge_base.errors import KnowledgeBaseError
from knowledge_base.search import KnowledgeBase
from knowledge_base.types import SearchResponse

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_kb: KnowledgeBase | None = None
# Searches run here so a slow one never blocks the action server's event loop.
_pool = ThreadPoolExecutor(max_workers=int(os.environ.get("KB_ACTION_THREADS", "2")))


class KnowledgeBaseUnavailable(Exception):
    """The search could not be done (index missing, model missing, time limit passed)."""


def timeout_seconds() -> float:
    return float(os.environ.get("KB_ACTION_TIMEOUT", "4.0"))


def get_kb() -> KnowledgeBase:
    global _kb
    if _kb is None:
        with _lock:
            if _kb is None:
                _kb = KnowledgeBase.load()
    return _kb


def preload() -> None:
    """Load model and index at start-up so the first question is not slow; log, never crash."""
    try:
        get_kb()
    except KnowledgeBaseError as exc:
        logger.error("knowledge base not loaded: %s", exc)


async def search(question: str, lang: str, topic=None, top_k: int = 3) -> SearchResponse:
    loop = asyncio.get_running_loop()

    def run():
        return get_kb().search(question, lang=lang, topic=topic, top_k=top_k)

    try:
        return await asyncio.wait_for(loop.run_in_executor(_pool, run), timeout=timeout_seconds())
    except asyncio.TimeoutError:
        logger.warning("knowledge base search timed out after %.1f s", timeout_seconds())
        raise KnowledgeBaseUnavailable("timeout") from None
    except KnowledgeBaseError as exc:
        if exc.exit_code == 2:  # bad question: let the caller answer it
            raise
        logger.error("knowledge base unavailable: %s", exc)
        raise KnowledgeBaseUnavailable(str(exc)) from None
