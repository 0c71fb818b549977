"""The customer-service API: text sent to a user outside a passive reply (within 48 hours).

POST {api_base}/cgi-bin/message/custom/send?access_token=.. with
{"touser": openid, "msgtype": "text", "text": {"content": ...}}, sent as raw UTF-8 JSON
(WeChat shows \\uXXXX escapes literally). errcode 45015: the user has not written in the last
48 hours, so nothing can be sent: logged, reported as not sent. errcode 40001/40014/42001: the
access token is stale: it is renewed once and the message sent again.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import requests

from bot.wechat.token_cache import AccessTokenCache, TokenError

log = logging.getLogger(__name__)

OUTSIDE_WINDOW = 45015
STALE_TOKEN_CODES = frozenset({40001, 40014, 42001})


@dataclass(frozen=True)
class SendResult:
    sent: bool
    errcode: int | None = None
    errmsg: str = ""


class CustomerServiceClient:
    def __init__(self, api_base: str, tokens: AccessTokenCache, *,
                 session: requests.Session | None = None, timeout: float = 10.0):
        self.api_base = api_base.rstrip("/")
        self.tokens = tokens
        self._session = session or requests.Session()
        self.timeout = timeout

    def send_text(self, openid: str, content: str) -> SendResult:
        body = json.dumps({"touser": openid, "msgtype": "text", "text": {"content": content}},
                          ensure_ascii=False).encode("utf-8")
        try:
            token = self.tokens.get()
        except TokenError as exc:
            log.error("WeChat customer-service message not sent: %s", exc)
            return SendResult(False, exc.errcode, str(exc))
        result = self._post(token, body)
        if result.errcode in STALE_TOKEN_CODES:
            log.info("WeChat rejected the access token (errcode %s): renewing it once", result.errcode)
            try:
                token = self.tokens.refresh(rejected=token)
            except TokenError as exc:
                log.error("WeChat customer-service message not sent: %s", exc)
                return SendResult(False, exc.errcode, str(exc))
            result = self._post(token, body)
        if result.errcode == OUTSIDE_WINDOW:
            log.warning("WeChat customer-service message to %s not sent: errcode 45015, the user "
                        "has not written in the last 48 hours", _short(openid))
        elif not result.sent:
            log.error("WeChat customer-service message to %s not sent: errcode %s %s",
                      _short(openid), result.errcode, result.errmsg)
        return result

    def send_texts(self, openid: str, contents: list[str]) -> list[SendResult]:
        """Send in order; stop at the first failure (the later ones would arrive out of context)."""
        results: list[SendResult] = []
        for content in contents:
            result = self.send_text(openid, content)
            results.append(result)
            if not result.sent:
                break
        return results

    def _post(self, token: str, body: bytes) -> SendResult:
        try:
            resp = self._session.post(f"{self.api_base}/cgi-bin/message/custom/send",
                                      params={"access_token": token}, data=body,
                                      headers={"Content-Type": "application/json; charset=utf-8"},
                                      timeout=self.timeout)
            data = resp.json()
        except (requests.RequestException, ValueError) as exc:
            # The exception text may hold the URL, and so the token: log its type only.
            return SendResult(False, None, f"request failed ({type(exc).__name__})")
        if not isinstance(data, dict):
            return SendResult(False, None, "unexpected answer")
        errcode = data.get("errcode", 0)
        try:
            errcode = int(errcode)
        except (TypeError, ValueError):
            return SendResult(False, None, f"unexpected errcode {errcode!r}")
        return SendResult(errcode == 0, errcode, str(data.get("errmsg") or ""))


def _short(openid: str) -> str:
    """An openid shortened for the log."""
    return openid[:6] + "…" if len(openid) > 8 else openid
