"""Unanswered and disliked questions, grouped by similarity (pure).

Each question is normalised (by default: casefolded words; the shell passes the engine's own
normaliser so slang, typos and affixes meet in one form), then joined to the first group whose
representative is similar enough. Two questions are similar when

* ``token_set_ratio`` ≥ ``set_threshold``: the words of one are (nearly) all in the other, typos
  forgiven character by character — word order and extra fillers do not matter; and
* ``token_sort_ratio`` ≥ ``sort_threshold``: the two are also close as a whole, so a one-word
  question ("stunting") is not swallowed by every longer question containing that word.

Different intents sharing most words ("berapa gaji pendamping" / "berapa jumlah pendamping")
stay apart because the one differing word costs more than the set threshold allows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from bot.matching.normalise import split_words
from bot.reports.records import AskedQuestion

if TYPE_CHECKING:
    from bot.engine import Engine

SET_THRESHOLD = 92.0
SORT_THRESHOLD = 70.0
MAX_EXAMPLES = 3

Normalise = Callable[[str], str]


def plain_words(text: str) -> str:
    """The default normaliser: casefolded words, punctuation and emoji dropped."""
    return " ".join(split_words(text))


@dataclass(frozen=True)
class QuestionGroup:
    representative: str  # the most frequent wording (the latest among equals)
    count: int
    unanswered: int
    disliked: int
    last_asked: datetime
    examples: tuple[str, ...]  # other wordings, most frequent first
    disliked_entries: tuple[str, ...] = ()  # answers that got a 👎 for these questions
    askers: tuple[str, ...] = ()  # only filled when names were asked for
    person_answers: tuple[int, ...] = ()  # queue items where a person answered one of these questions


@dataclass
class _Building:
    key: str  # normalised text of the first question: what later ones are compared with
    members: list[AskedQuestion] = field(default_factory=list)


def similar(
    a: str,
    b: str,
    set_threshold: float = SET_THRESHOLD,
    sort_threshold: float = SORT_THRESHOLD,
    keywords: frozenset[str] = frozenset(),
) -> bool:
    """Whether two normalised questions ask the same thing (see the module docstring)."""
    return (
        fuzz.token_set_ratio(a, b) >= set_threshold
        and fuzz.token_sort_ratio(a, b) >= sort_threshold
        and not name_different_things(a, b, keywords)
    )


def name_different_things(a: str, b: str, keywords: frozenset[str]) -> bool:
    """Each question has a keyword the other lacks: "pkh singkatan apa" / "fds singkatan apa" are
    two questions however alike the rest is. A word on one side only ("sebulan") is detail."""
    words_a, words_b = set(a.split()), set(b.split())
    return bool((words_a - words_b) & keywords) and bool((words_b - words_a) & keywords)


def group_questions(
    questions: Iterable[AskedQuestion],
    normalise: Normalise = plain_words,
    *,
    with_names: bool = False,
    set_threshold: float = SET_THRESHOLD,
    sort_threshold: float = SORT_THRESHOLD,
    keywords: frozenset[str] = frozenset(),
) -> list[QuestionGroup]:
    """Groups of similar questions, most often asked first (then most recently asked).

    Questions with nothing left after normalisation (a greeting, an emoji) are left out.
    Names of the people who asked are only included with ``with_names=True``. ``keywords``: words
    that name a subject (``engine_keywords``); two questions differing in one on each side stay apart.
    """
    groups: list[_Building] = []
    by_key: dict[str, _Building] = {}
    keys: list[str] = []  # groups[i].key, for rapidfuzz's batch scoring
    # Oldest first, so a group's key is stable whatever is asked later.
    for question in sorted(questions, key=lambda q: q.asked_at):
        key = normalise(question.text).strip()
        if not key:
            continue
        best = by_key.get(key)
        if best is None:
            best = _closest(key, groups, keys, set_threshold, sort_threshold, keywords)
        if best is None:
            best = _Building(key)
            groups.append(best)
            keys.append(key)
        by_key.setdefault(key, best)
        best.members.append(question)
    built = [_finish(group.members, with_names) for group in groups]
    return sorted(built, key=lambda g: (-g.count, -g.last_asked.timestamp(), g.representative))


def _closest(
    key: str,
    groups: list[_Building],
    keys: list[str],
    set_threshold: float,
    sort_threshold: float,
    keywords: frozenset[str],
) -> _Building | None:
    """The similar group whose key is closest as a whole, if any."""
    candidates = process.extract(key, keys, scorer=fuzz.token_set_ratio, score_cutoff=set_threshold, limit=None)
    best: _Building | None = None
    best_score = sort_threshold - 1e-9
    for _, _, position in candidates:
        if name_different_things(key, keys[position], keywords):
            continue
        score = fuzz.token_sort_ratio(key, keys[position])
        if score > best_score:
            best, best_score = groups[position], score
    return best


def _finish(members: list[AskedQuestion], with_names: bool) -> QuestionGroup:
    wordings: dict[str, tuple[int, datetime]] = {}
    for question in members:
        text = " ".join(question.text.split())
        count, last = wordings.get(text, (0, question.asked_at))
        wordings[text] = (count + 1, max(last, question.asked_at))
    ranked = sorted(wordings, key=lambda t: (-wordings[t][0], -wordings[t][1].timestamp(), t))
    askers = tuple(dict.fromkeys(q.asker for q in members if q.asker)) if with_names else ()
    return QuestionGroup(
        representative=ranked[0],
        count=len(members),
        unanswered=sum(q.unanswered for q in members),
        disliked=sum(q.disliked for q in members),
        last_asked=max(q.asked_at for q in members),
        examples=tuple(ranked[1 : 1 + MAX_EXAMPLES]),
        disliked_entries=tuple(sorted({q.entry_id for q in members if q.disliked and q.entry_id})),
        askers=askers,
        person_answers=tuple(sorted({q.person_answer for q in members if q.person_answer is not None})),
    )


def engine_normaliser(engine: Engine) -> Normalise:
    """The engine's own normalisation (slang, typos against the content's words, affixes)."""
    return lambda text: engine.index.query(text).text


def engine_keywords(engine: Engine) -> frozenset[str]:
    """The words the content is about, as the engine normalises them: its vocabulary without
    stopwords and question words (siapa, berapa …)."""
    index = engine.index
    return frozenset(index.weight) - index.stopwords - index.question_words


def group_with_engine(
    questions: Iterable[AskedQuestion], engine: Engine, *, with_names: bool = False
) -> list[QuestionGroup]:
    """``group_questions`` as the bot and the CLI use it: the engine's normalisation and keywords."""
    return group_questions(questions, engine_normaliser(engine), with_names=with_names, keywords=engine_keywords(engine))
