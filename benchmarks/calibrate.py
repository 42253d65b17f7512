"""Sweep the decision thresholds on a question set and print the trade-off.

    .venv/bin/python benchmarks/calibrate.py [tests/dev_questions.yaml]

Scores are computed once per question; each (answer, margin, suggest) triple is
then judged on the same ranked lists, so the sweep is fast and exact. The table
it prints is the basis of the thresholds in bot/matching/decide.py and of the
trade-off recorded in docs/matching.md.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bot.engine import Engine
from bot.evaluation import Floors, QuestionSet
from bot.matching.decide import Thresholds, decide


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/dev_questions.yaml")
    engine = Engine.from_directory(Path("content"))
    questions = QuestionSet.from_yaml(path.read_text(encoding="utf-8"))
    items = [(q.q, set(q.expect)) for q in questions.in_scope] + [(q.q, set()) for q in questions.out_of_scope]
    ranked = []
    for text, expected in items:
        query = engine.index.query(text)
        scored = engine.index.search(query)
        ranked.append((scored, expected, engine.is_vague(query, scored)))
    inside = sum(1 for _, e, _ in ranked if e)
    outside = len(ranked) - inside

    rows = []
    for answer, margin, suggest in itertools.product(range(20, 92, 2), (0, 1, 2, 3, 4, 5, 6, 8), range(16, 92, 2)):
        if suggest > answer:
            continue
        thresholds = Thresholds(answer=answer, margin=margin, suggest=suggest)
        right = wrong = declined = answered_out = 0
        for scored, expected, vague in ranked:
            decision = decide(scored, thresholds, vague)
            entry_id = engine.entries[decision.best.entry].id if decision.best else None
            if expected:
                right += decision.status == "answer" and entry_id in expected
                wrong += decision.status == "answer" and entry_id not in expected
            else:
                declined += decision.status == "none"
                answered_out += decision.status == "answer"
        rows.append((right / inside, wrong / inside, declined / outside, answer, margin, suggest, wrong, answered_out))

    floors = Floors()
    meets = [r for r in rows if r[1] <= floors.max_wrong and r[2] >= floors.min_declined]
    title = "meeting the wrong-answer and decline floors, best top-1 first"
    if not meets:
        meets, title = rows, "none meets both floors; best top-1 + declined first"
    meets.sort(key=lambda r: (-(r[0] + (0 if meets is not rows else r[2])), r[1], -r[2], -r[5]))
    table = Table(title=f"{path}: {inside} in scope, {outside} out of scope — {title}")
    for column in ("answer ≥", "margin ≥", "suggest ≥", "top-1", "wrong", "out declined", "out answered"):
        table.add_column(column, justify="right")
    for top1, _, declined_rate, answer, margin, suggest, wrong, answered_out in meets[:20]:
        table.add_row(
            str(answer), str(margin), str(suggest), f"{top1:.1%}", str(wrong), f"{declined_rate:.1%}", str(answered_out)
        )
    Console().print(table)


if __name__ == "__main__":
    main()
