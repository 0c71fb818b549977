"""Tokens for BM25: jieba words (with our policy dictionary) for Chinese, words for English."""
from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

import jieba

from .glossary import load_glossary
from .text import CJK_IDEOGRAPHS, is_cjk, normalize_query

# One folder, shared with Rasa's JiebaTokenizer (config.yml `dictionary_path`).
USER_DICT = Path(__file__).with_name("jieba_dict") / "policy_dict.txt"

_ZH_STOP = set(
    "的 了 吗 呢 吧 啊 是 在 和 与 及 或 等 对 从 把 被 为 以 于 之 其 这 那 哪 些 个 也 都 就 还 又 "
    "我 我们 你 你们 他 她 它 他们 公司 企业 请问 请 一下 什么 怎么 怎样 如何 哪些 哪个 多少 几 "
    "吗 有 没有 能 能否 可以 可 会 要 需要 应该 应当 是否 情况 问题 相关 方面 关于 一个 现在 目前 "
    "有关 进行 如果 时候 时 中 上 下 给 让 向 由 到 该 将 并 而 但 则 且".split()
)
_EN_STOP = set(
    "a an the and or of to in on for with at by from as is are was were be been being do does did "
    "i we you he she it they my our your their me us this that these those there here what which who "
    "whom whose when where why how can could should would will shall may might must have has had "
    "not no any some all about into than then so if there's what's it's i'm we're don't does "
    "company companies firm please tell know want need get got let also just only still".split()
)
_TOKEN = re.compile(rf"[A-Za-z][A-Za-z0-9'\-]*|\d+(?:\.\d+)?%?|[{CJK_IDEOGRAPHS}]+")
_init_lock = threading.Lock()
_initialised = False


def _ensure_jieba() -> None:
    global _initialised
    if _initialised:
        return
    with _init_lock:
        if _initialised:
            return
        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        if USER_DICT.exists():
            jieba.load_userdict(str(USER_DICT))
        for term in load_glossary().zh_terms:
            jieba.add_word(term, freq=2000)
        _initialised = True


def _stem(word: str) -> str:
    # Light English stemming: enough to match plural and -ing/-ed forms of policy words.
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: len(word) - len(suffix)] + keep
    return word


def _long_subwords(word: str) -> list[str]:
    """Dictionary words of 4+ characters inside a longer word (负面清单 in 外商投资准入负面清单).

    jieba's search mode only adds the 2- and 3-character pieces.
    """
    if len(word) <= 4:
        return []
    freq = jieba.dt.FREQ
    return [word[i:i + n] for n in range(4, len(word)) for i in range(len(word) - n + 1)
            if freq.get(word[i:i + n])]


def tokenize(text: str) -> list[str]:
    """BM25 tokens of mixed Chinese/English text."""
    _ensure_jieba()
    tokens: list[str] = []
    for piece in _TOKEN.findall(normalize_query(text)):
        if is_cjk(piece[0]):
            for word in jieba.cut_for_search(piece, HMM=False):
                if word not in _ZH_STOP and (len(word) > 1 or word in "税"):
                    tokens.append(word)
                    tokens.extend(_long_subwords(word))
        else:
            word = piece.lower()
            if word not in _EN_STOP and len(word) > 1:
                tokens.append(_stem(word))
    return tokens


def expand_query_tokens(text: str) -> list[str]:
    """Tokens of the question plus the Chinese tokens of every English glossary phrase in it."""
    glossary = load_glossary()
    text = normalize_query(text)
    tokens = tokenize(text)
    for term in glossary.expand(text) + glossary.formal_terms(text):
        tokens.extend(tokenize(term))
    return tokens
