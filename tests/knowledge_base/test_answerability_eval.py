"""Answerability on the dev sets (README, "Answerability"): questions near our topics that no
document answers are declined or answered partially with the missing part named; answerable
questions are almost never declined."""
import json

import pytest

from knowledge_base.answer import compose_answer

from helpers import REPO

EVAL = REPO / "tests" / "eval"
ANSWERABLE_SETS = ("dev", "holdout", "laws_dev", "laws_holdout", "direct_answers")


def rows(name):
    return [json.loads(line) for line in (EVAL / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]


@pytest.mark.parametrize("name", ["near_topic", "near_topic_holdout"])
def test_near_topic_questions_are_not_answered_as_if_they_were(kb, name):
    questions = rows(name)
    judged = [kb.search(q["question"], lang=q["lang"]) for q in questions]
    honest = [r for r in judged if r.answerable == "no" or (r.answerable == "partial" and r.missing_en)]
    assert len(honest) / len(questions) >= 0.80, [
        (r.query, r.answerable) for r in judged if r not in honest]


def test_answerable_questions_are_rarely_declined(kb):
    questions = [q for name in ANSWERABLE_SETS for q in rows(name) if q.get("expected")]
    declined = [q["question"] for q in questions if kb.search(q["question"], lang=q["lang"]).answerable == "no"]
    assert len(declined) / len(questions) <= 0.05, declined


def test_direct_answers_are_right_whenever_one_is_given(kb):
    """A plain lead sentence is a claim of its own: none may be wrong, and most questions of the
    set get one (README, "Answerability")."""
    questions = rows("direct_answers")
    led, wrong = 0, []
    for q in questions:
        first = compose_answer(kb.search(q["question"], lang=q["lang"]), q["lang"]).text.split("\n")[0]
        if first.startswith(("In short:", "简要回答：")):
            led += 1
            if not all(a in first for a in q["answer_contains"]):
                wrong.append((q["question"], first))
    assert not wrong
    assert led >= 16, led
