"""A small Indonesian affix stripper, written for matching (pure).

It is not a linguistic stemmer: it only has to map the forms people use for
one idea to the same key, on both sides of the match ("dilatih",
"pelatihan", "ngelatih" -> "latih"; "penanganan", "ditangani" -> "tangan";
"pendamping", "mendampingi" -> "damping"). Without a dictionary it cannot
always find the true root; what matters is that it is consistent and that it
never strips a stem below four letters. Words listed as protected (glossary
terms, place names, words it would conflate) are left alone.
"""

from __future__ import annotations

from functools import lru_cache

MIN_STEM = 4
MIN_WORD = 5

# Longest first. Colloquial -in (ngurangin) sits beside the standard suffixes. Verb
# suffixes (-i, -in, -kan) are only stripped from a prefixed word: bare words ending in
# -i are usually roots or loanwords (bupati, tinggi, informasi).
_VERB_SUFFIXES = ("kan", "an", "in", "i")
_NOUN_SUFFIXES = ("an",)
_PREFIXES = (
    "meny", "peny", "meng", "peng", "mem", "pem", "men", "pen", "nge", "ber", "ter", "per", "me", "pe", "di", "ke", "ng", "ny"
)
_VOWELS = set("aeiou")
# The letters each nasal prefix can stand before (Indonesian morphophonology): "penting"
# and "peserta" are roots, since pen- never precedes t and pe- never precedes s.
_NEXT_LETTERS = {
    "meny": "aeiou", "peny": "aeiou", "ny": "aeiou", "ng": "aeiou",
    "meng": "aeioughk", "peng": "aeioughk",
    "mem": "aeioubfpv", "pem": "aeioubfpv",
    "men": "aeioucdjz", "pen": "aeioucdjz",
    "me": "lmnrwy", "pe": "lrwy",
}  # fmt: skip
# meny-/peny- + vowel come from s- roots, men-/pen- + vowel from t- roots, mem-/pem- + vowel from p- roots.
_NASAL_ROOT = {"meny": "s", "peny": "s", "ny": "s", "men": "t", "pen": "t", "mem": "p", "pem": "p"}


class Stemmer:
    def __init__(self, protected: frozenset[str] = frozenset()):
        self.protected = protected
        self.stem = lru_cache(maxsize=16384)(self._stem)

    def _stem(self, word: str) -> str:
        if len(word) < MIN_WORD or word in self.protected or not word.isalpha():
            return word
        without_prefix = _strip_prefix(word)
        if without_prefix != word:
            stem = _strip_prefix(_strip_suffix(word, _VERB_SUFFIXES))
        else:
            stem = _strip_suffix(word, _NOUN_SUFFIXES)
        # "peserta" must not become the function word "serta".
        return word if stem in self.protected else stem


def _strip_suffix(word: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word


def _strip_prefix(word: str) -> str:
    for prefix in _PREFIXES:
        rest = word[len(prefix) :]
        if not word.startswith(prefix) or len(rest) < MIN_STEM - 1:
            continue
        if prefix in _NEXT_LETTERS and rest[0] not in _NEXT_LETTERS[prefix]:
            continue
        if prefix in _NASAL_ROOT and rest[0] in _VOWELS:
            rest = _NASAL_ROOT[prefix] + rest
        if len(rest) >= MIN_STEM:
            return rest
    return word
