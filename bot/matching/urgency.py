"""Danger signs in a message (pure): which signs of ``content/urgent.yaml`` it describes, if any.

Words are read leniently — lower case, "kejang2" as "kejang", the rules' ``same`` spellings as their
key ("gak" as "tidak"; also with a suffix: Sundanese "sukuna" as "kaki"), and a word may carry a
suffix ("pendarahannya", "bayiku") — and phrases are matched as runs of words, not right after a
negation ("ga demam", "tidak pusing"). A sign needs someone it happens to (a subject of one of its
``who`` groups), one of its phrases and, when it has them, one of its ``with_any`` phrases. A
question about danger signs in general or in the past (``not_now``) is not an emergency unless a
``now`` phrase says it is happening; one saying it is over (``resolved``: "sudah sembuh") never is.
Runs before any FAQ matching: an urgent message gets its referral first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.content.urgent import DangerSign, UrgentRules
from bot.matching.normalise import split_words

Words = tuple[str, ...]
Key = tuple[str, str]  # what a phrase stands for: ("who", group), ("sign", n), ("with", n), ("now", "") …
MIN_STEM = 3
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
        entries: list[tuple[Words, Key]] = []
        for group, items in rules.subjects.items():
            entries += [(phrase, ("who", group)) for phrase in self._phrases(items)]
        for kind, items in (("not_now", rules.not_now), ("now", rules.now), ("resolved", rules.resolved)):
            entries += [(phrase, (kind, "")) for phrase in self._phrases(items)]
        for number, sign in enumerate(rules.signs):
            entries += [(phrase, ("sign", str(number))) for phrase in self._phrases(sign.phrases)]
            entries += [(phrase, ("with", str(number))) for phrase in self._phrases(sign.with_any)]
        self._index = _PhraseIndex(entries)

    def words(self, text: str) -> Words:
        out: list[str] = []
        for word in split_words(text):
            match = _REDUPLICATED.match(word)
            word = match.group(1) if match else word
            # the word itself, else the word without a suffix ("sukuna" → suku → kaki)
            same = self._same.get(word) or next((self._same[s] for s in _stems(word)[1:] if s in self._same), word)
            out.extend(split_words(same))
        return tuple(out)

    def _phrases(self, items: Iterable[str]) -> list[Words]:
        return [self.words(item) for item in items if item.strip()]

    def detect(self, text: str) -> Urgency:
        found = self._index.keys_in(self.words(text))
        if ("resolved", "") in found or (("not_now", "") in found and ("now", "") not in found):
            return Urgency(())
        signs = tuple(
            sign
            for number, sign in enumerate(self.rules.signs)
            if ("sign", str(number)) in found
            and any(("who", group) in found for group in sign.who)
            and (not sign.with_any or ("with", str(number)) in found)
        )
        return Urgency(signs)

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


class _PhraseIndex:
    """Every phrase of the rules by its first word: one pass over a message finds them all."""

    def __init__(self, entries: Iterable[tuple[Words, Key]]) -> None:
        self._by_first: dict[str, list[tuple[Words, Key]]] = {}
        for phrase, key in entries:
            if phrase:
                self._by_first.setdefault(phrase[0], []).append((phrase, key))

    def keys_in(self, words: Words) -> set[Key]:
        found: set[Key] = set()
        for start, word in enumerate(words):
            negated = start > 0 and words[start - 1] in NEGATIONS
            for stem in _stems(word):
                for phrase, key in self._by_first.get(stem, ()):
                    if key in found or (negated and phrase[0] not in NEGATIONS) or len(phrase) > len(words) - start:
                        continue
                    if all(_same_word(words[start + i], phrase[i]) for i in range(1, len(phrase))):
                        found.add(key)
        return found


def _stems(word: str) -> list[str]:
    """The word, and the word without each suffix it may carry ("pendarahannya" → "pendarahan")."""
    return [word] + [word[: -len(s)] for s in SUFFIXES if word.endswith(s) and len(word) - len(s) >= MIN_STEM]


def _same_word(word: str, wanted: str) -> bool:
    if word == wanted:
        return True
    return len(wanted) >= MIN_STEM and word.startswith(wanted) and word[len(wanted):] in SUFFIXES
