"""Reading the moment a coordinator types when scheduling a broadcast, in WIB, WITA or WIT (pure).

Every word comes from :class:`~bot.content.calendar.CalendarWords` (``content/calendar.yaml``); this
module only knows the shape of the phrases. The text is lower-cased and cut into tokens: numbers
with their separators (``08.00``, ``1/12``, ``2026-12-01``) and words (``jum'at``); other punctuation
is dropped, and the ``T`` of ``2026-12-01T08:00`` separates the date from the time. Words are looked up
longest phrase first ("hari ini" before "hari"). The parts may come in any order, each at most once:

    day   := RELATIVE                    besok, lusa, hari ini, nanti, tomorrow
           | WEEKDAY [NEXT]              senin, jumat, senin depan (NEXT may also stand before it)
           | DATE-WORD N [MONTH [YYYY]]  tgl 5, tanggal 5 des, tgl 5 desember 2026
           | [DATE-WORD] D/M | D-M-Y | D.M.Y | Y-M-D     1/12, 01-12-2026, 2026-12-01
           | N MONTH [YYYY]              5 Des, 1 Desember 2026
    time  := HOUR-WORD N | HOUR-WORD H.MM | H.MM | H:MM | N DAY-PART
           plus at most one DAY-PART anywhere          jam 8 pagi, pagi jam 8, jam 7 pagi besok, 8am
    zone  := ZONE                        WIB, WITA, WIT (wins over the coordinator's zone)
    FILLER words are skipped anywhere    hari senin, pada jam 8

Meaning, in the zone of the moment (the zone in the text, else the coordinator's; "today" is the date
there, whatever zone ``now`` is in):

* a day part turns the typed hour into a 24-hour hour by its table ("jam 2 siang" → 14.00); a typed
  hour already on the 24-hour clock is kept ("jam 14 siang"); the table's ambiguous hours ("jam 12
  malam") are refused as ``ambiguous`` and any other hour as ``unreadable``;
* without a day part or minutes, the ``ambiguous_bare_hours`` (1 to 6: "jam 3" is 03.00 or 15.00) are
  refused as ``ambiguous``; other hours are read on the 24-hour clock ("jam 8" is 08.00);
* a day name is its next occurrence, today only while the time is still ahead; with NEXT it is that
  day of next week, weeks starting on Monday; a day name next to a date must agree with it, or the
  text is ``ambiguous``;
* a date without a year is its next occurrence from today (today included), a day of the month
  without a month the next such day; a moment that is then at or before ``now`` is ``past``, so
  today's date with a time already gone is refused rather than moved a year on;
* a time without a day is today; a day without a time is ``no_time``;
* a moment at or before ``now`` is ``past``, one more than 366 days ahead ``too_far``; anything else
  that does not fit (an unknown word, 31 Feb, 25:00, two days or two times) is ``unreadable``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from bot.content.calendar import CalendarWords
from bot.regions.zones import Zone

Reason = Literal["unreadable", "past", "ambiguous", "no_time", "too_far"]
MAX_AHEAD = timedelta(days=366)
# Years searched for the next occurrence of a date typed without one (29 February needs up to four).
_YEARS_SEARCHED = 5

_TOKEN = re.compile(r"\d+(?:[./:-]\d+)*|[^\W\d_]+(?:'[^\W\d_]+)*")
_ISO_T = re.compile(r"(\d)t(\d)")
_SEPARATOR = re.compile(r"[./:-]")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})

Kind = Literal[
    "number",
    "clock",
    "date",
    "weekday",
    "month",
    "relative",
    "next",
    "date_word",
    "hour_word",
    "filler",
    "day_part",
    "zone",
    "ambiguous",
]


@dataclass(frozen=True)
class Understood:
    """A moment read from the text: aware, in ``zone`` (the coordinator's, or the one named in the text)."""

    moment: datetime
    zone: Zone


@dataclass(frozen=True)
class Refused:
    reason: Reason


class _Refusal(Exception):
    def __init__(self, reason: Reason) -> None:
        super().__init__(reason)
        self.reason: Reason = reason


@dataclass(frozen=True)
class _Tok:
    """A classified token: ``value`` is the number, or the index of the word's entry (weekday 0 is Monday,
    month 1 is January, the day part's or zone's position); ``fields`` is a clock's (hour, minute) or a
    date's (year or None, month, day)."""

    kind: Kind
    value: int = 0
    width: int = 0
    fields: tuple[int | None, ...] = ()


@dataclass
class _Reading:
    """The parts found in the text, before they are given a meaning."""

    relative: int | None = None
    weekday: int | None = None
    next_week: bool | None = None
    date: tuple[int | None, ...] | None = None  # (year or None, month or None, day)
    hour: int | None = None
    minute: int | None = None
    day_part: int | None = None
    zone: int | None = None

    def put(self, name: str, value: object) -> None:
        """Set a part; a part given twice makes the text unreadable."""
        if getattr(self, name) is not None:
            raise _Refusal("unreadable")
        setattr(self, name, value)

    def put_clock(self, hour: int, minute: int | None) -> None:
        self.put("hour", hour)
        self.minute = minute

    def has_day(self) -> bool:
        return self.relative is not None or self.weekday is not None or self.date is not None


# --- public API ------------------------------------------------------------------------------------


def parse_when(text: str, now: datetime, zone: Zone, words: CalendarWords) -> Understood | Refused:
    """Read ``text`` as a moment after ``now`` (aware, any zone); ``zone`` is the coordinator's zone."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    try:
        tokens = _classify(_tokens(text), _lexicon(words))
        return _understand(_read(tokens), now, zone, words)
    except _Refusal as refusal:
        return Refused(refusal.reason)


def describe(understood: Understood, words: CalendarWords) -> str:
    """The moment in words for confirmation, by the template in ``words`` (e.g. "Senin, 7 Desember 2026
    pukul 08.00 WITA")."""
    moment = understood.moment.astimezone(understood.zone.zoneinfo)
    return words.description.format(
        weekday=words.weekdays[moment.weekday()].display,
        day=moment.day,
        month=words.months[moment.month - 1].display,
        year=moment.year,
        hour=f"{moment.hour:02d}",
        minute=f"{moment.minute:02d}",
        zone=understood.zone.name,
    )


def zones(words: CalendarWords) -> dict[str, Zone]:
    """The zones ``words`` knows, by name ("WITA" → Zone("WITA", "Asia/Makassar"))."""
    return {entry.name: Zone(entry.name, entry.tz) for entry in words.zones}


# --- tokens ----------------------------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    lowered = _ISO_T.sub(r"\1 \2", text.lower().translate(_APOSTROPHES))
    return _TOKEN.findall(lowered)


def _lexicon(words: CalendarWords) -> dict[tuple[str, ...], _Tok]:
    """Every spelling in ``words`` as its token sequence, with what it means."""
    entries: list[tuple[list[str], _Tok]] = []
    entries += [(day.spellings, _Tok("weekday", i)) for i, day in enumerate(words.weekdays)]
    entries += [(month.spellings, _Tok("month", i)) for i, month in enumerate(words.months, start=1)]
    entries += [(rel.spellings, _Tok("relative", rel.offset)) for rel in words.relative_days]
    entries += [(part.spellings, _Tok("day_part", i)) for i, part in enumerate(words.day_parts)]
    entries += [(zone.spellings, _Tok("zone", i)) for i, zone in enumerate(words.zones)]
    entries += [
        (words.next_words, _Tok("next")),
        (words.date_words, _Tok("date_word")),
        (words.hour_words, _Tok("hour_word")),
        (words.fillers, _Tok("filler")),
        (words.ambiguous_phrases, _Tok("ambiguous")),
    ]
    return {tuple(_tokens(spelling)): tok for spellings, tok in entries for spelling in spellings}


def _classify(tokens: list[str], lexicon: dict[tuple[str, ...], _Tok]) -> list[_Tok]:
    longest = max(len(key) for key in lexicon)
    found: list[_Tok] = []
    i = 0
    while i < len(tokens):
        if tokens[i][0].isdigit():
            found.append(_number(tokens[i]))
            i += 1
            continue
        for size in range(min(longest, len(tokens) - i), 0, -1):
            tok = lexicon.get(tuple(tokens[i : i + size]))
            if tok is not None:
                found.append(tok)
                i += size
                break
        else:
            raise _Refusal("unreadable")
    return found


def _number(text: str) -> _Tok:
    """A bare number, a clock time (8.30, 08:00) or a date (1/12, 01-12-2026, 2026-12-01, 1.12.2026)."""
    if text.isdigit():
        return _Tok("number", int(text), len(text))
    separators = set(_SEPARATOR.findall(text))
    parts = _SEPARATOR.split(text)
    widths = [len(part) for part in parts]
    numbers = [int(part) for part in parts]
    if len(separators) != 1:
        raise _Refusal("unreadable")
    separator = separators.pop()
    if len(parts) == 2 and separator in ".:" and widths[0] <= 2 and widths[1] == 2:
        return _Tok("clock", fields=(numbers[0], numbers[1]))
    if len(parts) == 2 and separator in "/-" and max(widths) <= 2:
        return _Tok("date", fields=(None, numbers[1], numbers[0]))
    if len(parts) == 3 and separator in "/-." and widths[0] == 4 and max(widths[1:]) <= 2:
        return _Tok("date", fields=(numbers[0], numbers[1], numbers[2]))
    if len(parts) == 3 and separator in "/-." and max(widths[:2]) <= 2 and widths[2] in (2, 4):
        year = numbers[2] + 2000 if widths[2] == 2 else numbers[2]
        return _Tok("date", fields=(year, numbers[1], numbers[0]))
    raise _Refusal("unreadable")


# --- reading the parts -----------------------------------------------------------------------------


def _read(tokens: list[_Tok]) -> _Reading:
    reading = _Reading()
    i = 0
    while i < len(tokens):
        i = _read_at(tokens, i, reading)
    return reading


def _read_at(tokens: list[_Tok], i: int, reading: _Reading) -> int:
    """Read the part starting at ``tokens[i]``; return the index after it."""
    tok = tokens[i]
    match tok.kind:
        case "hour_word":
            return _read_hour(tokens, i + 1, reading)
        case "date_word":
            return _read_day_of_month(tokens, i + 1, reading)
        case "number":
            return _read_number(tokens, i, reading)
        case "clock":
            reading.put_clock(tok.fields[0] or 0, tok.fields[1])
        case "date":
            reading.put("date", tok.fields)
        case "relative" | "weekday" | "day_part" | "zone":
            reading.put(tok.kind, tok.value)
        case "next":
            reading.put("next_week", True)
        case "ambiguous":
            raise _Refusal("ambiguous")
        case "filler":
            pass
        case _:  # a month without a day
            raise _Refusal("unreadable")
    return i + 1


def _at(tokens: list[_Tok], i: int) -> _Tok | None:
    return tokens[i] if i < len(tokens) else None


def _read_hour(tokens: list[_Tok], i: int, reading: _Reading) -> int:
    """After an hour word: a bare hour ("jam 8") or a clock time ("jam 08.30")."""
    tok = _at(tokens, i)
    if tok is not None and tok.kind == "clock":
        reading.put_clock(tok.fields[0] or 0, tok.fields[1])
    elif tok is not None and tok.kind == "number" and tok.width <= 2:
        reading.put_clock(tok.value, None)
    else:
        raise _Refusal("unreadable")
    return i + 1


def _read_day_of_month(tokens: list[_Tok], i: int, reading: _Reading) -> int:
    """After a date word: a date ("tgl 1/12"), a day and month ("tgl 5 des"), or a day alone ("tgl 5")."""
    tok = _at(tokens, i)
    following = _at(tokens, i + 1)
    if tok is not None and tok.kind == "date":
        reading.put("date", tok.fields)
        return i + 1
    if tok is None or tok.kind != "number" or tok.width > 2:
        raise _Refusal("unreadable")
    if following is not None and following.kind == "month":
        return _read_day_month(tokens, i, reading)
    reading.put("date", (None, None, tok.value))
    return i + 1


def _read_number(tokens: list[_Tok], i: int, reading: _Reading) -> int:
    """A number without a word before it: a day before a month ("5 des") or an hour before a day part."""
    following = _at(tokens, i + 1)
    if tokens[i].width <= 2 and following is not None and following.kind == "month":
        return _read_day_month(tokens, i, reading)
    if tokens[i].width <= 2 and following is not None and following.kind == "day_part":
        reading.put_clock(tokens[i].value, None)
        return i + 1
    raise _Refusal("unreadable")


def _read_day_month(tokens: list[_Tok], i: int, reading: _Reading) -> int:
    """A day, a month and perhaps a four-digit year: "5 des", "1 desember 2026"."""
    day, month = tokens[i].value, tokens[i + 1].value
    year = _at(tokens, i + 2)
    if year is not None and year.kind == "number" and year.width == 4:
        reading.put("date", (year.value, month, day))
        return i + 3
    reading.put("date", (None, month, day))
    return i + 2


# --- meaning ---------------------------------------------------------------------------------------


def _understand(reading: _Reading, now: datetime, default: Zone, words: CalendarWords) -> Understood:
    if not reading.has_day() and reading.hour is None:
        raise _Refusal("unreadable")
    if reading.next_week and (reading.weekday is None or reading.relative is not None or reading.date is not None):
        raise _Refusal("unreadable")
    if reading.relative is not None and reading.date is not None:
        raise _Refusal("unreadable")
    _check_date_exists(reading.date)
    clock = _clock(reading, words)
    if clock is None:
        raise _Refusal("no_time")
    zone = _zone(reading, default, words)
    today = now.astimezone(zone.zoneinfo).date()
    moment = datetime.combine(_day(reading, today, clock, now, zone), clock, tzinfo=zone.zoneinfo)
    if moment <= now:
        raise _Refusal("past")
    if moment - now > MAX_AHEAD:
        raise _Refusal("too_far")
    return Understood(moment, zone)


def _valid_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _check_date_exists(typed: tuple[int | None, ...] | None) -> None:
    """31 February, month 13 or day 32 is unreadable (29 February without a year exists)."""
    if typed is None:
        return
    year, month, day = typed
    # Without a month any day 1..31 may exist; without a year, 2000 (a leap year) stands in.
    exists = 1 <= (day or 0) <= 31 if month is None else _valid_date(year or 2000, month, day or 0) is not None
    if not exists:
        raise _Refusal("unreadable")


def _clock(reading: _Reading, words: CalendarWords) -> time | None:
    """The time of day, or None when the text gives no hour."""
    if reading.hour is None:
        return None
    hour, minute = reading.hour, reading.minute
    if reading.day_part is not None:
        hour = _hour_in_part(hour, words.day_parts[reading.day_part].hours, words.day_parts[reading.day_part].ambiguous)
    elif minute is None and hour in words.ambiguous_bare_hours:
        raise _Refusal("ambiguous")
    if not (0 <= hour <= 23 and 0 <= (minute or 0) <= 59):
        raise _Refusal("unreadable")
    return time(hour, minute or 0)


def _hour_in_part(hour: int, table: dict[int, int], ambiguous: list[int]) -> int:
    if hour in ambiguous:
        raise _Refusal("ambiguous")
    if hour in table:
        return table[hour]
    if hour in table.values():
        return hour
    raise _Refusal("unreadable")


def _zone(reading: _Reading, default: Zone, words: CalendarWords) -> Zone:
    if reading.zone is None:
        return default
    entry = words.zones[reading.zone]
    return Zone(entry.name, entry.tz)


def _day(reading: _Reading, today: date, clock: time, now: datetime, zone: Zone) -> date:
    if reading.relative is not None:
        day = today + timedelta(days=reading.relative)
    elif reading.date is not None:
        day = _next_date(reading.date, today)
    elif reading.weekday is not None:
        return _next_weekday(reading.weekday, bool(reading.next_week), today, clock, now, zone)
    else:
        return today
    if reading.weekday is not None and day.weekday() != reading.weekday:
        raise _Refusal("ambiguous")
    return day


def _next_weekday(weekday: int, next_week: bool, today: date, clock: time, now: datetime, zone: Zone) -> date:
    """The next such day (today while the time is ahead), or that day of next week (weeks start Monday)."""
    if next_week:
        return today + timedelta(days=7 - today.weekday() + weekday)
    day = today + timedelta(days=(weekday - today.weekday()) % 7)
    if day == today and datetime.combine(day, clock, tzinfo=zone.zoneinfo) <= now:
        day += timedelta(days=7)
    return day


def _next_date(typed: tuple[int | None, ...], today: date) -> date:
    """The typed date; without a year its next occurrence from today, without a month the next such day."""
    year, month, day = typed
    assert day is not None
    if year is not None and month is not None:
        candidates = [_valid_date(year, month, day)]
    elif month is not None:
        candidates = [_valid_date(today.year + k, month, day) for k in range(_YEARS_SEARCHED)]
    else:
        candidates = [_valid_date(y, m, day) for y, m in _months_from(today, 13)]
    for candidate in candidates:
        if candidate is not None and (year is not None or candidate >= today):
            return candidate
    raise _Refusal("too_far")


def _months_from(today: date, count: int) -> list[tuple[int, int]]:
    """(year, month) of this month and the ``count - 1`` months after it."""
    return [(today.year + (today.month - 1 + k) // 12, (today.month - 1 + k) % 12 + 1) for k in range(count)]
