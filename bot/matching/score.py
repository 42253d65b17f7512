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
    """How the signals combine: a product of powers, then penalties.

    score = 100 · qc^a · pc^b · sim^c · intent penalty · unknown-word factor

    A weighted geometric mean: a question whose words are mostly not covered cannot be
    rescued by a phrasing that happens to match the rest of it.
    """

    # Exponents of the three signals: a larger one makes that signal stricter.
    question_coverage: float = 1.3
    phrasing_coverage: float = 0.0
    similarity: float = 0.7
    # Share of the question coverage judged against the whole entry (phrasings and answer)
    # rather than the one phrasing.
    entry_coverage: float = 0.75
    # Share of the score lost when the question asks siapa/berapa/kapan/... and the
    # entry is never asked that way: "diklat fds dimana" is about place, not people.
    intent_penalty: float = 0.1
    # Share of the score lost when the question names a place (lexicon ``places``: kukar, jakarta
    # pusat …) that the entry never mentions: a district's figure is not the national one.
    place_penalty: float = 0.4
    # Factor per word the content has never seen ("gaji", "cair"): the question is likely
    # about something the sources do not cover.
    unknown_word_factor: float = 0.9

    def coverage_part(self, question_coverage: float, phrasing_coverage: float) -> float:
        """Cheap first-stage ranking key (before the string similarity)."""
        return question_coverage**self.question_coverage * phrasing_coverage**self.phrasing_coverage

    def blend_coverage(self, phrasing_share: float, entry_share: float) -> float:
        return (1.0 - self.entry_coverage) * phrasing_share + self.entry_coverage * entry_share


def idf(document_frequency: int, documents: int) -> float:
    """Smoothed inverse document frequency; an unseen word weighs like the rarest seen word."""
    return math.log(1.0 + documents / max(document_frequency, 1))


def similarity(question: str, phrasing: str) -> float:
    """Order-insensitive string similarity of the normalised texts, 0..1 (token_sort_ratio)."""
    return fuzz.token_sort_ratio(question, phrasing, processor=None) / 100.0


def sorted_words(text: str) -> str:
    """The words of a text in sorted order: what token_sort_ratio compares, prepared once."""
    return " ".join(sorted(text.split()))


def sorted_similarity(sorted_question: str, sorted_phrasing: str) -> float:
    """``similarity`` of two texts already passed through ``sorted_words`` (the same value, cheaper)."""
    return fuzz.ratio(sorted_question, sorted_phrasing, processor=None) / 100.0


def combine(
    weights: Weights,
    question_coverage: float,
    phrasing_coverage: float,
    similarity_score: float,
    intent_matches: bool = True,
    unknown_words: int = 0,
    place_matches: bool = True,
) -> float:
    """The final score, 0..100."""
    value = weights.coverage_part(question_coverage, phrasing_coverage) * similarity_score**weights.similarity
    if not intent_matches:
        value *= 1.0 - weights.intent_penalty
    if not place_matches:
        value *= 1.0 - weights.place_penalty
    value *= weights.unknown_word_factor**unknown_words
    return round(100.0 * value, 2)
