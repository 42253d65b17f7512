"""The vocabulary of dates and times that coordinators type when they schedule a broadcast.

``content/calendar.yaml`` holds one :class:`CalendarWords`: day and month names with their common
spellings, relative day words (besok, lusa), hour words (jam, pukul), day parts (pagi, siang, sore,
malam) with the hours each one turns into, the zone names, and the template that describes a
scheduled moment back to the coordinator. :mod:`bot.broadcast.when` reads text with it.

This module only declares the model (no file reading). Its validators reject what would make the
parser guess: a spelling listed twice (one word meaning both a day and a filler would be undecidable),
a week without seven days, hours outside 0 to 23 and a template naming an unknown field.
"""

from __future__ import annotations

import string
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

Spelling = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1)]
Display = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Hour = Annotated[int, Field(ge=0, le=23)]

# The fields a description template may use (see CalendarWords.description).
DESCRIPTION_FIELDS = frozenset({"weekday", "day", "month", "year", "hour", "minute", "zone"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NamedDay(_Strict):
    """A day of the week or a month: the name shown in confirmations and the spellings people type."""

    display: Display = Field(description="Shown in confirmations, e.g. 'Senin' or 'Desember'.")
    spellings: list[Spelling] = Field(min_length=1, description="What people type: 'senin', 'sen'.")


class RelativeDay(_Strict):
    """Words for a day counted from today (0 today, 1 tomorrow, 2 the day after)."""

    offset: int = Field(ge=0, le=7)
    spellings: list[Spelling] = Field(min_length=1)


class DayPart(_Strict):
    """A part of the day and what a typed clock hour means with it (pagi, siang, sore, malam, am, pm).

    ``hours`` maps the hour as typed to the hour on a 24-hour clock ("jam 2 siang" → 14). A typed hour
    that is already one of the results is accepted as is ("jam 14 siang"). Hours in ``ambiguous`` are
    refused ("jam 12 malam": midnight of which night?); any other hour contradicts the day part.
    """

    spellings: list[Spelling] = Field(min_length=1)
    hours: dict[Hour, Hour] = Field(min_length=1)
    ambiguous: list[Hour] = Field(default_factory=list)


class ZoneWord(_Strict):
    """An Indonesian time zone as typed after a time ("08.00 WITA")."""

    name: Display = Field(description="How the zone is shown: WIB, WITA or WIT.")
    tz: Display = Field(description="The IANA time zone, e.g. Asia/Makassar.")
    spellings: list[Spelling] = Field(min_length=1)


class CalendarWords(_Strict):
    """Every word the broadcast time parser understands and every word it shows."""

    weekdays: list[NamedDay] = Field(
        min_length=7, max_length=7, description="Monday first, as Python's date.weekday() counts."
    )
    months: list[NamedDay] = Field(min_length=12, max_length=12, description="January first.")
    relative_days: list[RelativeDay] = Field(min_length=1)
    next_words: list[Spelling] = Field(
        min_length=1, description="After a day name: that day of next week ('senin depan')."
    )
    date_words: list[Spelling] = Field(min_length=1, description="Before a day of the month: 'tgl 5'.")
    hour_words: list[Spelling] = Field(min_length=1, description="Before a clock time: 'jam 8', 'pukul 19.00'.")
    fillers: list[Spelling] = Field(default_factory=list, description="Words skipped wherever they stand.")
    day_parts: list[DayPart] = Field(min_length=1)
    ambiguous_bare_hours: list[Hour] = Field(
        default_factory=list,
        description="Hours refused without a day part or minutes: 'jam 3' may be 03.00 or 15.00.",
    )
    ambiguous_phrases: list[Spelling] = Field(
        default_factory=list, description="Phrases refused as ambiguous ('minggu depan': Sunday or next week?)."
    )
    zones: list[ZoneWord] = Field(min_length=1)
    description: Display = Field(
        description="How a scheduled moment is described, with the fields " + ", ".join(sorted(DESCRIPTION_FIELDS))
    )

    @field_validator("description")
    @classmethod
    def _known_fields(cls, template: str) -> str:
        used = {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}
        unknown = used - DESCRIPTION_FIELDS
        if unknown:
            raise ValueError(f"unknown fields {sorted(unknown)}; use {sorted(DESCRIPTION_FIELDS)}")
        return template

    @model_validator(mode="after")
    def _each_spelling_once(self) -> CalendarWords:
        seen: dict[str, str] = {}
        for where, spelling in self._spellings():
            key = " ".join(spelling.split())
            if key in seen:
                raise ValueError(f"{spelling!r} is listed twice: in {seen[key]} and in {where}")
            seen[key] = where
        return self

    def _spellings(self) -> list[tuple[str, str]]:
        """Every spelling with the place it is listed in (for the duplicate check)."""
        found: list[tuple[str, str]] = []
        for i, day in enumerate(self.weekdays):
            found += [(f"weekdays[{i}]", s) for s in day.spellings]
        for i, month in enumerate(self.months):
            found += [(f"months[{i}]", s) for s in month.spellings]
        for i, relative in enumerate(self.relative_days):
            found += [(f"relative_days[{i}]", s) for s in relative.spellings]
        for i, part in enumerate(self.day_parts):
            found += [(f"day_parts[{i}]", s) for s in part.spellings]
        for i, zone in enumerate(self.zones):
            found += [(f"zones[{i}]", s) for s in zone.spellings]
        for key in ("next_words", "date_words", "hour_words", "fillers", "ambiguous_phrases"):
            found += [(key, s) for s in getattr(self, key)]
        return found
