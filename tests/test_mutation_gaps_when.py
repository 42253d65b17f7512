"""Scheduling phrasings the mutation run (docs/benchmarks.md, "Mutation testing") found unchecked.

A coordinator who types a date with a two-digit year ("10/12/26") gets that day of 2026, not a
refusal; a day of the month typed with three digits ("tgl 010") is refused, not read as the 10th.
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
