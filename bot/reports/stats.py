"""Usage statistics: questions per day by status, top entries, 👍/👎, companions (pure)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.reports.records import REPORT_TZ, STATUSES, Companion, QuestionOutcome, Status, Vote, local_day

TOP_ENTRIES = 10
TOP_REGIONS = 10


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

    def total(self, status: Status | None = None) -> int:
        return sum(day.total if status is None else day.of(status) for day in self.days)

    @property
    def votes(self) -> int:
        return self.thumbs_up + self.thumbs_down

    @property
    def up_ratio(self) -> float | None:
        """Share of 👍 among all votes (0..1); None without votes."""
        return self.thumbs_up / self.votes if self.votes else None


OTHER_REGIONS = "…"  # the by_region label for everything beyond the top regions


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
) -> Stats:
    """Statistics from ``since`` (or the first question) to ``today``, days in ``tz``.

    The rows are expected to be filtered by ``since`` already; companions are everyone registered.
    """
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
    )


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
        shown = sorted(forms.items(), key=lambda item: (-item[1], item[0]))[0][0]
        counts[shown] = sum(forms.values())
    if unset:
        counts[None] = unset
    return counts
