"""The rows a report is built from, as the storage layer hands them over (pure data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Literal
from zoneinfo import ZoneInfo

# Days are counted in Western Indonesian Time, where most companions work.
REPORT_TZ = ZoneInfo("Asia/Jakarta")
Status = Literal["answer", "suggest", "none"]
STATUSES: tuple[Status, ...] = ("answer", "suggest", "none")


@dataclass(frozen=True)
class AskedQuestion:
    """A question the bot did not answer (status ``none``), whose answer someone disliked (👎), or that
    was handed to a person."""

    text: str
    asked_at: datetime  # aware
    unanswered: bool
    disliked: bool
    entry_id: str | None = None  # the answer that got the 👎
    asker: str | None = None  # display name; only reported when names are asked for
    person_answer: int | None = None  # the handed-off item (bot.storage.handoffs) a person answered it in


@dataclass(frozen=True)
class QuestionOutcome:
    """One logged question: how it was answered, and when."""

    status: Status
    entry_id: str | None
    asked_at: datetime  # aware
    kabupaten_code: str | None = None  # the asker's kabupaten/kota ("64.02"); None: not chosen or unknown
    urgent: bool = False  # described a danger sign and got the immediate referral


@dataclass(frozen=True)
class Vote:
    entry_id: str
    value: int  # 1 (👍) or -1 (👎)


@dataclass(frozen=True)
class Companion:
    role: str | None
    kabupaten: str | None  # the official name once a region was chosen, else as typed long ago
    kabupaten_code: str | None = None  # "64.02"; None: no kabupaten/kota chosen


@dataclass(frozen=True)
class Reach:
    """One recipient of a broadcast: how the delivery stands, and where the recipient lives."""

    state: str  # deliveries.state: 'sent', 'pending', 'unreachable', 'opted_out', 'failed', 'cancelled', …
    kabupaten_code: str | None = None


def kabupaten_code(region_code: str | None) -> str | None:
    """The kabupaten/kota a Kemendagri code lies in, i.e. its first two segments
    ("64.02.06.1002" → "64.02"); None without a code or for a province alone."""
    parts = (region_code or "").strip().split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 else None


def day_start(day: date, tz: ZoneInfo = REPORT_TZ) -> datetime:
    """The first moment of ``day`` in the report's time zone, as an aware UTC time."""
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)


def local_day(moment: datetime, tz: ZoneInfo = REPORT_TZ) -> date:
    return moment.astimezone(tz).date()


@dataclass(frozen=True)
class HandoffCounts:
    """Questions handed to a person in a period, by what became of them."""

    open: int = 0
    answered: int = 0
    closed: int = 0
    urgent: int = 0  # of all of them, those flagged as danger signs

    @property
    def total(self) -> int:
        return self.open + self.answered + self.closed
