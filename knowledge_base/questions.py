"""The question-file format, read in one place: JSON lines, one object per question.

    {"question": "负面清单有几条？", "lang": "zh",
     "expected": [{"label": "…", "doc_title_contains": "…"}]}

`question` is required; `lang` and `expected` (what `eval` scores against; empty: the question
should get no answer) are optional, and other fields are ignored. `search --questions` reads the
questions, `eval` the whole lines.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import QuestionFileError


@dataclass(frozen=True)
class Expected:
    label: str
    doc_title_contains: str


@dataclass(frozen=True)
class EvalQuestion:
    question: str
    lang: str
    expected: tuple[Expected, ...]

    @property
    def answerable(self) -> bool:
        return bool(self.expected)


def _parse(line: str) -> EvalQuestion:
    row = json.loads(line)
    if not isinstance(row, dict):
        raise TypeError("not an object")
    if row["question"] is None or isinstance(row["question"], (dict, list)):
        raise TypeError('"question" is not text')
    return EvalQuestion(
        question=str(row["question"]), lang=str(row.get("lang") or ""),
        expected=tuple(Expected(str(e["label"]), str(e.get("doc_title_contains", "")))
                       for e in row.get("expected") or []))


def load_questions(path: str | Path) -> list[EvalQuestion]:
    """Every question of the file (`-`: standard input), blank lines skipped.

    Raises QuestionFileError naming the file and line of the first bad line.
    """
    if str(path) == "-":
        lines = sys.stdin.read().splitlines()
    else:
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            raise QuestionFileError(f"{path}: no such question file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise QuestionFileError(f"{path}: cannot be read as UTF-8 text ({exc})") from None
    questions = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            questions.append(_parse(line))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            detail = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
            raise QuestionFileError(f"{path}:{number}: not a question line: expected a JSON object "
                                    f"with a \"question\" field ({detail})") from None
    return questions
