"""The Official Account's access token: fetched with AppID + AppSecret, cached, renewed early.

GET {api_base}/cgi-bin/token?grant_type=client_credential&appid=..&secret=.. answers
{"access_token": "...", "expires_in": 7200} or {"errcode": ..., "errmsg": ...}. The token is
renewed `margin` seconds before it expires (at most half its life). One lock: concurrent callers
wait for a single fetch instead of each fetching (every fetch invalidates the previous token).
With a `SharedTokenStore`, worker processes use one token rather than invalidating each other's.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

import requests

from bot.wechat.token_store import SharedTokenStore

log = logging.getLogger(__name__)


class TokenError(RuntimeError):
    """No access token could be had (network, credentials, or WeChat refused)."""

    def __init__(self, message: str, errcode: int | None = None):
        super().__init__(message)
        self.errcode = errcode


class AccessTokenCache:
    def __init__(self, api_base: str, app_id: str, app_secret: str, *,
                 session: requests.Session | None = None, timeout: float = 10.0,
                 margin: float = 300.0, clock: Callable[[], float] = time.time,
                 shared: SharedTokenStore | None = None):
        self.api_base = api_base.rstrip("/")
        self.app_id = app_id
        self._secret = app_secret
        self._session = session or requests.Session()
        self.timeout = timeout
        self.margin = margin
        self._clock = clock
        self._shared = shared
        self._lock = threading.Lock()
        self._token: str | None = None
        self._refresh_at = 0.0

    @property
    def configured(self) -> bool:
        return bool(self.app_id and self._secret)

    def get(self) -> str:
        with self._lock:
            return self._usable() or self._fetch()

    def refresh(self, rejected: str | None = None) -> str:
        """A new token, because WeChat rejected `rejected`; if another thread (or worker) already
        replaced that token, its replacement is returned instead of fetching again."""
        with self._lock:
            if rejected is None:
                return self._fetch()
            if self._token == rejected:
                self._token = None
            current = self._usable()
            if current and current != rejected:
                return current
            return self._fetch()

    def _usable(self) -> str | None:
        """A token still good to use: this process's, else the one another worker stored."""
        now = self._clock()
        if self._token and now < self._refresh_at:
            return self._token
        if self._shared is not None:
            try:
                stored = self._shared.load(self.app_id)
            except Exception:  # noqa: BLE001 - the shared store is an optimisation
                log.exception("shared access-token store unreadable")
                stored = None
            if stored and now < stored.refresh_at:
                self._token, self._refresh_at = stored.token, stored.refresh_at
                return self._token
        return None

    def _fetch(self) -> str:
        if not self.configured:
            raise TokenError("WECHAT_APP_ID and WECHAT_APP_SECRET are not set")
        self._token = None
        try:
            resp = self._session.get(f"{self.api_base}/cgi-bin/token",
                                     params={"grant_type": "client_credential",
                                             "appid": self.app_id, "secret": self._secret},
                                     timeout=self.timeout)
            data = resp.json()
        except (requests.RequestException, ValueError) as exc:
            # The exception text may hold the URL, and so the secret: log its type only.
            raise TokenError(f"token request failed ({type(exc).__name__})") from None
        if not isinstance(data, dict):
            raise TokenError("token endpoint answered an unexpected document")
        token = data.get("access_token")
        if not token:
            errcode = data.get("errcode")
            raise TokenError(f"token refused: errcode {errcode} {data.get('errmsg', '')}".strip(),
                             errcode if isinstance(errcode, int) else None)
        try:
            expires_in = float(data.get("expires_in") or 7200)
        except (TypeError, ValueError):
            expires_in = 7200.0
        now = self._clock()
        self._token = str(token)
        self._refresh_at = now + expires_in - min(self.margin, expires_in / 2)
        if self._shared is not None:
            try:
                self._shared.save(self.app_id, self._token, self._refresh_at)
            except Exception:  # noqa: BLE001
                log.exception("shared access-token store unwritable")
        log.info("WeChat access token fetched (valid %.0f s)", expires_in)
        return self._token
