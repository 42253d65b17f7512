"""Usage statistics: questions per day by status, top entries, 👍/👎, companions, and the same
per kabupaten/kota with broadcast reach (pure)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.reports.records import (
    REPORT_TZ,
    STATUSES,
    Companion,
    HandoffCounts,
    QuestionOutcome,
    Reach,
    Status,
    Vote,
    local_day,
)

TOP_ENTRIES = 10
TOP_REGIONS = 10
TOP_KABUPATEN = 10
OTHER_REGIONS = "…"  # the by_region label, and the by_kabupaten code, of everything beyond the top regions
NOT_ADDRESSED = frozenset({"cancelled"})  # delivery states that were never meant to go out after all

NO_HANDOFFS = HandoffCounts()  # frozen: one instance serves every default


@dataclass(frozen=True)
class DayCount:
    day: date
    answer: int = 0
    suggest: int = 0
    none: int = 0

    @property
    def total(self) -> int:
        return self.answer + self.suggest + self.none

    def of(self, status: Status) -> int:
        return {"answer": self.answer, "suggest": self.suggest, "none": self.none}[status]


@dataclass(frozen=True)
class EntryCount:
    entry_id: str
    title: str  # the entry's main question, or its id when the entry is gone from the content
    count: int


@dataclass(frozen=True)
class RegionRow:
    """One kabupaten/kota: what its people asked, how many are registered, what reached them."""

    code: str | None  # "64.02"; None: no kabupaten/kota chosen; OTHER_REGIONS: the rest together
    name: str | None  # the official name (the code when unknown); None for the two rows above
    asked: int = 0
    answered: int = 0  # status 'answer'
    companions: int = 0
    sent: int = 0  # broadcast messages delivered
    addressed: int = 0  # broadcast messages meant for them (every recipient row but cancelled ones)
    regions: int = 1  # how many kabupaten/kota the row stands for (the "lainnya" row: several)

    @property
    def unset(self) -> bool:
        return self.code is None

    @property
    def other(self) -> bool:
        return self.code == OTHER_REGIONS

    @property
    def answered_share(self) -> float | None:
        """Share of questions answered (0..1); None without questions."""
        return self.answered / self.asked if self.asked else None


@dataclass(frozen=True)
class Stats:
    first_day: date
    last_day: date
    days: tuple[DayCount, ...]  # every day from first_day to last_day, zero days included
    top_entries: tuple[EntryCount, ...]  # answered most often
    thumbs_up: int
    thumbs_down: int
    companions: int
    by_role: tuple[tuple[str | None, int], ...]  # None: not filled in; most first
    by_region: tuple[tuple[str | None, int], ...]  # kabupaten/kota, top TOP_REGIONS, then the rest
    # per kabupaten/kota code, most questions first: the top ones, "lainnya", then "belum dipilih"
    by_kabupaten: tuple[RegionRow, ...] = ()
    urgent: int = 0  # questions that described a danger sign and got the immediate referral
    handoffs: HandoffCounts = NO_HANDOFFS  # questions handed to a person (bot.storage.handoffs)

    @property
    def has_regions(self) -> bool:
        """Whether anyone counted here has a kabupaten/kota code (the per-region section is worth showing)."""
        return any(not row.unset for row in self.by_kabupaten)

    def total(self, status: Status | None = None) -> int:
        return sum(day.total if status is None else day.of(status) for day in self.days)

    @property
    def votes(self) -> int:
        return self.thumbs_up + self.thumbs_down

    @property
    def up_ratio(self) -> float | None:
        """Share of 👍 among all votes (0..1); None without votes."""
        return self.thumbs_up / self.votes if self.votes else None


def build_stats(
    questions: Iterable[QuestionOutcome],
    votes: Iterable[Vote],
    companions: Iterable[Companion],
    *,
    today: date,
    since: date | None = None,
    titles: Mapping[str, str] | None = None,
    top: int = TOP_ENTRIES,
    top_regions: int = TOP_REGIONS,
    tz: ZoneInfo = REPORT_TZ,
    reach: Iterable[Reach] = (),
    names: Mapping[str, str] | None = None,
    top_kabupaten: int = TOP_KABUPATEN,
    handoffs: HandoffCounts = NO_HANDOFFS,
) -> Stats:
    """Statistics from ``since`` (or the first question) to ``today``, days in ``tz``.

    The rows are expected to be filtered by ``since`` already; companions are everyone registered.
    ``reach`` is the broadcast deliveries since then; ``names`` the official kabupaten/kota names by
    code (without one, the name stored with the people of that code, else the code itself).
    """
    questions = list(questions)
    per_day: dict[date, Counter[str]] = {}
    answered: Counter[str] = Counter()
    for question in questions:
        day = local_day(question.asked_at, tz)
        per_day.setdefault(day, Counter())[question.status] += 1
        if question.status == "answer" and question.entry_id:
            answered[question.entry_id] += 1
    first = since or min(per_day, default=today)
    last = max(today, max(per_day, default=today))
    first = min(first, last)
    days = tuple(
        DayCount(day, **{s: per_day.get(day, Counter())[s] for s in STATUSES})
        for day in (first + timedelta(days=n) for n in range((last - first).days + 1))
    )
    titles = titles or {}
    top_entries = tuple(
        EntryCount(entry_id, titles.get(entry_id, entry_id), count)
        for entry_id, count in sorted(answered.items(), key=lambda item: (-item[1], item[0]))[:top]
    )
    vote_counts = Counter(vote.value for vote in votes)
    people = list(companions)
    kabupaten = by_kabupaten(questions, people, reach, names=_names(people, names or {}), top=top_kabupaten)
    roles = Counter(person.role for person in people)
    regions = _regions(person.kabupaten for person in people)
    ranked_regions = sorted(regions.items(), key=_most_first)
    shown = ranked_regions[:top_regions]
    rest = sum(count for _, count in ranked_regions[top_regions:])
    return Stats(
        first_day=first,
        last_day=last,
        days=days,
        top_entries=top_entries,
        thumbs_up=vote_counts[1],
        thumbs_down=vote_counts[-1],
        companions=len(people),
        by_role=tuple(sorted(roles.items(), key=_most_first)),
        by_region=tuple(shown + ([(OTHER_REGIONS, rest)] if rest else [])),
        by_kabupaten=kabupaten,
        urgent=sum(1 for question in questions if question.urgent),
        handoffs=handoffs,
    )


def by_kabupaten(
    questions: Iterable[QuestionOutcome],
    people: Iterable[Companion],
    reach: Iterable[Reach],
    *,
    names: Mapping[str, str],
    top: int = TOP_KABUPATEN,
) -> tuple[RegionRow, ...]:
    """One row per kabupaten/kota code, most questions first (then most companions, then by name):
    at most ``top`` rows, one "lainnya" row for the rest, and one row for people without a code."""
    counts: dict[str | None, Counter[str]] = {}
    for question in questions:
        row = counts.setdefault(question.kabupaten_code, Counter())
        row["asked"] += 1
        row["answered"] += int(question.status == "answer")
    for person in people:
        counts.setdefault(person.kabupaten_code, Counter())["companions"] += 1
    for delivery in reach:
        row = counts.setdefault(delivery.kabupaten_code, Counter())
        row["addressed"] += int(delivery.state not in NOT_ADDRESSED)
        row["sent"] += int(delivery.state == "sent")
    ranked = sorted(
        (_row(code, names.get(code, code), numbers) for code, numbers in counts.items() if code is not None),
        key=lambda row: (-row.asked, -row.companions, row.name or "", row.code or ""),
    )
    rows = ranked[:top]
    if len(ranked) > top:
        rows.append(_together(OTHER_REGIONS, ranked[top:]))
    if None in counts:
        rows.append(_row(None, None, counts[None]))
    return tuple(rows)


def _row(code: str | None, name: str | None, numbers: Counter[str]) -> RegionRow:
    return RegionRow(
        code, name, numbers["asked"], numbers["answered"], numbers["companions"], numbers["sent"], numbers["addressed"]
    )


def _together(code: str, rows: list[RegionRow]) -> RegionRow:
    return RegionRow(
        code,
        None,
        asked=sum(row.asked for row in rows),
        answered=sum(row.answered for row in rows),
        companions=sum(row.companions for row in rows),
        sent=sum(row.sent for row in rows),
        addressed=sum(row.addressed for row in rows),
        regions=len(rows),
    )


def _names(people: Iterable[Companion], official: Mapping[str, str]) -> dict[str, str]:
    """``official`` names, completed by the kabupaten name most often stored with each code."""
    stored: dict[str, Counter[str]] = {}
    for person in people:
        if person.kabupaten_code and person.kabupaten and person.kabupaten.strip():
            stored.setdefault(person.kabupaten_code, Counter())[person.kabupaten.strip()] += 1
    return {code: _most_used(forms) for code, forms in stored.items()} | dict(official)


def _most_used(forms: Counter[str]) -> str:
    """The most frequent text (the first alphabetically among equals)."""
    return min(forms.items(), key=lambda item: (-item[1], item[0]))[0]


def _most_first(item: tuple[str | None, int]) -> tuple[int, int, str]:
    name, count = item
    return (-count, name is None, name or "")


def _regions(names: Iterable[str | None]) -> Counter[str | None]:
    """Counts per kabupaten/kota, letter case and spacing ignored, shown in the most used spelling."""
    spellings: dict[str, Counter[str]] = {}
    unset = 0
    for name in names:
        cleaned = " ".join((name or "").split())
        if not cleaned:
            unset += 1
            continue
        spellings.setdefault(cleaned.casefold(), Counter())[cleaned] += 1
    counts: Counter[str | None] = Counter()
    for forms in spellings.values():
        counts[_most_used(forms)] = sum(forms.values())
    if unset:
        counts[None] = unset
    return counts
