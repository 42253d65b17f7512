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
    """A question the bot did not answer (status ``none``) or whose answer someone disliked (👎)."""

    text: str
    asked_at: datetime  # aware
    unanswered: bool
    disliked: bool
    entry_id: str | None = None  # the answer that got the 👎
    asker: str | None = None  # display name; only reported when names are asked for


@dataclass(frozen=True)
class QuestionOutcome:
    """One logged question: how it was answered, and when."""

    status: Status
    entry_id: str | None
    asked_at: datetime  # aware


@dataclass(frozen=True)
class Vote:
    entry_id: str
    value: int  # 1 (👍) or -1 (👎)


@dataclass(frozen=True)
class Companion:
    role: str | None
    kabupaten: str | None


def day_start(day: date, tz: ZoneInfo = REPORT_TZ) -> datetime:
    """The first moment of ``day`` in the report's time zone, as an aware UTC time."""
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)


def local_day(moment: datetime, tz: ZoneInfo = REPORT_TZ) -> date:
    return moment.astimezone(tz).date()
