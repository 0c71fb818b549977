"""The plain sentence that leads an answer to a yes/no, rate, amount, number or deadline question.

It is drawn from the clause: the sentence of the clause that shares most words with the question
is searched for exactly one figure of the kind asked for (or one permission or prohibition), and
that figure is restated in the user's language. Where the clause has none, or several, there is
no lead sentence and the answer quotes (never a guess).
"""
from __future__ import annotations

import re
from functools import partial

from .glossary import load_glossary
from .segmenter import chinese_number
from .tokenize import tokenize
from .types import SearchResult

_CN = "零〇一二三四五六七八九十百千万两"
_NUMBER = rf"(\d+(?:\.\d+)?|[{_CN}]+)"
_RATE = re.compile(rf"{_NUMBER}\s*[%％]|百分之([{_CN}]+|\d+)")
# Years of the calendar (2021年) are dates, not periods.
_PERIOD = re.compile(rf"(?<![\d{_CN}])(\d{{1,3}}|[{_CN}]+)\s*(个)?(工作日|日|天|个月|月|年|周)(?:内|以内|之内)?")
_CAP = re.compile(r"(?:不得超过|不超过|最长(?:不得超过)?|最多)$")
_DATE_RANGE = re.compile(r"(\d{1,2})月(\d{1,2})日至(\d{1,2})月(\d{1,2})日")
_DATE_BY = re.compile(r"(\d{1,2})月(\d{1,2})日(?:前|之前|以前)")
_MONEY_RANGE = re.compile(rf"{_NUMBER}(万)?元以上{_NUMBER}(万)?元以下")
_MONEY = re.compile(rf"{_NUMBER}(万|亿)?元(以下|以上)?")
_COUNT = re.compile(rf"{_NUMBER}\s*(项|条)")
_YES = re.compile(r"可以|有权|允许|准予|可自由|may\b|can\b", re.I)
_NO = re.compile(r"不得|禁止|不允许|不能|不可|不予|may not|must not|cannot", re.I)
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_UNITS_EN = {"工作日": "working days", "日": "days", "天": "days", "个月": "months", "月": "months",
             "年": "years", "周": "weeks"}


def _value(text: str) -> float:
    """12, 2.5, 三十, 十万, 一百五十 -> their value (ValueError for anything else)."""
    text = text.replace("两", "二").replace("〇", "零")
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    if "万" in text:
        high, _, low = text.partition("万")
        return _value(high or "一") * 10000 + (_value(low) if low else 0)
    return float(chinese_number(text))


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:g}"


_EN_NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
               "eleven", "twelve")
_PERIOD_EN = re.compile(r"\b(\d{1,3}|" + "|".join(_EN_NUMBERS) + r")[\s-]+(working[\s-]day|day|month|year|week)s?\b",
                        re.I)


def _periods(text: str) -> set[tuple[float, str]]:
    """The periods a text names ("一年期", "3个月", "a two-year contract"), as (value, English
    unit as in _UNITS_EN)."""
    found = set()
    for m in _PERIOD.finditer(text):
        try:
            found.add((_value(m.group(1)), _UNITS_EN[m.group(3)]))
        except ValueError:
            pass
    for m in _PERIOD_EN.finditer(text):
        number = m.group(1).lower()
        value = float(number) if number.isdigit() else float(_EN_NUMBERS.index(number))
        found.add((value, re.sub(r"[\s-]+", " ", m.group(2).lower()) + "s"))
    return found


def _windows(text: str) -> list[str]:
    """The clause's sentences, and each pair of neighbouring comma-separated parts (a sentence
    may state two rates for two cases; the pair holds one case and its figure)."""
    windows = []
    for sentence in (s for s in re.split(r"[。；;\n]", text) if s.strip()):
        windows.append(sentence)
        parts = [p for p in re.split(r"[，,]", sentence) if p.strip()]
        if len(parts) > 1:
            windows += [parts[i - 1] + "，" + parts[i] for i in range(1, len(parts))]
    return windows


# The part of a question that asks ("多长时间内必须办结" in "投诉被受理以后，多长时间内必须办结？");
# the other parts set its context.
_ASKING = re.compile(r"多长|多久|几|多少|哪|什么|是否|吗|怎么|如何|\b(?:how|what|when|which|whether)\b", re.I)


def _words(text: str, lang: str) -> set[str]:
    words = {w for w in tokenize(text) if len(w) > 1}
    if lang == "en":
        words |= set(load_glossary().expand(text))
    return words


def _asking_part(question: str) -> str:
    parts = [p for p in re.split(r"[，,；;。？?！!]", question) if p.strip()]
    asking = [p for p in parts if _ASKING.search(p)]
    return asking[-1] if asking else question


def _ranked_windows(question: str, lang: str, text: str) -> list[str]:
    """Windows by the length of the asking part's words they contain, then of all the question's
    words, then shortest first: when a clause holds two deadlines, the one next to the words of
    what is asked is meant, not the one next to the words of its context."""
    words, asked = _words(question, lang), _words(_asking_part(question), lang)

    def overlap(window: str, among: set[str]) -> int:
        return sum(len(w) for w in among if w in window)

    # Windows that share nothing with the question are read only as the whole clause (last),
    # where the figure must then be the clause's only one.
    ranked = sorted((w for w in _windows(text) if overlap(w, words)),
                    key=lambda w: (-overlap(w, asked), -overlap(w, words), len(w)))
    return ranked + [text]


