"""Per-question language detection: Chinese, English, or mixed text decided by its weight."""
from __future__ import annotations

import re

from .text import count_cjk

_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")


def detect_language(text: str) -> str:
    """`zh` or `en`.

    Two Chinese characters weigh about one English word, so "reinvestment 递延纳税需要什么条件"
    is Chinese and "What is the 负面清单?" is English. Text with neither defaults to Chinese,
    the language of the documents.
    """
    cjk = count_cjk(text)
    words = len(_LATIN_WORD.findall(text))
    if words == 0:
        return "zh"
    return "zh" if cjk / 2 > words else "en"


_OTHER_SCRIPTS = re.compile(r"[\u3040-\u30ff\uac00-\ud7af\u0400-\u04ff\u0600-\u06ff\u0e00-\u0e7f]")
_EN_WORDS = set("the a an is are do does can could what how when where which who why i we you my our "
                "to of in for on and or with it this that there be have has need".split())
_FOREIGN_WORDS = set("le la les des est une und der die das ist nicht el los las que es una por para "
                     "como qué je nous vous ich sie wir bonjour hola gracias merci danke".split())


def detect_language_or_other(text: str) -> str:
    """`zh`, `en`, or `other` for a third language (Japanese, Korean, Russian, French, …).

    Used to answer politely in the user's language when they write in one we do not serve.
    """
    if _OTHER_SCRIPTS.search(text) and count_cjk(text) < 2 * len(_OTHER_SCRIPTS.findall(text)):
        return "other"
    lang = detect_language(text)
    if lang == "en":
        words = {w.lower() for w in _LATIN_WORD.findall(text)}
        if words & _FOREIGN_WORDS and not words & _EN_WORDS:
            return "other"
    return lang


def message_language(text: str) -> str | None:
    """The language one chat message sets: `zh` or `en`, or None when it says nothing (empty,
    a button payload, digits or emoji alone, a third language), so the conversation keeps its
    language."""
    text = (text or "").strip()
    if not text or text.startswith("/"):
        return None
    lang = detect_language_or_other(text)
    if lang == "other" or (lang == "zh" and not count_cjk(text)):
        return None
    return lang
