"""From ranked entries and the calibrated probabilities to one of three outcomes (pure).

* ``answer`` when the probability that the best entry is right reaches the answer level (and the
  domain probability its own answer level) — or, when nothing speaks against the entry (the question
  names no number, place, uncovered matter or question word the entry lacks), when the answer
  probability reaches the higher *sure* level and the domain probability the lower sure domain level
  (a short plain question such as "lkj tu laporan apa" is in the domain, but too short to look it),
  the best entry leads the best *other* entry by at least ``margin`` score points (a near
  tie between two entries is the person's choice, not ours) and the question is not one
  vague keyword; a glossary term alone ("KPM") is answered by its definition whatever the model says;
* ``suggest`` (up to three entries) when the question is not answered but belongs to the
  domain: the domain probability reaches the suggestion level (the answer probability alone can be
  high for a short clause of an off-topic request: "write a joke about the minister");
* ``none`` otherwise, and whenever the best entry scores below ``near``: nothing in the
  knowledge base is near the question (a linear model cannot be trusted that far out) — unless the
  domain probability reaches its answer level: a long message plainly about the sources spreads its
  words so thin that even its right entry scores low, and it gets suggestions.

The probabilities come from ``calibration.DecisionModel``; the levels are chosen by
``stunting-bot calibrate`` (docs/matching.md §3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.matching.index import Scored

Status = Literal["answer", "suggest", "none"]
MAX_SUGGESTIONS = 3
# An answer also names the entries that came close (score at least this share of the answer's): a
# sibling of the same article is one tap away when the answer is not what the person meant.
MAX_ALTERNATIVES = 2
ALTERNATIVE_SHARE = 0.5
# A suggestion must score at least this share of the best entry's score: no filler buttons.
SUGGESTION_SHARE = 0.35
OFF = 1.01  # a probability level nothing reaches


@dataclass(frozen=True)
class Thresholds:
    answer: float = 0.5  # probability that the best entry is right
    suggest: float = 0.25  # probability
    margin: float = 1.0  # score points (0..100)
    # Below this best score nothing in the knowledge base is near: never suggest (score points).
    near: float = 8.0
    # An answer also needs the domain probability at this level: out-of-scope questions sharing
    # every word but one with an entry are what the answer model alone lets through.
    answer_domain: float = 0.0
    # With nothing against the entry (Confidence.unopposed), an answer probability at this level
    # needs only ``sure_domain``. Above 1: off.
    sure_answer: float = OFF
    sure_domain: float = OFF

    def confident(self, confidence: Confidence) -> bool:
        """Both probabilities at their answer levels, or an unopposed entry at the sure levels (the
        margin and keyword rules aside)."""
        if confidence.answer >= self.answer and confidence.domain >= self.answer_domain:
            return True
        return confidence.unopposed and confidence.answer >= self.sure_answer and confidence.domain >= self.sure_domain


@dataclass(frozen=True)
class Confidence:
    answer: float  # P(the best entry is the right answer)
    domain: float  # P(the knowledge base can help with this question)
    # Nothing in the question speaks against the best entry (features.unopposed): no number, place,
    # uncovered matter or question word that the entry lacks.
    unopposed: bool = False


@dataclass(frozen=True)
class Decision:
    status: Status
    best: Scored | None
    # suggest: the entries offered; answer: the close runners-up shown under the answer
    suggestions: tuple[Scored, ...]
    confidence: Confidence = Confidence(0.0, 0.0)


def decide(
    ranked: Sequence[Scored],
    confidence: Confidence,
    thresholds: Thresholds = Thresholds(),
    vague: bool = False,
    term: bool = False,
) -> Decision:
    """``vague``: the question is a single keyword ("tanoto") that names a subject, not a fact;
    ``term``: the question is a glossary term alone ("KPM"), which its definition answers."""
    if not ranked:
        return Decision("none", None, (), confidence)
    best = ranked[0]
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    clear_lead = best.score - runner_up >= thresholds.margin
    if (thresholds.confident(confidence) or term) and clear_lead and not vague:
        close = tuple(s for s in ranked[1 : 1 + MAX_ALTERNATIVES] if s.score >= best.score * ALTERNATIVE_SHARE)
        return Decision("answer", best, close, confidence)
    unsure = confidence.domain < thresholds.suggest
    # A low score means nothing is near, unless the message is plainly in the domain: a long message
    # spreads its words over many, so even its right entry scores low.
    plainly_in_domain = bool(thresholds.answer_domain) and confidence.domain >= thresholds.answer_domain
    far = best.score < thresholds.near and not plainly_in_domain
    if (unsure or far) and not vague:
        return Decision("none", best, (), confidence)
    floor = best.score * SUGGESTION_SHARE
    suggestions = tuple(s for s in ranked[:MAX_SUGGESTIONS] if s.score >= floor)
    return Decision("suggest", best, suggestions, confidence)
