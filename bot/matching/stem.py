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

# Suffixes, longest first. Colloquial -in (ngurangin, turunin) sits beside the standard ones.
_SUFFIXES = ("kan", "an", "in", "i")
# Prefixes, longest first; at most two are stripped (ke-ber-hasil-an, di-per-kuat).
_PREFIXES = (
    "meny", "peny", "meng", "peng", "mem", "pem", "men", "pen", "nge", "ber", "ter", "per", "me", "pe", "di", "ke", "ng", "ny"
)  # fmt: skip
_VOWELS = set("aeiou")
_CONSONANTS = set("bcdfghjklmnpqrstvwxyz")
# The letters each prefix can stand before (Indonesian morphophonology): "penting" and
# "peserta" are roots, since pen- never precedes t and pe- never precedes s; "berani"
# and "perangkat" are roots, since ber-/per-/ter- stand before consonants.
_NEXT_LETTERS = {
    "meny": _VOWELS, "peny": _VOWELS, "ny": _VOWELS, "ng": _VOWELS,
    "meng": _VOWELS | set("ghk"), "peng": _VOWELS | set("ghk"),
    "mem": _VOWELS | set("bfpv"), "pem": _VOWELS | set("bfpv"),
    "men": _VOWELS | set("cdjz"), "pen": _VOWELS | set("cdjz"),
    "me": set("lmnrwy"), "pe": set("lrwy"),
    "ber": _CONSONANTS, "ter": _CONSONANTS, "per": _CONSONANTS,
}  # fmt: skip
# meny-/peny- + vowel come from s- roots, men-/pen- + vowel from t- roots, mem-/pem- + vowel from p- roots.
_NASAL_ROOT = {"meny": "s", "peny": "s", "ny": "s", "men": "t", "pen": "t", "mem": "p", "pem": "p"}
# ke- is only a prefix together with -an (kegiatan, kemiskinan), never alone (kerjasama, kepala).
_CIRCUMFIX_ONLY = {"ke": "an"}
# A bare (unprefixed) word only loses -kan or -an ("jelaskan" is "jelas", as "menjelaskan" is), or
# colloquial -in when it is long (turunin).
_BARE_SUFFIXES = ("kan", "an")
_BARE_IN_MIN_LENGTH = 7


class Stemmer:
    def __init__(self, protected: frozenset[str] = frozenset()):
        self.protected = protected
        self.stem = lru_cache(maxsize=16384)(self._stem)

    def _stem(self, word: str) -> str:
        if len(word) < MIN_WORD or word in self.protected or not word.isalpha():
            return word
        suffix, root = _strip_suffix(word, _SUFFIXES)
        prefixed = False
        for _ in range(2):
            shorter = _strip_prefix(root, suffix)
            if shorter == root:
                break
            root, prefixed, suffix = shorter, True, ""
        if not prefixed:
            suffix, root = _strip_suffix(word, _BARE_SUFFIXES)
            if not suffix and word.endswith("in") and len(word) >= _BARE_IN_MIN_LENGTH:
                root = word[:-2]
        # "peserta" must not become the function word "serta".
        return word if root in self.protected else root


def _strip_suffix(word: str, suffixes: tuple[str, ...]) -> tuple[str, str]:
    for suffix in suffixes:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return suffix, word[: -len(suffix)]
    return "", word


def _strip_prefix(word: str, suffix: str) -> str:
    for prefix in _PREFIXES:
        rest = word[len(prefix) :]
        if not word.startswith(prefix) or len(rest) < MIN_STEM - 1:
            continue
        if prefix in _NEXT_LETTERS and rest[0] not in _NEXT_LETTERS[prefix]:
            continue
        if _CIRCUMFIX_ONLY.get(prefix, suffix) != suffix:
            continue
        if prefix in _NASAL_ROOT and rest[0] in _VOWELS:
            rest = _NASAL_ROOT[prefix] + rest
        if len(rest) >= MIN_STEM:
            return rest
    return word
