"""Danger signs in a message (pure): which signs of ``content/urgent.yaml`` it describes, if any.

Words are read leniently — lower case, "kejang2" as "kejang", the rules' ``same`` spellings as their
key ("gak" as "tidak"), and a word may carry a suffix ("pendarahannya", "bayiku") — and phrases are
matched as runs of words, not right after a negation ("ga demam", "tidak pusing"). A sign needs someone it happens to (a subject of one of its ``who`` groups),
one of its phrases and, when it has them, one of its ``with_any`` phrases. A question about danger
signs in general or in the past (``not_now``) is not an emergency unless a ``now`` phrase says it is
happening; one saying it is over (``resolved``: "sudah sembuh") never is. Runs before any FAQ matching: an urgent message gets its referral first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.content.urgent import DangerSign, UrgentRules
from bot.matching.normalise import split_words

Words = tuple[str, ...]
# A word may end in one of these and still be the word ("bayinya", "pendarahannya", "bayiku").
SUFFIXES = ("nya", "ku", "mu", "kah", "lah", "pun", "an", "in", "e", "ne", "na")
# A phrase right after one of these is denied ("ga demam", "tidak pusing"), unless it starts with one.
NEGATIONS = frozenset({"tidak", "bukan", "tanpa", "no", "not", "never"})
_REDUPLICATED = re.compile(r"^([a-z]+?)2+$")


@dataclass(frozen=True)
class Urgency:
    signs: tuple[DangerSign, ...]

    @property
    def urgent(self) -> bool:
        return bool(self.signs)


class UrgencyDetector:
    def __init__(self, rules: UrgentRules) -> None:
        self.rules = rules
        self._same = {variant: key for key, variants in rules.same.items() for variant in variants}
        self._subjects = {group: self._phrases(items) for group, items in rules.subjects.items()}
        self._not_now = self._phrases(rules.not_now)
        self._resolved = self._phrases(rules.resolved)
        self._now = self._phrases(rules.now)
        self._signs = [(sign, self._phrases(sign.phrases), self._phrases(sign.with_any)) for sign in rules.signs]

    def words(self, text: str) -> Words:
        out: list[str] = []
        for word in split_words(text):
            match = _REDUPLICATED.match(word)
            word = match.group(1) if match else word
            out.extend(split_words(self._same.get(word, word)))
        return tuple(out)

    def _phrases(self, items: Iterable[str]) -> list[Words]:
        return [self.words(item) for item in items if item.strip()]

    def detect(self, text: str) -> Urgency:
        words = self.words(text)
        if not words:
            return Urgency(())
        if _any(words, self._resolved) or (_any(words, self._not_now) and not _any(words, self._now)):
            return Urgency(())
        present = {group for group, phrases in self._subjects.items() if _any(words, phrases)}
        found = tuple(
            sign
            for sign, phrases, with_any in self._signs
            if present.intersection(sign.who) and _any(words, phrases) and (not with_any or _any(words, with_any))
        )
        return Urgency(found)

    def referral(self, urgency: Urgency) -> str:
        """The immediate referral: what to do now, the emergency numbers, and the references that name
        the signs (all wording from content/urgent.yaml)."""
        rules = self.rules
        signs = "; ".join(dict.fromkeys(sign.name for sign in urgency.signs))
        numbers = "\n".join(rules.number_line.format(number=n.number, name=n.name) for n in rules.numbers)
        references = dict.fromkeys(
            (ref.title, ref.issuer, ref.year)
            for ref in [*(sign.reference for sign in urgency.signs), *(n.reference for n in rules.numbers)]
        )
        sources = [rules.source_line.format(title=t, issuer=i, year=y) for t, i, y in references]
        return "\n\n".join([rules.reply.format(signs=signs, numbers=numbers), "\n".join(sources)])

    def referral_for(self, text: str) -> str | None:
        """The referral when ``text`` describes a danger sign, else None."""
        urgency = self.detect(text)
        return self.referral(urgency) if urgency.urgent else None


def _any(words: Words, phrases: Sequence[Words]) -> bool:
    return any(_contains(words, phrase) for phrase in phrases)


def _contains(words: Words, phrase: Words) -> bool:
    size = len(phrase)
    if not size or size > len(words):
        return False
    denies = phrase[0] not in NEGATIONS
    for start in range(len(words) - size + 1):
        if denies and start > 0 and words[start - 1] in NEGATIONS:
            continue
        if all(_same_word(words[start + i], phrase[i]) for i in range(size)):
            return True
    return False


def _same_word(word: str, wanted: str) -> bool:
    if word == wanted:
        return True
    return len(wanted) >= 3 and word.startswith(wanted) and word[len(wanted):] in SUFFIXES
