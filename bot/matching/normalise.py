"""Turn informal Indonesian text into canonical tokens (pure).

Steps, in order:
1. Unicode NFKC, casefold, accents removed; anything that is not a letter or a
   digit (punctuation, emoji, control characters) separates words.
2. Per word: reduplication ("anak2" -> "anak anak"), a number glued to a word
   ("1000hpk" -> "1000 hpk"), single-word lexicon replacements ("yg" -> "yang"),
   repeated letters ("berapaaa" -> "berapa") and, for questions only, typo
   correction against the index vocabulary ("pndamping" -> "pendamping").
3. Phrases, longest first: multi-word lexicon replacements ("di mana" ->
   "dimana") and glossary contractions ("program keluarga harapan" -> "pkh").
4. Filler words (sih, dong, kak, min) are dropped.

The same rules run over the content at index time (without typo correction), so
both sides meet in one vocabulary.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

_WORD = re.compile(r"[^\W_]+")
# Terminal colour codes pasted from a console ("\x1b[31m") are not words.
_TERMINAL_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_REDUPLICATION = re.compile(r"^([^\W\d_]{2,})2$")
_NUMBER_THEN_WORD = re.compile(r"^(\d+)([^\W\d_]{2,})$")
_WORD_THEN_NUMBER = re.compile(r"^([^\W\d_]{3,})(\d+)$")
_REPEATS = re.compile(r"(.)\1{2,}")
_DOUBLES = re.compile(r"(.)\1")
# Enclitic particles and the possessive -nya (Betawi -nye, Sundanese -na/-ana, Javanese -ne),
# stripped when what remains is a known word ("tujuanana", "carane" -> "tujuan", "cara").
_PARTICLES = ("nya", "nye", "kah", "lah", "pun", "ana", "na", "ne")
_PASSIVE = "di"  # the passive prefix: "di" + a listed verb is that verb's passive

# Typo correction: only words at least this long, within max_edits() edits.
MIN_CORRECTABLE_LENGTH = 5
# Upper bound on how many distinct query words we remember corrections for.
_CORRECTION_CACHE = 4096

Phrase = tuple[str, ...]


def max_edits(length: int) -> int:
    """Edits (insert, delete, substitute, swap) tolerated in a word of this length."""
    return 1 if length < 9 else 2


def split_words(text: str) -> list[str]:
    """Unicode-normalised, casefolded words; punctuation, emoji and control characters split."""
    text = _TERMINAL_ESCAPE.sub(" ", text)
    if not text.isascii():  # plain ASCII (most messages) has nothing to normalise
        text = unicodedata.normalize("NFKC", text)
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = text.casefold()
    return _WORD.findall(text)


@dataclass(frozen=True)
class Rules:
    """The normalisation rules, compiled from the lexicon and the glossary."""

    words: Mapping[str, Phrase]  # single word -> replacement words (possibly none)
    phrases: Mapping[Phrase, Phrase]  # several words -> replacement words
    fillers: frozenset[str]
    protected: frozenset[str] = frozenset()
    known: frozenset[str] = frozenset()  # ordinary words (stopwords) that are not typos of anything
    # the longest phrase starting with each word (a phrase is looked for only where one can start)
    phrase_length_from: Mapping[str, int] = field(init=False)

    def __post_init__(self) -> None:
        lengths: dict[str, int] = {}
        for phrase in self.phrases:
            lengths[phrase[0]] = max(lengths.get(phrase[0], 0), len(phrase))
        object.__setattr__(self, "phrase_length_from", lengths)

    @classmethod
    def build(
        cls,
        replacements: Mapping[str, str],
        fillers: Iterable[str],
        contractions: Mapping[str, str] = {},
        protected: Iterable[str] = (),
        known: Iterable[str] = (),
    ) -> Rules:
        pairs = [
            (tuple(split_words(source)), tuple(split_words(target)))
            for source, target in [*contractions.items(), *replacements.items()]
        ]
        # Single words first; the lexicon comes last so it wins a clash (it was written for matching).
        words: dict[str, Phrase] = {key[0]: value for key, value in pairs if len(key) == 1 and key != value}
        phrases: dict[Phrase, Phrase] = {}
        for key, value in pairs:
            if len(key) > 1:
                # Phrases are matched after single words were replaced, so replace inside keys too.
                key = tuple(w for word in key for w in words.get(word, (word,)))
                if key != value:
                    phrases[key] = value
        return cls(
            words=words,
            phrases=phrases,
            fillers=frozenset(w for f in fillers for w in split_words(f)),
            protected=frozenset(w for p in protected for w in split_words(p)),
            known=frozenset(w for k in known for w in split_words(k)),
        )


class Normaliser:
    """Normalises text with fixed rules; optionally corrects typos against a vocabulary."""

    def __init__(self, rules: Rules, vocabulary: Iterable[str] = ()):
        self.rules = rules
        self.vocabulary = frozenset(vocabulary)
        self._choices_by_initial: dict[str, list[str]] = {}
        for word in sorted(self.vocabulary - rules.protected):
            self._choices_by_initial.setdefault(word[0], []).append(word)
        # Words never typo-corrected: the vocabulary, lexicon forms, fillers and function words.
        self._known = (
            self.vocabulary | rules.words.keys() | {w for p in rules.phrases for w in p} | rules.fillers | rules.known
        )
        self._correct = lru_cache(maxsize=_CORRECTION_CACHE)(self._correct_uncached)

    def tokens(self, text: str, correct_typos: bool = False) -> tuple[str, ...]:
        words: list[str] = []
        for raw in split_words(text):
            for word in self._split_compound(raw):
                words.extend(self._normalise_word(word, correct_typos))
        # Again when something was replaced: a phrase's replacement can form another phrase
        # ("central jakarta" -> "jakarta pusat" -> "jakpus").
        replaced = self._apply_phrases(words)
        words = self._apply_phrases(replaced) if replaced != words else replaced
        return tuple(w for w in words if w not in self.rules.fillers)

    def _split_compound(self, word: str) -> tuple[str, ...]:
        if word in self._known:
            return (word,)
        if m := _REDUPLICATION.match(word):
            return (m.group(1), m.group(1))
        if m := _NUMBER_THEN_WORD.match(word) or _WORD_THEN_NUMBER.match(word):
            return (m.group(1), m.group(2))
        return (word,)

    def _normalise_word(self, word: str, correct_typos: bool) -> Phrase:
        if word in self.rules.words:
            return self.rules.words[word]
        if word in self._known or word.isdigit():
            return (word,)
        squeezed = self._squeeze_repeats(word)
        if squeezed != word:
            if squeezed in self.rules.words:
                return self.rules.words[squeezed]
            word = squeezed
        base = self._strip_particle(word)
        if base != word:
            return self._normalise_word(base, correct_typos)
        if passive := self._passive_of_listed(word):
            return passive
        if correct_typos and word not in self._known:
            return (self._correct(word),)
        return (word,)

    def _passive_of_listed(self, word: str) -> Phrase | None:
        """'ditugaskeun' -> 'ditugaskan': the passive di- before a verb the lexicon lists in its own
        (regional or slang) form, when the lexicon gives one word for it."""
        rest = word[len(_PASSIVE) :]
        if not word.startswith(_PASSIVE) or len(rest) < MIN_CORRECTABLE_LENGTH:
            return None
        target = self.rules.words.get(rest)
        if target is None or len(target) != 1 or not target[0]:
            return None
        return (target[0] if target[0].startswith(_PASSIVE) else _PASSIVE + target[0],)

    def _squeeze_repeats(self, word: str) -> str:
        """'berapaaa' -> 'berapa'; keeps a legitimate double ('maaf') when that is the known form."""
        if not _REPEATS.search(word):
            return word
        double = _REPEATS.sub(r"\1\1", word)
        if double in self._known:
            return double
        single = _DOUBLES.sub(r"\1", double)
        return single if single in self._known or double not in self._known else double

    def _strip_particle(self, word: str) -> str:
        """'meetingnya' -> 'meeting', 'siapakah' -> 'siapa': only when the rest is a known word."""
        for suffix in _PARTICLES:
            base = word[: -len(suffix)]
            if word.endswith(suffix) and len(base) >= 3 and (base in self._known or base in self.rules.words):
                return base
        return word

    def _correct_uncached(self, word: str) -> str:
        """The closest vocabulary word within a small edit distance, else the word itself.

        Typos rarely touch the first letter, so candidates must share it; this alone keeps
        "jadwal" from becoming "awal" and "sanksi" from becoming "aksi".
        """
        if len(word) < MIN_CORRECTABLE_LENGTH or word in self.rules.protected or any(c.isdigit() for c in word):
            return word
        allowed = max_edits(len(word))
        choices = self._choices_by_initial.get(word[0], ())
        best = process.extractOne(
            word, choices, scorer=DamerauLevenshtein.distance, score_cutoff=allowed
        )
        return best[0] if best else word

    def _apply_phrases(self, words: list[str]) -> list[str]:
        phrases = self.rules.phrases
        if not phrases or len(words) < 2:
            return words
        out: list[str] = []
        i = 0
        longest_from = self.rules.phrase_length_from
        while i < len(words):
            for size in range(min(longest_from.get(words[i], 0), len(words) - i), 1, -1):
                key = tuple(words[i : i + size])
                if key in phrases:
                    out.extend(phrases[key])
                    i += size
                    break
            else:
                out.append(words[i])
                i += 1
        return out
