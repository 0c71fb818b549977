"""Rasa's REST webhook, as the gateway's channels see it: a message in, typed replies out.

With several Rasa replicas the client balances round-robin over them and fails over, within one
deadline, from a replica that cannot be reached, answers 5xx or answers nothing (Rasa answers an
empty list when its tracker store, lock store or action server failed). A replica that failed is
tried last for RASA_COOLDOWN seconds. A read timeout is not retried: that replica may still be
answering, and a second one would record the message twice.
"""
from __future__ import annotations

import itertools
import logging
import re
import time
from dataclasses import dataclass, field

import requests

logger = logging.getLogger(__name__)

# Control, zero-width and separator characters: invisible, and never meant for the bot.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
CONNECT_TIMEOUT = 2.0


def clean_message(text: str) -> str:
    """Strip control characters (keeping line breaks as spaces) and surrounding space."""
    return _CONTROL.sub("", text.replace("\r", " ").replace("\n", " ")).strip()


class RasaUnavailable(Exception):
    """Rasa did not answer, answered with an error, or answered nothing."""


@dataclass(frozen=True)
class ChatMessage:
    text: str
    sources: list[dict] = field(default_factory=list)
    buttons: list[dict] = field(default_factory=list)
    kind: str = "text"  # text | answer | no_answer | eligibility | handoff
    # For answers: whether the quoted clause answers the question (yes | partial | no).
    answerable: str = ""

    def as_dict(self) -> dict:
        out = {"text": self.text, "sources": self.sources, "buttons": self.buttons, "type": self.kind}
        if self.answerable:
            out["answerable"] = self.answerable
        return out


@dataclass(frozen=True)
class ReplicaStatus:
    url: str
    ready: bool
    detail: str


def _answerable(custom: dict) -> str:
    value = custom.get("answerable")
    return value if value in ("yes", "partial", "no") else ""


def pair_messages(raw: list[dict]) -> list[ChatMessage]:
    """Rasa sends an answer's text and its `custom` payload as two messages: join them."""
    out: list[ChatMessage] = []
    for item in raw:
        custom = item.get("custom")
        if custom and out and not out[-1].sources and out[-1].kind == "text":
            last = out.pop()
            out.append(ChatMessage(last.text, list(custom.get("sources") or []), last.buttons,
                                   str(custom.get("type") or "text"), _answerable(custom)))
        elif custom:
            out.append(ChatMessage(str(custom.get("text") or ""), list(custom.get("sources") or []),
                                   [], str(custom.get("type") or "text"), _answerable(custom)))
        elif item.get("text") or item.get("buttons"):
            out.append(ChatMessage(str(item.get("text") or ""), [], list(item.get("buttons") or [])))
    return out


class RasaClient:
    def __init__(self, base_urls: str | list[str], timeout: float = 20.0, auth_token: str = "",
                 cooldown: float = 5.0):
        urls = [base_urls] if isinstance(base_urls, str) else list(base_urls)
        self.urls = [u.rstrip("/") for u in urls]
        if not self.urls:
            raise ValueError("at least one Rasa address is needed")
        self.timeout = timeout
        self.cooldown = cooldown
        self.auth_token = auth_token
        self._session = requests.Session()
        self._turn = itertools.count()
        self._failed_until: dict[str, float] = {}

    @property
    def base_url(self) -> str:
        return self.urls[0]

    def _order(self) -> list[str]:
        """Round-robin from the next replica, replicas in their cooldown last."""
        start = next(self._turn) % len(self.urls)
        ring = self.urls[start:] + self.urls[:start]
        now = time.monotonic()
        return sorted(ring, key=lambda u: self._failed_until.get(u, 0.0) > now)

    def _failed(self, url: str, why: str, errors: list[str]) -> None:
        self._failed_until[url] = time.monotonic() + self.cooldown
        errors.append(f"{url}: {why}")
        logger.warning("rasa replica %s failed (%s)", url, why)

    def send(self, sender: str, message: str, timeout: float | None = None) -> list[ChatMessage]:
        deadline = time.monotonic() + (timeout or self.timeout)
        errors: list[str] = []
        for url in self._order():
            remaining = deadline - time.monotonic()
            if remaining <= 0.1:
                break
            try:
                resp = self._session.post(f"{url}/webhooks/rest/webhook",
                                          json={"sender": sender, "message": message},
                                          timeout=(min(CONNECT_TIMEOUT, remaining), remaining))
            except requests.ReadTimeout:
                raise RasaUnavailable(f"{url}: no answer within the deadline") from None
            except requests.RequestException as exc:  # refused, reset, connect timeout: not handled
                self._failed(url, type(exc).__name__, errors)
                continue
            if resp.status_code >= 500:
                self._failed(url, f"HTTP {resp.status_code}", errors)
                continue
            if resp.status_code >= 400:
                raise RasaUnavailable(f"{url}: HTTP {resp.status_code}")
            try:
                messages = pair_messages(resp.json())
            except (ValueError, AttributeError):
                self._failed(url, "unreadable reply", errors)
                continue
            if not messages:
                self._failed(url, "empty reply", errors)
                continue
            self._failed_until.pop(url, None)
            return messages
        raise RasaUnavailable("; ".join(errors) or "deadline passed")

    def replica_status(self, url: str) -> ReplicaStatus:
        """Ready means: Rasa answers /status with a loaded model."""
        params = {"token": self.auth_token} if self.auth_token else None
        try:
            resp = self._session.get(f"{url}/status", params=params, timeout=2)
        except requests.RequestException as exc:
            return ReplicaStatus(url, False, f"unreachable ({type(exc).__name__})")
        if resp.status_code == 401 or resp.status_code == 403:
            return ReplicaStatus(url, False, "refused: set RASA_AUTH_TOKEN to Rasa's --auth-token")
        if not resp.ok:
            return ReplicaStatus(url, False, f"HTTP {resp.status_code} (no model loaded?)")
        try:
            model = resp.json().get("model_file")
        except (ValueError, AttributeError):
            model = None
        return ReplicaStatus(url, bool(model), "ready" if model else "no model loaded")

    def healthy(self) -> bool:
        return any(self.replica_status(url).ready for url in self.urls)
