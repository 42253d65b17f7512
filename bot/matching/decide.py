"""From ranked scores to one of three outcomes: answer, suggest or none (pure).

* ``answer`` when the best entry scores at least ``answer`` and leads the best
  *other* entry by at least ``margin``;
* ``suggest`` (up to three entries) when the best scores at least ``suggest``, or when
  the question is one keyword that names a subject with several entries;
* ``none`` otherwise: the sources do not cover the question.

The numbers are calibrated on tests/dev_questions.yaml; docs/matching.md
records how and the precision/coverage trade-off around them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.matching.index import Scored

Status = Literal["answer", "suggest", "none"]
MAX_SUGGESTIONS = 3


@dataclass(frozen=True)
class Thresholds:
    answer: float = 46.0
    margin: float = 1.0
    suggest: float = 46.0


@dataclass(frozen=True)
class Decision:
    status: Status
    best: Scored | None
    suggestions: tuple[Scored, ...]


def decide(ranked: Sequence[Scored], thresholds: Thresholds = Thresholds(), vague: bool = False) -> Decision:
    """``vague``: the question is a single keyword ("tanoto") that names a subject, not a fact."""
    if not ranked or ranked[0].score < thresholds.suggest:
        return Decision("none", ranked[0] if ranked else None, ())
    best = ranked[0]
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    if best.score >= thresholds.answer and best.score - runner_up >= thresholds.margin and not vague:
        return Decision("answer", best, ())
    suggestions = tuple(s for s in ranked[:MAX_SUGGESTIONS] if s.score >= thresholds.suggest)
    return Decision("suggest", best, suggestions)
