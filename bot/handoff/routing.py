"""Who is asked to answer a question handed to a person, and who may act on it (pure).

The most local people first: the coordinators whose regions include the asker's region; when no
regional coordinator covers it, the national coordinators (no regions); when there are none, or a
responder passed the item on ("Bukan wewenang saya"), or it waited too long (escalation), the admins
and the people given the responder role. Anyone whose scope covers the item may act on it — answer,
pass it on, mark it done — checked against the database on every press.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from bot.regions.places import within

Level = Literal["region", "national", "admins"]


@dataclass(frozen=True)
class Route:
    people: tuple[int, ...]  # Telegram ids, in a stable order
    level: Level


def route(
    regional: Iterable[int],
    national: Iterable[int],
    admins: Iterable[int],
    responders: Iterable[int],
    *,
    to_admins: bool = False,
) -> Route:
    """Who gets the notification (see the module docstring)."""
    regional, national = tuple(dict.fromkeys(regional)), tuple(dict.fromkeys(national))
    if not to_admins and regional:
        return Route(regional, "region")
    if not to_admins and national:
        return Route(national, "national")
    return Route(tuple(dict.fromkeys([*sorted(admins), *responders])), "admins")


def may_act(
    *, admin: bool, responder: bool, coordinator: bool, scopes: Iterable[str], region_code: str | None
) -> bool:
    """Whether this person may answer, pass on or close an item from an asker in ``region_code``:
    admins and responders always; a national coordinator always; a regional coordinator only for
    askers inside one of their regions."""
    if admin or responder:
        return True
    if not coordinator:
        return False
    scopes = tuple(scopes)
    if not scopes:
        return True
    return region_code is not None and any(within(region_code, scope) for scope in scopes)
