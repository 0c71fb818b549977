"""Rasa's REST webhook, as the gateway's channels see it: a message in, typed replies out."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import requests

# Control, zero-width and separator characters: invisible, and never meant for the bot.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")


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

    def as_dict(self) -> dict:
        return {"text": self.text, "sources": self.sources, "buttons": self.buttons, "type": self.kind}


def pair_messages(raw: list[dict]) -> list[ChatMessage]:
    """Rasa sends an answer's text and its `custom` payload as two messages: join them."""
    out: list[ChatMessage] = []
    for item in raw:
        custom = item.get("custom")
        if custom and out and not out[-1].sources and out[-1].kind == "text":
            last = out.pop()
            out.append(ChatMessage(last.text, list(custom.get("sources") or []), last.buttons,
                                   str(custom.get("type") or "text")))
        elif custom:
            out.append(ChatMessage(str(custom.get("text") or ""), list(custom.get("sources") or []),
                                   [], str(custom.get("type") or "text")))
        elif item.get("text") or item.get("buttons"):
            out.append(ChatMessage(str(item.get("text") or ""), [], list(item.get("buttons") or [])))
    return out


class RasaClient:
    def __init__(self, base_url: str, timeout: float = 20.0, auth_token: str = ""):
        self.base_url = base_url.rstrip("/")
        self.auth_token = auth_token  # Rasa's HTTP API token (the webhook itself needs none)
        self.timeout = timeout
        self._session = requests.Session()

    def send(self, sender: str, message: str, timeout: float | None = None) -> list[ChatMessage]:
        try:
            resp = self._session.post(f"{self.base_url}/webhooks/rest/webhook",
                                      json={"sender": sender, "message": message},
                                      timeout=timeout or self.timeout)
            resp.raise_for_status()
            messages = pair_messages(resp.json())
        except (requests.RequestException, ValueError) as exc:
            raise RasaUnavailable(str(exc)) from None
        if not messages:
            raise RasaUnavailable("empty reply")
        return messages

    def healthy(self) -> bool:
        try:
            return self._session.get(f"{self.base_url}/status", timeout=2,
                                     params={"token": self.auth_token} if self.auth_token else None).ok
        except requests.RequestException:
            return False
