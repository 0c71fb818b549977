"""Every text the gateway itself sends (Rasa and the actions write the answers), in both languages.

One convention, as in actions/messages.py: TEXTS[key] = {"zh": …, "en": …}, read with
bilingual(key, form, **fields); {field}s are filled in. The gateway does not know a user's
language, so it sends both, Chinese first, joined as the form says: "web" on one line (the chat
API's JSON errors), "wechat" on two lines (WeChat replies), "label" as `中文 / English`.
"""
from __future__ import annotations

JOINS = {"web": " ", "wechat": "\n", "label": " / "}

TEXTS = {
    # --- the chat API (/api/chat, /api/feedback) and the gateway's own errors: "web" ---------
    "chat_unavailable": {
        "zh": "抱歉，问答服务暂时不可用，请稍后再试。",
        "en": "Sorry, the assistant is unavailable right now; please try again shortly.",
    },
    "too_many": {
        "zh": "请求过于频繁，请稍候再试。",
        "en": "Too many messages; please wait a moment and try again.",
    },
    "feedback_unavailable": {
        "zh": "抱歉，暂时无法记录您的评价，请稍后再试。",
        "en": "Sorry, your rating cannot be recorded right now; please try again shortly.",
    },
    "bad_body": {
        "zh": "请求须为 JSON：{\"sender\", \"message\"}。",
        "en": "The body must be JSON with sender and message.",
    },
    "bad_sender": {
        "zh": "无效的会话标识。",
        "en": "Invalid sender id.",
    },
    "bad_length": {
        "zh": "消息长度须为1至{limit}个字符。",
        "en": "Messages must be 1 to {limit} characters.",
    },
    "bad_rating": {
        "zh": "评价须为 up 或 down。",
        "en": "Rating must be up or down.",
    },
    "rating_without_answer": {
        "zh": "评价须指明所评价的回答。",
        "en": "A rating must name the answer it rates.",
    },
    "no_such_answer": {
        "zh": "没有可评价的该回答（可能已评价或已过期）。",
        "en": "No such answer to rate (already rated, or expired).",
    },
    "too_large": {
        "zh": "请求过大。",
        "en": "Request too large.",
    },
    "internal_error": {
        "zh": "服务器内部错误。",
        "en": "Internal error.",
    },
    # --- the WeChat channel: "wechat" (the label "choice_hint" heads numbered choices) --------
    "welcome": {
        "zh": "您好，欢迎关注！我是外商投资政策助手，可以解答利润再投资、负面清单、鼓励外商投资产业目录、"
              "信息报告、投诉等问题，并引用官方文件原文。请直接用文字发送您的问题。",
        "en": "Hello and welcome! I am the foreign-investment policy assistant: ask me about "
              "reinvested profits, the negative lists, the encouraged catalogue, information "
              "reporting or complaints, and I will quote the official documents. Just type your "
              "question.",
    },
    "text_only": {
        "zh": "抱歉，目前只支持文字消息，请用文字发送您的问题。",
        "en": "Sorry, only text messages are supported for now. Please type your question.",
    },
    "empty": {
        "zh": "请用文字发送您的问题。",
        "en": "Please type your question.",
    },
    "unavailable": {
        "zh": "抱歉，服务暂时不可用，请稍后再试。",
        "en": "Sorry, the service is temporarily unavailable. Please try again later.",
    },
    "too_long": {
        "zh": "抱歉，消息太长了，请控制在 {limit} 字以内。",
        "en": "Sorry, that message is too long: please keep it under {limit} characters.",
    },
    "too_quickly": {
        "zh": "您发送的消息过于频繁，请稍候再试。",
        "en": "You are sending messages too quickly; please wait a moment and try again.",
    },
    "choice_hint": {
        "zh": "回复序号选择",
        "en": "Reply with a number:",
    },
}


def bilingual(key: str, form: str, **fields: object) -> str:
    """TEXTS[key] in both languages, Chinese first, joined as `form` (a key of JOINS) shows them."""
    both = TEXTS[key]
    parts = [both[lang].format(**fields) if fields else both[lang] for lang in ("zh", "en")]
    return JOINS[form].join(parts)
