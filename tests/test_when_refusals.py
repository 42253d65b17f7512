"""Malformed scheduling phrasings the mutation run (docs/benchmarks.md, "Mutation testing") found
unchecked: a coordinator who types a three-digit hour or day gets a refusal, not a broadcast at a
guessed time, and the refusal says *why* (the reason the bot explains to the coordinator), not just
that it refused. A date word followed by a full date still lets a time follow it, and a date with a
two-digit year ("10/12/26") is that day of 2026.

Thursday 3 December 2026, 10.00 WIB, as in tests/test_when.py.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import yaml

from bot.broadcast.when import Refused, Understood, parse_when
from bot.content.calendar import CalendarWords
from bot.regions.zones import Zone

CALENDAR_YAML = Path(__file__).resolve().parent.parent / "content" / "calendar.yaml"
WIB = Zone("WIB", "Asia/Jakarta")
THU = datetime.fromisoformat("2026-12-03T10:00:00+07:00")  # Thursday morning in WIB


@pytest.fixture(scope="module")
def words() -> CalendarWords:
    return CalendarWords.model_validate(yaml.safe_load(CALENDAR_YAML.read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # a clock time has at most two digits before its minutes
        ("besok jam 008.00", "unreadable"),
        ("besok 008:30", "unreadable"),
        ("besok 123.00", "unreadable"),
        # a D/M/Y date has at most two digits in its day and month
        ("010/12/2026 08:00", "unreadable"),
        ("10/012/2026 08:00", "unreadable"),
        ("010-12-26 jam 8", "unreadable"),
        # … and a year of two or four digits
        ("10/12/026 08:00", "unreadable"),
        # numbers that are neither a clock time nor a date
        ("1.2.3 jam 8", "unreadable"),
        ("12/2026 jam 8", "unreadable"),
        ("besok 08.5", "unreadable"),
        # two days (a relative day and a date) cannot both be meant
        ("besok tgl 5 jam 8", "unreadable"),
        ("besok 5/12 jam 8", "unreadable"),
        # the other reasons, each with the phrasing that should give it
        ("besok", "no_time"),
        ("tgl 1/12/2026 jam 9", "past"),
        ("besok jam 3", "ambiguous"),
        ("1/12/2028 jam 9", "too_far"),
    ],
)
def test_a_malformed_time_is_refused_with_its_reason(text: str, reason: str, words: CalendarWords) -> None:
    assert parse_when(text, THU, WIB, words) == Refused(reason)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the well-formed neighbours of the refusals above are read
        ("besok jam 08.00", "2026-12-04T08:00:00+07:00"),
        ("10/12/2026 08:00", "2026-12-10T08:00:00+07:00"),
        # a date word, a full date, then the time
        ("tgl 10/12 jam 8", "2026-12-10T08:00:00+07:00"),
        ("tanggal 10/12/2026 08.30", "2026-12-10T08:30:00+07:00"),
    ],
)
def test_the_well_formed_neighbours_are_read(text: str, expected: str, words: CalendarWords) -> None:
    result = parse_when(text, THU, WIB, words)
    assert isinstance(result, Understood), result
    assert result.moment.isoformat() == expected


# A two-digit year is this century; a three-digit day of the month is refused.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10/12/26 08:00", "2026-12-10T08:00:00+07:00"),
        ("10-12-26 jam 8", "2026-12-10T08:00:00+07:00"),
        ("5.1.27 jam 9", "2027-01-05T09:00:00+07:00"),
    ],
)
def test_a_two_digit_year_is_this_century(text: str, expected: str, words: CalendarWords) -> None:
    result = parse_when(text, THU, WIB, words)
    assert isinstance(result, Understood), result
    assert result.moment.isoformat() == expected


@pytest.mark.parametrize("text", ["tgl 010 jam 8", "tanggal 005 jam 9"])
def test_a_day_of_the_month_has_at_most_two_digits(text: str, words: CalendarWords) -> None:
    assert parse_when(text, THU, WIB, words) == Refused("unreadable")
