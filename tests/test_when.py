"""bot.broadcast.when: the broadcast time parser, table-driven, and content/calendar.yaml.

Every expected moment was worked out by hand from the calendar, never by running the parser:
2026-12-03 is a Thursday, so 12-04 is Friday, 12-05 Saturday, 12-06 Sunday, 12-07 Monday, 12-10 the next
Thursday, 12-11 Friday, 12-13 Sunday and 12-14 Monday; 2027-01-05 is a Tuesday and 2027-12-01 a
Wednesday. WIB is UTC+7, WITA UTC+8, WIT UTC+9 (no daylight saving), so 2026-12-03 23:30 WIB is already
2026-12-04 00:30 WITA and 01:30 WIT.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from bot.broadcast.when import Refused, Understood, describe, parse_when, zones
from bot.content.calendar import CalendarWords
from bot.regions.zones import Zone

CALENDAR_YAML = Path(__file__).resolve().parent.parent / "content" / "calendar.yaml"
TIME_ZONES_YAML = CALENDAR_YAML.parent / "time_zones.yaml"

WIB = Zone("WIB", "Asia/Jakarta")
WITA = Zone("WITA", "Asia/Makassar")
WIT = Zone("WIT", "Asia/Jayapura")
ZONE_OF_OFFSET = {"+07:00": WIB, "+08:00": WITA, "+09:00": WIT}

THU = datetime.fromisoformat("2026-12-03T10:00:00+07:00")  # Thursday morning in WIB
LATE = datetime.fromisoformat("2026-12-03T23:30:00+07:00")  # Thursday night in WIB, Friday in WITA and WIT
LATE_UTC = datetime(2026, 12, 3, 16, 30, tzinfo=UTC)  # the same instant as LATE
LATE_IN_WIT = datetime.fromisoformat("2026-12-04T01:30:00+09:00")  # the same instant again
MON_8 = datetime.fromisoformat("2026-12-07T08:00:00+07:00")  # Monday 08.00 WIB
MON_NOON = datetime.fromisoformat("2026-12-07T12:00:00+07:00")  # Monday 12.00 WIB


def row(text: str, now: datetime, zone: Zone, expected: str) -> Any:
    return pytest.param(text, now, zone, expected, id=f"{text!r}@{now.isoformat()}/{zone.name}")


CASES = [
    # --- the phrasings coordinators type, on Thursday 3 December 10.00 WIB ---
    row("besok jam 8 pagi", THU, WIB, "2026-12-04T08:00:00+07:00"),
    row("besok jam 8", THU, WIB, "2026-12-04T08:00:00+07:00"),
    row("lusa 14.00", THU, WIB, "2026-12-05T14:00:00+07:00"),
    row("lusa jam 2 siang", THU, WIB, "2026-12-05T14:00:00+07:00"),
    row("hari ini jam 16.30", THU, WIB, "2026-12-03T16:30:00+07:00"),
    row("hr ini jam 16.30", THU, WIB, "2026-12-03T16:30:00+07:00"),
    row("nanti jam 3 sore", THU, WIB, "2026-12-03T15:00:00+07:00"),
    row("senin jam 9", THU, WIB, "2026-12-07T09:00:00+07:00"),
    row("hari senin jam 9", THU, WIB, "2026-12-07T09:00:00+07:00"),
    row("senin depan jam 9", THU, WIB, "2026-12-07T09:00:00+07:00"),  # the Monday of next week
    row("kamis depan jam 9", THU, WIB, "2026-12-10T09:00:00+07:00"),
    row("kamis jam 9", THU, WIB, "2026-12-10T09:00:00+07:00"),  # today's 09.00 is gone
    row("kamis jam 11", THU, WIB, "2026-12-03T11:00:00+07:00"),  # today, still ahead
    row("jumat 07:30", THU, WIB, "2026-12-04T07:30:00+07:00"),
    row("Jum'at jam 07.30", THU, WIB, "2026-12-04T07:30:00+07:00"),
    row("jumat depan 07:30", THU, WIB, "2026-12-11T07:30:00+07:00"),
    row("ahad depan jam 10", THU, WIB, "2026-12-13T10:00:00+07:00"),
    row("sab jam 10", THU, WIB, "2026-12-05T10:00:00+07:00"),
    row("tgl 5 jam 08.00", THU, WIB, "2026-12-05T08:00:00+07:00"),
    row("tanggal 5 jam 8 pagi", THU, WIB, "2026-12-05T08:00:00+07:00"),
    row("tgl 2 jam 08.00", THU, WIB, "2027-01-02T08:00:00+07:00"),  # the 2nd of December is gone
    row("tgl 31 jam 9", THU, WIB, "2026-12-31T09:00:00+07:00"),
    row("5 Des 09:00", THU, WIB, "2026-12-05T09:00:00+07:00"),
    row("1 Des 09:00", THU, WIB, "2027-12-01T09:00:00+07:00"),  # 1 December 2026 is gone
    row("1 Desember 2027 09.00", THU, WIB, "2027-12-01T09:00:00+07:00"),
    row("1/12 08:00", THU, WIB, "2027-12-01T08:00:00+07:00"),
    row("10/12 08:00", THU, WIB, "2026-12-10T08:00:00+07:00"),
    row("10-12-2026 08:00", THU, WIB, "2026-12-10T08:00:00+07:00"),
    row("2026-12-10 08:00", THU, WIB, "2026-12-10T08:00:00+07:00"),
    row("2026-12-10T08:00", THU, WIB, "2026-12-10T08:00:00+07:00"),
    row("jam 8 malam", THU, WIB, "2026-12-03T20:00:00+07:00"),
    row("pukul 19.00", THU, WIB, "2026-12-03T19:00:00+07:00"),
    row("pkl 19.00", THU, WIB, "2026-12-03T19:00:00+07:00"),
    row("jam 7 pagi besok", THU, WIB, "2026-12-04T07:00:00+07:00"),
    row("  BESOK   Jam 8 Pagi!! ", THU, WIB, "2026-12-04T08:00:00+07:00"),
    row("besok, jam 8.", THU, WIB, "2026-12-04T08:00:00+07:00"),
    row("tomorrow 8am", THU, WIB, "2026-12-04T08:00:00+07:00"),
    row("tomorrow 08:00", THU, WIB, "2026-12-04T08:00:00+07:00"),
    row("tomorrow 8pm", THU, WIB, "2026-12-04T20:00:00+07:00"),
    row("senin 7 des jam 9", THU, WIB, "2026-12-07T09:00:00+07:00"),  # the day name agrees with the date
    # --- day parts and bare hours ---
    row("besok jam 1 siang", THU, WIB, "2026-12-04T13:00:00+07:00"),
    row("besok jam 11 siang", THU, WIB, "2026-12-04T11:00:00+07:00"),
    row("besok jam 12 siang", THU, WIB, "2026-12-04T12:00:00+07:00"),
    row("besok jam 6 sore", THU, WIB, "2026-12-04T18:00:00+07:00"),
    row("besok jam 11 malam", THU, WIB, "2026-12-04T23:00:00+07:00"),
    row("besok jam 2.30 siang", THU, WIB, "2026-12-04T14:30:00+07:00"),
    row("besok jam 14 siang", THU, WIB, "2026-12-04T14:00:00+07:00"),
    row("besok jam 3 pagi", THU, WIB, "2026-12-04T03:00:00+07:00"),
    row("besok jam 3.00", THU, WIB, "2026-12-04T03:00:00+07:00"),  # HH.MM is never ambiguous
    row("besok jam 15", THU, WIB, "2026-12-04T15:00:00+07:00"),
    row("besok jam 12", THU, WIB, "2026-12-04T12:00:00+07:00"),
    row("besok jam 7", THU, WIB, "2026-12-04T07:00:00+07:00"),
    # --- the zone in the text wins over the coordinator's ---
    row("besok 08.00 WITA", THU, WIB, "2026-12-04T08:00:00+08:00"),
    row("besok 08.00 wit", THU, WIB, "2026-12-04T08:00:00+09:00"),
    row("besok 08.00 wib", THU, WITA, "2026-12-04T08:00:00+07:00"),
    row("besok jam 8", THU, WIT, "2026-12-04T08:00:00+09:00"),
    # --- zone boundaries: 23.30 WIB is already Friday in WITA and WIT ---
    row("besok jam 8", LATE, WIB, "2026-12-04T08:00:00+07:00"),
    row("besok jam 8", LATE, WITA, "2026-12-05T08:00:00+08:00"),
    row("besok jam 8", LATE, WIT, "2026-12-05T08:00:00+09:00"),
    row("besok jam 8 WITA", LATE, WIB, "2026-12-05T08:00:00+08:00"),  # "today" taken in the zone typed
    row("besok jam 8 wib", LATE, WIT, "2026-12-04T08:00:00+07:00"),
    row("besok jam 8", LATE_UTC, WITA, "2026-12-05T08:00:00+08:00"),  # now in UTC, still Friday in WITA
    row("besok jam 8", LATE_IN_WIT, WIB, "2026-12-04T08:00:00+07:00"),  # now in WIT, still Thursday in WIB
    row("hari ini jam 9", LATE, WITA, "2026-12-04T09:00:00+08:00"),
    row("hari ini jam 9", LATE, WIB, "past"),
    row("kamis jam 23.45", LATE, WIB, "2026-12-03T23:45:00+07:00"),  # still Thursday in WIB
    row("kamis jam 23.45", LATE, WITA, "2026-12-10T23:45:00+08:00"),  # already Friday in WITA
    row("jam 23.45", LATE, WIB, "2026-12-03T23:45:00+07:00"),
    row("jam 23.45", LATE, WIT, "2026-12-04T23:45:00+09:00"),
    # --- a day name typed on that day, before and after the time ---
    row("senin jam 9", MON_8, WIB, "2026-12-07T09:00:00+07:00"),
    row("senin jam 9", MON_NOON, WIB, "2026-12-14T09:00:00+07:00"),
    row("senin 08.00", MON_8, WIB, "2026-12-14T08:00:00+07:00"),  # exactly now is not ahead
    row("senin depan jam 9", MON_8, WIB, "2026-12-14T09:00:00+07:00"),
    row("hari ini jam 08.01", MON_8, WIB, "2026-12-07T08:01:00+07:00"),
    row("hari ini jam 08.00", MON_8, WIB, "past"),
    # --- dates without a year: this year, else next year ---
    row("5 Jan 08.00", THU, WIB, "2027-01-05T08:00:00+07:00"),
    row("tgl 5 jan jam 8", THU, WIB, "2027-01-05T08:00:00+07:00"),
    row("5/1 08.00", THU, WIB, "2027-01-05T08:00:00+07:00"),
    row("5 Januari 2027 jam 8", THU, WIB, "2027-01-05T08:00:00+07:00"),
    row("3 Des 11.00", THU, WIB, "2026-12-03T11:00:00+07:00"),
    row("3 Des 09.00", THU, WIB, "past"),  # today's date, time gone: refused, not moved a year on
    row("tgl 3 jam 9", THU, WIB, "past"),
    # --- past and too far (366 days from Thursday 10.00 WIB ends on 2027-12-04 10.00 WIB) ---
    row("1 Desember 2026 09.00", THU, WIB, "past"),
    row("01-12-2026 08:00", THU, WIB, "past"),
    row("2026-12-01 08:00", THU, WIB, "past"),
    row("jam 9", THU, WIB, "past"),
    row("4 Des 2027 jam 10.00", THU, WIB, "2027-12-04T10:00:00+07:00"),  # exactly 366 days
    row("4 Des 2027 jam 10.01", THU, WIB, "too_far"),
    row("5 Des 2027 jam 9", THU, WIB, "too_far"),
    row("1 Jan 2028 08.00", THU, WIB, "too_far"),
    row("29 Feb 08.00", THU, WIB, "too_far"),  # the next 29 February is in 2028
    row("29/02/2028 08:00", THU, WIB, "too_far"),
    # --- ambiguous ---
    row("besok jam 3", THU, WIB, "ambiguous"),
    row("jam 6", THU, WIB, "ambiguous"),
    row("besok jam 1", THU, WIB, "ambiguous"),
    row("jam 12 malam", THU, WIB, "ambiguous"),
    row("minggu depan jam 9", THU, WIB, "ambiguous"),  # next Sunday, or just next week?
    row("senin 8 des jam 9", THU, WIB, "ambiguous"),  # 8 December is a Tuesday
    # --- no time ---
    row("besok", THU, WIB, "no_time"),
    row("senin depan", THU, WIB, "no_time"),
    row("5 Des", THU, WIB, "no_time"),
    row("besok pagi", THU, WIB, "no_time"),
    # --- unreadable, invalid dates and times ---
    row("31 Feb 08.00", THU, WIB, "unreadable"),
    row("31/4 08.00", THU, WIB, "unreadable"),
    row("29/02/2027 08.00", THU, WIB, "unreadable"),
    row("13/13 08:00", THU, WIB, "unreadable"),
    row("tgl 32 jam 8", THU, WIB, "unreadable"),
    row("besok 25:00", THU, WIB, "unreadable"),
    row("besok jam 24", THU, WIB, "unreadable"),
    row("besok jam 8.60", THU, WIB, "unreadable"),
    row("jam 9 sore", THU, WIB, "unreadable"),  # sore is 15.00-18.00
    row("", THU, WIB, "unreadable"),
    row("kapan saja", THU, WIB, "unreadable"),
    row("WITA", THU, WIB, "unreadable"),
    row("des jam 8", THU, WIB, "unreadable"),
    row("besok lusa jam 8", THU, WIB, "unreadable"),
    row("besok jam 8 jam 9", THU, WIB, "unreadable"),
    row("besok depan jam 8", THU, WIB, "unreadable"),
    row("besok 8", THU, WIB, "unreadable"),
]


@pytest.fixture(scope="module")
def words() -> CalendarWords:
    return CalendarWords.model_validate(yaml.safe_load(CALENDAR_YAML.read_text(encoding="utf-8")))


def test_the_table_is_large_enough() -> None:
    assert len(CASES) >= 45


@pytest.mark.parametrize(("text", "now", "zone", "expected"), CASES)
def test_parse_when(text: str, now: datetime, zone: Zone, expected: str, words: CalendarWords) -> None:
    result = parse_when(text, now, zone, words)
    if expected[0].isdigit():
        assert isinstance(result, Understood), result
        assert result.moment.isoformat() == expected
        assert result.zone == ZONE_OF_OFFSET[expected[-6:]]
        assert result.moment.tzinfo == result.zone.zoneinfo
    else:
        assert result == Refused(expected)  # type: ignore[arg-type]


def test_now_must_be_aware(words: CalendarWords) -> None:
    with pytest.raises(ValueError):
        parse_when("besok jam 8", datetime(2026, 12, 3, 10, 0), WIB, words)


def test_zones_come_from_the_words(words: CalendarWords) -> None:
    assert zones(words) == {"WIB": WIB, "WITA": WITA, "WIT": WIT}
    assert WITA.zoneinfo.key == "Asia/Makassar"


# --- describe ----------------------------------------------------------------------------------------


def test_describe_in_indonesian(words: CalendarWords) -> None:
    understood = Understood(datetime(2026, 12, 7, 8, 0, tzinfo=WITA.zoneinfo), WITA)
    assert describe(understood, words) == "Senin, 7 Desember 2026 pukul 08.00 WITA"


def test_describe_pads_minutes_with_a_dot(words: CalendarWords) -> None:
    understood = Understood(datetime(2027, 1, 5, 9, 5, tzinfo=WIB.zoneinfo), WIB)
    assert describe(understood, words) == "Selasa, 5 Januari 2027 pukul 09.05 WIB"


def test_describe_shows_the_moment_in_its_zone(words: CalendarWords) -> None:
    # 16.30 UTC on Thursday is 01.30 on Friday in WIT
    understood = Understood(datetime(2026, 12, 3, 16, 30, tzinfo=UTC), WIT)
    assert describe(understood, words) == "Jumat, 4 Desember 2026 pukul 01.30 WIT"


def test_describe_what_was_parsed(words: CalendarWords) -> None:
    result = parse_when("minggu jam 19.15 wit", THU, WIB, words)
    assert isinstance(result, Understood)
    assert describe(result, words) == "Minggu, 6 Desember 2026 pukul 19.15 WIT"


def test_describe_takes_every_word_from_the_calendar(words: CalendarWords) -> None:
    days = [day.model_copy(update={"display": f"day{i}"}) for i, day in enumerate(words.weekdays)]
    months = [month.model_copy(update={"display": f"month{i}"}) for i, month in enumerate(words.months, 1)]
    changed = words.model_copy(
        update={
            "weekdays": days,
            "months": months,
            "description": "{weekday} {day} {month} {year}, {hour}:{minute} {zone}",
        }
    )
    understood = Understood(datetime(2026, 12, 7, 8, 0, tzinfo=WITA.zoneinfo), WITA)
    assert describe(understood, changed) == "day0 7 month12 2026, 08:00 WITA"


# --- content/calendar.yaml ---------------------------------------------------------------------------


def _raw() -> dict[str, Any]:
    raw: dict[str, Any] = yaml.safe_load(CALENDAR_YAML.read_text(encoding="utf-8"))
    return raw


def test_calendar_yaml_loads(words: CalendarWords) -> None:
    assert [day.display for day in words.weekdays][:2] == ["Senin", "Selasa"]
    assert words.months[11].display == "Desember"
    assert CALENDAR_YAML.read_text(encoding="utf-8").startswith("# ")


def test_calendar_zones_match_time_zones_yaml(words: CalendarWords) -> None:
    time_zones = yaml.safe_load(TIME_ZONES_YAML.read_text(encoding="utf-8"))
    assert {zone["name"]: zone["tz"] for zone in time_zones["zones"]} == {zone.name: zone.tz for zone in words.zones}


def test_calendar_words_are_frozen(words: CalendarWords) -> None:
    with pytest.raises(ValidationError):
        words.next_words = ["next"]


def test_calendar_refuses_unknown_keys() -> None:
    with pytest.raises(ValidationError):
        CalendarWords.model_validate({**_raw(), "holidays": []})


def test_calendar_refuses_a_spelling_listed_twice() -> None:
    raw = _raw()
    raw["fillers"] = [*raw["fillers"], "Besok"]
    with pytest.raises(ValidationError, match="listed twice"):
        CalendarWords.model_validate(raw)


def test_calendar_refuses_unknown_template_fields() -> None:
    with pytest.raises(ValidationError, match="unknown fields"):
        CalendarWords.model_validate({**_raw(), "description": "{weekday} {hari}"})


def test_calendar_needs_seven_days() -> None:
    raw = _raw()
    with pytest.raises(ValidationError):
        CalendarWords.model_validate({**raw, "weekdays": raw["weekdays"][:6]})
