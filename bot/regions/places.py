"""Places and their Kemendagri codes (pure).

A code names its level and its ancestors: "64" is a province (Kalimantan Timur), "64.02" a
kabupaten/kota in it (Kutai Kartanegara), "64.02.01" a kecamatan there, "64.02.01.2001" a desa or
kelurahan. So "is this person inside that target?" is a comparison of codes, never of names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["provinsi", "kabupaten", "kota", "kecamatan", "desa", "kelurahan"]
CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
PROVINCE, REGENCY, DISTRICT, VILLAGE = 1, 2, 3, 4


@dataclass(frozen=True)
class Place:
    code: str
    name: str  # the official name: "Kabupaten Kutai Kartanegara", "Tenggarong", "Perian"
    kind: Kind

    @property
    def level(self) -> int:
        return level_of(self.code)

    @property
    def parent_code(self) -> str | None:
        return parent_of(self.code)


def is_code(text: str) -> bool:
    return bool(CODE.match(text.strip()))


def level_of(code: str) -> int:
    """1 province, 2 kabupaten/kota, 3 kecamatan, 4 desa/kelurahan."""
    return code.count(".") + 1


def parent_of(code: str) -> str | None:
    return code.rsplit(".", 1)[0] if "." in code else None


def ancestors(code: str) -> list[str]:
    """The code's own chain from its province down to itself: "64.02.01" → 64, 64.02, 64.02.01."""
    parts = code.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def within(code: str | None, scope: str) -> bool:
    """Whether ``code`` is the region ``scope`` or lies inside it."""
    return code is not None and (code == scope or code.startswith(scope + "."))


def kind_of_regency(name: str) -> Kind:
    return "kota" if name.casefold().startswith("kota ") else "kabupaten"
