"""`/api/chat` and `/api/feedback`: validated, rate-limited, never a stack trace.

Sender ids are namespaced per channel on the server: a web client's id `abc` is `web:abc` to
Rasa, a WeChat user is `wechat:<openid>`, so knowing an openid never joins that conversation.
"""
from __future__ import annotations

import logging
import re
import uuid

from flask import Blueprint, jsonify, request

from shared_state.errors import StoreUnavailable

from .config import GatewaySettings
from .feedback_store import FeedbackStore, GivenAnswer
from .rasa_client import RasaClient, RasaUnavailable, clean_message
from .rate_limit import open_rate_limiter
from .sender_turns import open_sender_turns
from .texts import bilingual

logger = logging.getLogger(__name__)

_SENDER = re.compile(r"^[A-Za-z0-9_\-.:]{1,64}$")
_ANSWER_ID = re.compile(r"^[0-9a-f]{24}$")
WEB_PREFIX = "web:"


def client_address() -> str:
    """The client's address; behind TRUSTED_PROXY_HOPS proxies, ProxyFix has set it from
    X-Forwarded-For (see bot.app)."""
    return request.remote_addr or "unknown"


def bounded_sources(sources: list, limit: int = 10, chars: int = 500) -> list[dict]:
    """At most `limit` sources of plain string fields, each at most `chars` long (as stored)."""
    out = []
    for source in sources[:limit]:
        if isinstance(source, dict):
            out.append({str(k)[:50]: clean_message(str(v))[:chars] for k, v in source.items()
                        if isinstance(v, (str, int, float)) and not isinstance(v, bool)})
    return out


def web_sender(given: str) -> str:
    """The id Rasa knows a web conversation by."""
    return WEB_PREFIX + given


def create_chat_blueprint(settings: GatewaySettings, rasa: RasaClient,
                          feedback: FeedbackStore) -> Blueprint:
    bp = Blueprint("chat_api", __name__)
    # In Redis when configured, so every gateway process counts against the same limits.
    per_sender = open_rate_limiter(settings.rate_limit_address, "sender", settings.rate_limit_per_sender,
                                   settings.rate_limit_window)
    per_address = open_rate_limiter(settings.rate_limit_address, "address",
                                    settings.rate_limit_per_address, settings.rate_limit_window)

    # A sender's messages reach Rasa in the order they reached the gateway (bot/sender_turns.py);
    # a turn is waited for at most as long as Rasa is.
    turns = open_sender_turns(settings.rate_limit_address, settings.rasa_timeout)

    def allowed(address: str, sender: str | None = None) -> bool:
        """Within both limits; raises StoreUnavailable when the shared counters are out of reach."""
        return per_address.allow(address) and (sender is None or per_sender.allow(sender))

    def error(status: int, key: str, **fields):
        """The JSON error answer: TEXTS[key] of bot/texts.py on one line."""
        return jsonify({"error": bilingual(key, "web", **fields)}), status

    @bp.post("/api/chat")
    def chat():
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return error(400, "bad_body")
        raw_sender, raw_message = body.get("sender"), body.get("message")
        # Only strings: `["a"]` or `{}` would otherwise become the text "['a']".
        if raw_sender is not None and not isinstance(raw_sender, str):
            return error(400, "bad_sender")
        if not isinstance(raw_message, str):
            return error(400, "bad_body")
        given = (raw_sender or "").strip()
        sender = given or f"web-{uuid.uuid4().hex[:16]}"
        if not _SENDER.match(sender):
            return error(400, "bad_sender")
        message = clean_message(raw_message)
        if not 1 <= len(message) <= settings.max_message_chars:
            return error(400, "bad_length", limit=settings.max_message_chars)
        # A sender id made up just now has no history: only the address limit applies to it.
        try:
            if not allowed(client_address(), sender if given else None):
                return error(429, "too_many")
        except StoreUnavailable as exc:
            # Redis is where the replicas' lock store is too: no answer could be had now.
            logger.warning("rate-limit store unavailable: %s", exc)
            return error(503, "chat_unavailable")
        try:
            with turns.turn(web_sender(sender)):
                messages = rasa.send(web_sender(sender), message)
        except RasaUnavailable as exc:
            logger.warning("rasa unavailable: %s", exc)
            return error(503, "chat_unavailable")
        except StoreUnavailable as exc:
            logger.warning("sender-turn store unavailable: %s", exc)
            return error(503, "chat_unavailable")
        out = [m.as_dict() for m in messages]
        try:
            ids = feedback.remember_answers([GivenAnswer(sender, message, m.text[:5000],
                                                         bounded_sources(m.sources), m.answerable)
                                             for m in messages])
        except StoreUnavailable as exc:
            # The answer matters more than its rating: it goes out, unrateable.
            logger.warning("feedback store unavailable, answers cannot be rated: %s", exc)
            ids = [""] * len(out)
        for item, answer_id in zip(out, ids):
            item["answer_id"] = answer_id
        return jsonify({"sender": sender, "messages": out})

    @bp.post("/api/feedback")
    def rate():
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or body.get("rating") not in ("up", "down"):
            return error(400, "bad_rating")
        sender, answer_id = body.get("sender"), body.get("answer_id")
        if not isinstance(sender, str) or not _SENDER.match(sender):
            return error(400, "bad_sender")
        if not isinstance(answer_id, str) or not _ANSWER_ID.match(answer_id):
            return error(400, "rating_without_answer")
        try:
            if not allowed(client_address()):
                return error(429, "too_many")
            # The question, answer and sources stored are the server's record of that answer.
            rated = feedback.rate(answer_id, sender, body["rating"])
        except StoreUnavailable as exc:
            logger.warning("feedback store unavailable: %s", exc)
            return error(503, "feedback_unavailable")
        if not rated:
            return error(404, "no_such_answer")
        return jsonify({"ok": True})

    return bp
