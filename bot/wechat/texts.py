"""The channel's fixed texts, Chinese first then English."""
from __future__ import annotations

WELCOME = ("您好，欢迎关注！我是外商投资政策助手，可以解答利润再投资、负面清单、鼓励外商投资产业目录、"
           "信息报告、投诉等问题，并引用官方文件原文。请直接用文字发送您的问题。\n"
           "Hello and welcome! I am the foreign-investment policy assistant: ask me about "
           "reinvested profits, the negative lists, the encouraged catalogue, information "
           "reporting or complaints, and I will quote the official documents. Just type your "
           "question.")

TEXT_ONLY = ("抱歉，目前只支持文字消息，请用文字发送您的问题。\n"
             "Sorry, only text messages are supported for now. Please type your question.")

EMPTY_TEXT = ("请用文字发送您的问题。\n"
              "Please type your question.")

APOLOGY = ("抱歉，服务暂时不可用，请稍后再试。\n"
           "Sorry, the service is temporarily unavailable. Please try again later.")


def too_long(limit: int) -> str:
    return (f"抱歉，消息太长了，请控制在 {limit} 字以内。\n"
            f"Sorry, that message is too long: please keep it under {limit} characters.")

TOO_MANY = ("您发送的消息过于频繁，请稍候再试。\n"
            "You are sending messages too quickly; please wait a moment and try again.")
