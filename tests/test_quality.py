"""The matching quality floors on the dev and held-out question sets, enforced in CI.

The floors live in tests/quality_floors.yaml (one place for `stunting-bot eval` and these tests).
"""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.evaluation import Floors, QuestionSet, evaluate, unknown_ids
from tests.conftest import DEV_QUESTIONS

FLOORS = DEV_QUESTIONS.with_name("quality_floors.yaml")
SETS = [
    "dev_questions.yaml", "holdout_questions.yaml", "holdout2_questions.yaml", "holdout3_questions.yaml",
    "holdout4_questions.yaml", "holdout5_questions.yaml", "holdout6_questions.yaml",
]


def test_dev_set_is_large_and_refers_to_real_entries(engine: Engine):
    questions = QuestionSet.from_yaml(DEV_QUESTIONS.read_text(encoding="utf-8"))
    assert len(questions.in_scope) >= 400
    assert len(questions.out_of_scope) >= 100
    assert len(questions.small_talk) >= 20 and len(questions.follow_ups) >= 20
    assert unknown_ids(questions, engine) == []


@pytest.mark.parametrize("name", SETS)
def test_question_set_meets_its_quality_floor(engine: Engine, name: str):
    questions = QuestionSet.from_yaml(DEV_QUESTIONS.with_name(name).read_text(encoding="utf-8"))
    assert unknown_ids(questions, engine) == []
    report = evaluate(engine, questions)
    misses = "\n".join(f"{o.question!r}: {o.verdict}" for o in report.misses)
    floors = Floors.for_set(FLOORS.read_text(encoding="utf-8"), name)
    assert floors.min_top1 > 0.5 and floors.max_wrong < 0.05  # a floor that cannot fail is no floor
    assert floors.failures(report) == [], misses
