"""How one question is scored against one phrasing (pure).

Two signals, both 0..1:

* **IDF-weighted coverage.** Each word weighs its inverse document frequency
  over entries, so "tanoto" or "lembang" count far more than "apa" or "yang".
  ``question_coverage`` is the share of the question's weight found in the
  phrasing: a question with an unknown, heavy word ("gaji") stays low, which is
  how out-of-scope questions that share domain words are declined.
  ``phrasing_coverage`` is the share of the phrasing's weight that the question
  covers: it separates a short question from the many long phrasings that
  contain its one word.
* **token_set_ratio** (rapidfuzz) on the normalised strings: robust to word
  order and to extra words, but it ties whenever one side's words are a subset
  of the other's, which is why it never decides alone. WRatio and
  partial_token_set_ratio are not used: both give near-maximal scores for a
  single shared word (see docs/matching.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rapidfuzz import fuzz

# Stopwords keep a small fixed weight: they shape token_set_ratio but barely coverage.
STOPWORD_WEIGHT = 0.25


@dataclass(frozen=True)
class Weights:
    question_coverage: float = 0.5
    phrasing_coverage: float = 0.2
    token_set: float = 0.3
    # Share of the score lost when the question asks siapa/berapa/kapan/... and the
    # entry is never asked that way: "diklat fds dimana" is about place, not people.
    intent_penalty: float = 0.1
    # How much of the question coverage is judged against the whole entry (phrasings and
    # answer) rather than the one phrasing.
    entry_coverage: float = 0.5

    def blend_coverage(self, phrasing_share: float, entry_share: float) -> float:
        return (1.0 - self.entry_coverage) * phrasing_share + self.entry_coverage * entry_share

    def coverage_part(self, question_coverage: float, phrasing_coverage: float) -> float:
        return self.question_coverage * question_coverage + self.phrasing_coverage * phrasing_coverage


def idf(document_frequency: int, documents: int) -> float:
    """Smoothed inverse document frequency; an unseen word weighs like the rarest seen word."""
    return math.log(1.0 + documents / max(document_frequency, 1))


def token_set(question: str, phrasing: str) -> float:
    return fuzz.token_set_ratio(question, phrasing, processor=None) / 100.0


def combine(
    weights: Weights,
    question_coverage: float,
    phrasing_coverage: float,
    token_set_score: float,
    intent_matches: bool = True,
) -> float:
    """The final score, 0..100."""
    value = weights.coverage_part(question_coverage, phrasing_coverage) + weights.token_set * token_set_score
    if not intent_matches:
        value *= 1.0 - weights.intent_penalty
    return round(100.0 * value, 2)
