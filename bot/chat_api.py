"""`/api/chat` and `/api/feedback`: validated, rate-limited, never a stack trace."""
from __future__ import annotations

import logging
import re
import uuid

from flask import Blueprint, jsonify, request

from .config import GatewaySettings
from .feedback_store import Feedback, FeedbackStore
from .rasa_client import RasaClient, RasaUnavailable, clean_message
from .rate_limit import RateLimiter

logger = logging.getLogger(__name__)

_SENDER = re.compile(r"^[A-Za-z0-9_\-.:]{1,64}$")
APOLOGY = ("抱歉，问答服务暂时不可用，请稍后再试。"
           " Sorry, the assistant is unavailable right now; please try again shortly.")
TOO_MANY = ("请求过于频繁，请稍候再试。 Too many messages; please wait a moment and try again.")


def client_address() -> str:
    return request.remote_addr or "unknown"


def create_chat_blueprint(settings: GatewaySettings, rasa: RasaClient,
                          feedback: FeedbackStore) -> Blueprint:
    bp = Blueprint("chat_api", __name__)
    per_sender = RateLimiter(settings.rate_limit_per_sender, settings.rate_limit_window)
    per_address = RateLimiter(settings.rate_limit_per_address, settings.rate_limit_window)

    def error(status: int, message: str):
        return jsonify({"error": message}), status

    @bp.post("/api/chat")
    def chat():
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return error(400, "请求须为 JSON：{\"sender\", \"message\"}。 The body must be JSON with sender and message.")
        given = str(body.get("sender") or "").strip()
        sender = given or f"web-{uuid.uuid4().hex[:16]}"
        if not _SENDER.match(sender):
            return error(400, "无效的会话标识。 Invalid sender id.")
        message = clean_message(str(body.get("message") or ""))
        if not 1 <= len(message) <= settings.max_message_chars:
            return error(400, f"消息长度须为1至{settings.max_message_chars}个字符。 "
                              f"Messages must be 1 to {settings.max_message_chars} characters.")
        # A sender id made up just now has no history: only the address limit applies to it.
        if not per_address.allow(client_address()) or (given and not per_sender.allow(sender)):
            return error(429, TOO_MANY)
        try:
            messages = rasa.send(sender, message)
        except RasaUnavailable as exc:
            logger.warning("rasa unavailable: %s", exc)
            return error(503, APOLOGY)
        return jsonify({"sender": sender, "messages": [m.as_dict() for m in messages]})

    @bp.post("/api/feedback")
    def rate():
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or body.get("rating") not in ("up", "down"):
            return error(400, "评价须为 up 或 down。 Rating must be up or down.")
        sender = str(body.get("sender") or "")
        if not _SENDER.match(sender):
            return error(400, "无效的会话标识。 Invalid sender id.")
        if not per_address.allow(client_address()):
            return error(429, TOO_MANY)
        sources = body.get("sources") if isinstance(body.get("sources"), list) else []
        feedback.add(Feedback(sender=sender, rating=body["rating"],
                              question=clean_message(str(body.get("question") or ""))[:2000],
                              answer=str(body.get("answer") or "")[:5000],
                              sources=sources[:10]))
        return jsonify({"ok": True})

    return bp
