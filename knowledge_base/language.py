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