def _unique(matches: list[str]) -> str | None:
    values = list(dict.fromkeys(matches))
    return values[0] if len(values) == 1 else None


def _rate(sentence: str, lang: str) -> str | None:
    found = []
    for m in _RATE.finditer(sentence):
        value = _value(m.group(1) or m.group(2))
        found.append(f"{_fmt(value)}%")
    return _unique(found)


def _deadline(sentence: str, lang: str, given: frozenset = frozenset()) -> str | None:
    """`given`: the periods the question itself names (its case), which are not the answer."""
    m = _DATE_RANGE.search(sentence)
    if m:
        a, b, c, d = (int(x) for x in m.groups())
        return (f"每年{a}月{b}日至{c}月{d}日" if lang == "zh"
                else f"between {b} {_MONTHS[a - 1]} and {d} {_MONTHS[c - 1]}")
    m = _DATE_BY.search(sentence)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        return f"{a}月{b}日前" if lang == "zh" else f"by {b} {_MONTHS[a - 1]}"
    found = []
    for m in _PERIOD.finditer(sentence):
        value, unit = _value(m.group(1)), m.group(3)
        if (value, _UNITS_EN[unit]) in given:
            continue
        unit_zh = ("个" if m.group(2) else "") + unit
        if _CAP.search(sentence[:m.start()]):
            # A longest allowed duration (试用期不得超过二个月), not a time limit to act within.
            found.append(f"不超过{_fmt(value)}{unit_zh}" if lang == "zh"
                         else f"no more than {_fmt(value)} {_UNITS_EN[unit]}")
        else:
            found.append(f"{_fmt(value)}{unit_zh}内" if lang == "zh"
                         else f"within {_fmt(value)} {_UNITS_EN[unit]}")
    return _unique(found)


def _amount(sentence: str, lang: str) -> str | None:
    m = _MONEY_RANGE.search(sentence)
    if m:
        low = _value(m.group(1)) * (10000 if m.group(2) else 1)
        high = _value(m.group(3)) * (10000 if m.group(4) else 1)
        return (f"{_fmt(low)}元以上{_fmt(high)}元以下" if lang == "zh"
                else f"RMB {_fmt(low)} to RMB {_fmt(high)}")
    found = []
    for m in _MONEY.finditer(sentence):
        value = _value(m.group(1)) * {"万": 10000, "亿": 100000000}.get(m.group(2) or "", 1)
        bound = m.group(3) or ""
        found.append(f"{_fmt(value)}元{bound}" if lang == "zh" else
                     {"以下": "up to ", "以上": "at least "}.get(bound, "") + f"RMB {_fmt(value)}")
    if len(found) == 1 and "以下" in sentence[sentence.find("元"):] and "以上" in sentence:
        return None  # "up to X; in serious cases X to Y": the sentence is quoted instead
    return _unique(found) or _rate(sentence, lang)


def _count(sentence: str, lang: str) -> str | None:
    found = [f"{_fmt(_value(m.group(1)))}{m.group(2)}" if lang == "zh" else _fmt(_value(m.group(1)))
             for m in _COUNT.finditer(sentence)]
    return _unique(found)


def _yes_no(sentence: str, lang: str) -> str | None:
    yes, no = bool(_YES.search(sentence)), bool(_NO.search(sentence))
    if yes == no:
        return None
    if lang == "zh":
        return "可以" if yes else "不可以"
    return "Yes" if yes else "No"


_EXTRACT = {"rate": _rate, "deadline": _deadline, "amount": _amount, "number": _count, "yes_no": _yes_no}


# Yes/no is answered only for "may I / can I" questions, whose yes is a permission and whose no a
# prohibition; a question about a restriction ("is there a limit?") would turn them round.
_PERMISSION_QUESTION = re.compile(r"可以|能否|能不能|可不可以|能[^够力]|允许|^\s*(?:can|may|is it allowed|are we allowed|"
                                  r"am I allowed)\b", re.I)
_ABOUT_A_RESTRICTION = re.compile(r"限制|禁止|不得|不能|不可|管制|restrict|prohibit|\bban|forbid|limit|cap\b", re.I)


def direct_answer(question: str, need: str, result: SearchResult, lang: str) -> str | None:
    """One plain sentence with the figure (or yes/no) the clause states, or None."""
    asked_case = frozenset(_periods(question))
    extract = partial(_deadline, given=asked_case) if need == "deadline" else _EXTRACT.get(need)
    if extract is None:
        return None
    if need == "yes_no" and (result.kind == "guide" or not _PERMISSION_QUESTION.search(question)
                             or _ABOUT_A_RESTRICTION.search(question)):
        # A curated entry's wording is ours: yes/no is read only from official text, and only
        # for a permission question.
        return None
    value = None
    for window in _ranked_windows(question, lang, result.text):
        try:
            value = extract(window, lang)
        except ValueError:  # a numeral this module cannot read: quote instead
            return None
        if value:
            # A question about a stated case ("a one-year contract") is answered only by a
            # part of the clause that names that case; a cap stated for every case may not be
            # the one for this case, so the answer quotes instead.
            if not asked_case <= _periods(window):
                return None
            break
    if not value:
        return None
    return f"简要回答：{value}。" if lang == "zh" else f"In short: {value}."
