"""Finding a place by what a person typed (pure): official names, our aliases, kind words and typos.

"Kab. Kutai Kartanegara", "kutai kartanegara", "kukar" and "kutai kartanegra" are one place; "Bogor"
is two (Kabupaten Bogor and Kota Bogor) unless the person wrote "kota bogor". A lookup therefore
answers with the places it could mean, best first, and whether it is sure: an exact name or alias of
one place, or a typo close to one name and clearly closer to it than to any other. Anything less is
offered to the person to choose from; an unsure lookup is never stored silently.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.regions.places import Kind, Place, within

# rapidfuzz ``ratio`` (0–100) of the typed name to a known one. At SURE_SCORE a one-letter slip in a
# name of SURE_MIN_LENGTH letters or more ("kutai kartanegra") is taken without asking, provided no
# other place comes within MARGIN; from OFFER_SCORE a name is offered as a button. Short names are
# never taken by a typo: "jabar" (Jawa Barat) is one letter from "jakbar" (Jakarta Barat).
SURE_SCORE = 90.0
SURE_MIN_LENGTH = 8
MARGIN = 6.0
OFFER_SCORE = 70.0
MAX_OFFERED = 4
MIN_PREFIX = 4

_NOT_WORD = re.compile(r"[^0-9a-z]+")
_KIND_PREFIX = re.compile(r"^((kabupaten|kota) administrasi|kabupaten|kota|provinsi)\s+")
# A typed name that is the start of names ("kutai" of Kutai Barat, Kutai Timur, Kutai Kartanegara)
# offers them at this score: never sure, however few they are.
WORD_PREFIX_SCORE = 80.0


@dataclass(frozen=True)
class Found:
    """What a typed name could mean: ``places`` best first; ``sure`` when it is the first one."""

    places: tuple[Place, ...] = ()
    sure: bool = False
    score: float = 0.0  # of the best place: 100 for an exact name or alias

    @property
    def place(self) -> Place | None:
        return self.places[0] if self.sure and self.places else None


NOTHING = Found()


def key_of(text: str) -> str:
    """Casefolded ASCII letters and digits, one space between words ("Bau-Bau" → "bau bau")."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).replace("'", "").replace("’", "")
    return " ".join(_NOT_WORD.split(text)).strip()


def official_key(place: Place) -> str:
    """The official name without its kind: "Kabupaten Kutai Kartanegara" → "kutai kartanegara"."""
    return _KIND_PREFIX.sub("", key_of(place.name))


def _same_kind(place: Place, kind: Kind) -> bool:
    if kind in ("desa", "kelurahan"):
        return place.kind in ("desa", "kelurahan")
    return place.kind == kind


class PlaceNames:
    """Every name of a set of places (official, without kind, and aliases) → the places it names."""

    def __init__(
        self,
        places: Iterable[Place],
        aliases: Mapping[str, Sequence[str]] | None = None,
        kind_words: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self._places: dict[str, Place] = {place.code: place for place in places}
        self._codes: dict[str, list[str]] = {}
        for place in self._places.values():
            self._add(official_key(place), place.code)
            self._add(key_of(place.name), place.code)
        for code, names in (aliases or {}).items():
            if code in self._places:
                for name in names:
                    self._add(key_of(name), code)
        self._choices = list(self._codes)
        self._by_first_word: dict[str, list[str]] = {}
        for name in self._choices:
            self._by_first_word.setdefault(name.split(" ", 1)[0], []).append(name)
        self._kind_words: dict[str, Kind] = {}
        for kind, words in (kind_words or {}).items():
            for word in words:
                self._kind_words[key_of(word)] = kind  # type: ignore[assignment]

    def _add(self, key: str, code: str) -> None:
        if key:
            codes = self._codes.setdefault(key, [])
            if code not in codes:
                codes.append(code)

    def __len__(self) -> int:
        return len(self._places)

    def split_kind(self, text: str) -> tuple[Kind | None, str]:
        """The kind a leading or trailing word names ("kab", "kota", "kec") and the rest of the name."""
        words = key_of(text).split()
        kind: Kind | None = None
        # "kota" is also part of names ("Kotabaru" is one word, "Kota Baru" is not), so strip at most
        # one kind word at each end and keep it only if something is left.
        if len(words) > 1 and words[0] in self._kind_words:
            kind = self._kind_words[words[0]]
            words = words[1:]
        elif len(words) > 1 and words[-1] in self._kind_words:
            kind = self._kind_words[words[-1]]
            words = words[:-1]
        return kind, " ".join(words)

    def find(self, text: str, inside: str | None = None) -> Found:
        """The places ``text`` may name (only those within the region ``inside`` when given)."""
        kind, key = self.split_kind(text)
        if not key:
            return NOTHING
        whole = key_of(text)

        def keep(codes: Iterable[str]) -> list[Place]:
            places = [self._places[code] for code in codes if inside is None or within(code, inside)]
            if kind is not None and any(_same_kind(p, kind) for p in places):
                places = [p for p in places if _same_kind(p, kind)]
            return places

        # The whole text first: "kota jogja" is an alias of Kota Yogyakarta, "jogja" of the province.
        exact = keep(self._codes.get(whole, ())) or keep(self._codes.get(key, ()))
        if exact:
            return Found(tuple(exact[:MAX_OFFERED]) if len(exact) > 1 else tuple(exact), len(exact) == 1, 100.0)
        choices = self._choices
        if inside is not None:
            choices = [k for k in self._choices if any(within(code, inside) for code in self._codes[k])]
        scored: dict[str, float] = {}
        for name, score, _ in process.extract(key, choices, scorer=fuzz.ratio, score_cutoff=OFFER_SCORE, limit=12):
            for place in keep(self._codes[name]):
                scored[place.code] = max(scored.get(place.code, 0.0), float(score))
        if len(key) >= MIN_PREFIX:
            start = key + " "
            for name in self._by_first_word.get(key.split(" ", 1)[0], ()):
                if name.startswith(start) and (inside is None or any(within(c, inside) for c in self._codes[name])):
                    for place in keep(self._codes[name]):
                        scored[place.code] = max(scored.get(place.code, 0.0), WORD_PREFIX_SCORE)
        if not scored:
            return NOTHING
        ranked = sorted(scored.items(), key=lambda item: -item[1])
        best = ranked[0][1]
        sure = (
            best >= SURE_SCORE
            and len(key) >= SURE_MIN_LENGTH
            and (len(ranked) == 1 or ranked[1][1] <= best - MARGIN)
        )
        places = tuple(self._places[code] for code, _ in ranked[:MAX_OFFERED])
        return Found(places[:1] if sure else places, sure, best)
