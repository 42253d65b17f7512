"""The evidence the decision weighs, computed for a question and its best entries (pure).

The ranker's score alone cannot tell an answerable question written in unfamiliar
words from an out-of-scope one that shares domain words (docs/matching.md §3). These
cheap signals, each a number around 0..1, let a calibrated model (``calibration.py``)
judge how likely the best entry is the right one:

* the ranker's score and its margin over the runner-up;
* a BM25-style coverage of the question by the entry's whole text (phrasings and
  answer), and its margin over the best other candidate;
* the character trigram cosine between the question and the entry's best phrasing
  (robust to typos and affixes the normaliser missed), and its margin;
* how many of the question's rare words (those few entries use, or none) the entry has, the
  IDF-weighted share of all its words the entry has, and the weight of the heaviest word it lacks;
* the share of the question's words the content has never seen;
* the message length;
* numbers, years, months and places in the question that the entry does not mention, and words naming
  matters the sources never cover (lexicon ``uncovered``: gaji, cair, syarat …) that it lacks;
* whether the question word (siapa, berapa …) is one the entry is asked with.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the index imports nothing from here; avoid the cycle at run time
    from bot.matching.index import Index, Query, Scored

FEATURE_NAMES: tuple[str, ...] = (
    "score",
    "score_margin",
    "bm25",
    "bm25_margin",
    "char_cosine",
    "char_margin",
    "rare_coverage",
    "coverage",
    "missing_weight",
    "unknown_share",
    "length",
    "missing_specifics",
    "place_not_in_text",
    "uncovered_topic",
    "intent_mismatch",
    "glossary",
)

# The features that speak against the best entry: the question names something it lacks.
SIGNS_AGAINST = ("missing_specifics", "place_not_in_text", "uncovered_topic", "intent_mismatch")
_SIGN_POSITIONS = tuple(FEATURE_NAMES.index(name) for name in SIGNS_AGAINST)

# BM25's usual constants: term-frequency saturation and length normalisation.
BM25_K1 = 1.2
BM25_B = 0.75
# A word found in at most this share of entries counts as rare (it names the subject).
RARE_SHARE = 0.05
# Messages longer than this many words are all "long".
LONG_MESSAGE_WORDS = 30
CANDIDATES_COMPARED = 5  # margins are taken over the best few candidates only


def trigrams(text: str) -> Counter[str]:
    padded = f" {text} "
    return Counter(padded[i : i + 3] for i in range(len(padded) - 2))


Profile = tuple[Counter[str], float]


def trigram_profile(text: str) -> Profile:
    grams = trigrams(text)
    return grams, math.sqrt(sum(c * c for c in grams.values()))


# Phrasings are the content's and do not change: their profiles are kept (the question's is not).
_phrasing_profile = lru_cache(maxsize=8192)(trigram_profile)


def profile_cosine(a: Profile, b: Profile) -> float:
    """Cosine similarity of two texts' character trigram counts, 0..1."""
    (grams_a, norm_a), (grams_b, norm_b) = a, b
    if not norm_a or not norm_b:
        return 0.0
    if len(grams_a) > len(grams_b):
        grams_a, grams_b = grams_b, grams_a
    dot = sum(count * grams_b[gram] for gram, count in grams_a.items() if gram in grams_b)
    return dot / (norm_a * norm_b)


def bm25_coverage(index: Index, entry: int, weights: dict[str, float], total: float) -> float:
    """The question's BM25 score against the entry's whole text, over the best score possible (0..1);
    ``total``: the sum of the question's word weights."""
    if not total:
        return 0.0
    frequencies = index.entry_term_counts[entry]
    length_factor = BM25_K1 * (1.0 - BM25_B + BM25_B * index.entry_lengths[entry] / index.mean_entry_length)
    value = 0.0
    for token, weight in weights.items():
        tf = frequencies.get(token, 0)
        if tf:
            value += weight * tf * (BM25_K1 + 1.0) / (tf + length_factor)
    return value / (total * (BM25_K1 + 1.0))


def unopposed(row: Sequence[float]) -> bool:
    """Nothing in the question speaks against its best entry (no sign in SIGNS_AGAINST); an empty
    ranking (all features 0) is not an entry at all."""
    return any(row) and not any(row[i] for i in _SIGN_POSITIONS)


def extract(index: Index, query: Query, ranked: Sequence[Scored]) -> tuple[float, ...]:
    """The features of the best entry of ``ranked`` for ``query``, in FEATURE_NAMES order.

    With nothing ranked every feature is 0 (the model then gives its lowest probability).
    """
    if not ranked:
        return (0.0,) * len(FEATURE_NAMES)
    weights = {token: index.token_weight(token) for token in dict.fromkeys(query.tokens)}  # fixed order
    total = sum(weights.values())
    best = ranked[0]
    others = ranked[1:CANDIDATES_COMPARED]
    runner_up = others[0].score if others else 0.0

    bm25_best = bm25_coverage(index, best.entry, weights, total)
    bm25_other = max((bm25_coverage(index, s.entry, weights, total) for s in others), default=0.0)
    question = trigram_profile(query.text)
    char_best = profile_cosine(question, _phrasing_profile(index.texts[best.phrasing]))
    char_other = max(
        (profile_cosine(question, _phrasing_profile(index.texts[s.phrasing])) for s in others), default=0.0
    )

    words = index.entry_words[best.entry]
    rare_limit = index.rare_weight
    rare = [t for t, w in weights.items() if w >= rare_limit and t not in index.stopwords]
    rare_coverage = sum(t in words for t in rare) / len(rare) if rare else 1.0
    coverage = sum(w for t, w in weights.items() if t in words) / total if total else 0.0
    missing_weight = max((w for t, w in weights.items() if t not in words), default=0.0) / index.unknown_weight
    meaningful = [t for t in weights if t not in index.stopwords]
    unknown = sum(t not in index.weight for t in meaningful)
    unknown_share = unknown / len(meaningful) if meaningful else 0.0
    specifics = [t for t in weights if t.isdigit() or t in index.places or t in index.months]
    missing = sum(t not in words and t not in index.entry_places[best.entry] for t in specifics)
    # A place the entry's own text never names (its article may be set there: a Kukar figure is
    # not the national one although the national target is quoted in the Kukar article).
    place_not_in_text = any(t in index.places and t not in words for t in weights)
    uncovered = any(t in index.uncovered and t not in words for t in weights)
    intents = index.question_words.intersection(weights)
    intent_mismatch = bool(intents) and intents.isdisjoint(index.entry_intents[best.entry])

    return (
        best.score / 100.0,
        (best.score - runner_up) / 100.0,
        bm25_best,
        bm25_best - bm25_other,
        char_best,
        char_best - char_other,
        rare_coverage,
        coverage,
        missing_weight,
        unknown_share,
        min(len(query.tokens), LONG_MESSAGE_WORDS) / LONG_MESSAGE_WORDS,
        min(missing, 2) / 2.0,
        float(place_not_in_text),
        float(uncovered),
        float(intent_mismatch),
        float(index.entries[best.entry].kind == "glossary"),
    )
