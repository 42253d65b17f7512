"""The matching quality floor on the dev question set (issue #2), enforced in CI."""

from __future__ import annotations

from bot.engine import Engine
from bot.evaluation import Floors, QuestionSet, evaluate, unknown_ids
from tests.conftest import DEV_QUESTIONS


def test_dev_set_is_large_and_refers_to_real_entries(engine: Engine):
    questions = QuestionSet.from_yaml(DEV_QUESTIONS.read_text(encoding="utf-8"))
    assert len(questions.in_scope) >= 150
    assert len(questions.out_of_scope) >= 40
    assert unknown_ids(questions, engine) == []


def test_dev_set_meets_the_quality_floor(engine: Engine):
    report = evaluate(engine, QuestionSet.from_yaml(DEV_QUESTIONS.read_text(encoding="utf-8")))
    misses = "\n".join(f"{o.question!r}: {o.verdict}" for o in report.misses)
    assert Floors().failures(report) == [], misses
