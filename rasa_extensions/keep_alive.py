"""Calls to the action server over kept-alive connections.

Rasa 3.6 opens a new aiohttp session, and so a new TCP connection, for every call of an HTTP
endpoint: one per user message here (two before `lang` was detected in the pipeline), each paying
for the session, the connection and the action server's accept. Here an endpoint keeps one
session per event loop, with aiohttp's connection pool and Rasa's own headers, auth and timeout;
the action server (sanic) keeps idle connections 120 s, longer than aiohttp's 15 s, so a pooled
connection is not closed under a request by the server's idle timer. A session that was closed
is replaced at the next call.
"""
from __future__ import annotations

import asyncio
import weakref
from typing import Any

import aiohttp
from rasa.utils.endpoints import EndpointConfig

_rasa_session = EndpointConfig.session


class _Borrowed:
    """What `async with endpoint.session()` gets: the kept session, not closed on exit."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(self, *exc: Any) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


def _kept_session(self: EndpointConfig) -> Any:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # outside the server's loop: Rasa's own, closed by its caller
        return _rasa_session(self)
    kept = self.__dict__.setdefault("_kept_sessions", weakref.WeakKeyDictionary())
    session = kept.get(loop)
    if session is None or session.closed:
        session = kept[loop] = _rasa_session(self)
    return _Borrowed(session)


# Patched once, when Rasa imports this package (the endpoints file names its stores).
if not getattr(EndpointConfig, "_keeps_sessions", False):
    EndpointConfig.session = _kept_session  # type: ignore[method-assign]
    EndpointConfig._keeps_sessions = True
