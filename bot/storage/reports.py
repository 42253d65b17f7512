"""The rows the admin reports are built from (``bot.reports``), read with parameterised SQL.

``since`` is an aware moment (the start of a day in WIB, usually); ``None`` means everything.
``regions`` (Kemendagri codes) keeps only what people inside those regions asked, are or were sent:
a region-scoped coordinator's view; empty means everyone. Question, companion and broadcast rows
carry the person's kabupaten/kota code (``records.kabupaten_code`` of ``users.region_code``).
Stored times are ISO-8601 UTC text in one format (``utc_now``), so text order is time order and
the bound is compared as text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from bot.reports.records import (
    AskedQuestion,
    Companion,
    HandoffCounts,
    QuestionOutcome,
    Reach,
    Vote,
    kabupaten_code,
)
from bot.storage.database import Database
from bot.storage.region_codes import inside_sql

# The earliest possible stored time: "no since" is an ordinary bound, one SQL text per query.
_BEGINNING = "0000"


def _bound(since: datetime | None) -> str:
    if since is None:
        return _BEGINNING
    if since.tzinfo is None:
        raise ValueError("since must carry a time zone")
    return since.astimezone(UTC).isoformat(timespec="milliseconds")


async def unanswered_questions(
    db: Database, since: datetime | None = None, regions: Sequence[str] = ()
) -> list[AskedQuestion]:
    """Questions declined (status ``none``), answered with a 👎 or handed to a person, oldest first, with
    who asked and the queue item a person answered them in (if any)."""
    inside, params = inside_sql("u.region_code", regions)
    rows = await db.fetch_all(
        f"""
        SELECT q.text, q.asked_at, q.status, q.entry_id, q.telegram_id, u.first_name, u.username,
               EXISTS (SELECT 1 FROM feedback f WHERE f.question_id = q.id AND f.value = -1) AS disliked,
               (SELECT h.id FROM handoffs h WHERE h.question_id = q.id AND h.state = 'answered') AS answered_by_person
        FROM questions q LEFT JOIN users u ON u.telegram_id = q.telegram_id
        WHERE q.asked_at >= ?
          AND (q.status = 'none' OR q.id IN (SELECT question_id FROM feedback WHERE value = -1)
               OR q.id IN (SELECT question_id FROM handoffs WHERE question_id IS NOT NULL))
          AND {inside}
        ORDER BY q.asked_at, q.id
        """,
        (_bound(since), *params),
    )
    return [
        AskedQuestion(
            text=row["text"],
            asked_at=datetime.fromisoformat(row["asked_at"]),
            unanswered=row["status"] == "none",
            disliked=bool(row["disliked"]),
            entry_id=row["entry_id"],
            asker=_name(row["first_name"], row["username"], row["telegram_id"]),
            person_answer=row["answered_by_person"],
        )
        for row in rows
    ]


def _name(first_name: str | None, username: str | None, telegram_id: int | None) -> str | None:
    if telegram_id is None:
        return None
    parts = [first_name] if first_name else []
    if username:
        parts.append(f"@{username}")
    return " ".join(parts) if parts else str(telegram_id)


async def question_outcomes(
    db: Database, since: datetime | None = None, regions: Sequence[str] = ()
) -> list[QuestionOutcome]:
    """How every question since then was answered, oldest first, with the asker's kabupaten/kota."""
    inside, params = inside_sql("u.region_code", regions)
    rows = await db.fetch_all(
        "SELECT q.status, q.entry_id, q.asked_at, u.region_code, q.urgent"
        " FROM questions q LEFT JOIN users u ON u.telegram_id = q.telegram_id"
        f" WHERE q.asked_at >= ? AND {inside} ORDER BY q.asked_at, q.id",
        (_bound(since), *params),
    )
    return [
        QuestionOutcome(
            row["status"], row["entry_id"], datetime.fromisoformat(row["asked_at"]), kabupaten_code(row["region_code"]),
            bool(row["urgent"]),
        )
        for row in rows
    ]


async def votes(db: Database, since: datetime | None = None, regions: Sequence[str] = ()) -> list[Vote]:
    """👍/👎 given since then (a changed vote counts once, as it is now)."""
    inside, params = inside_sql("u.region_code", regions)
    rows = await db.fetch_all(
        "SELECT f.entry_id, f.value FROM feedback f LEFT JOIN users u ON u.telegram_id = f.telegram_id"
        f" WHERE f.created_at >= ? AND {inside}",
        (_bound(since), *params),
    )
    return [Vote(row["entry_id"], int(row["value"])) for row in rows]


async def companions(db: Database, regions: Sequence[str] = ()) -> list[Companion]:
    """Everyone registered: their role and kabupaten/kota, name and code (no personal names)."""
    inside, params = inside_sql("region_code", regions)
    rows = await db.fetch_all(
        f"SELECT role, kabupaten, region_code FROM users WHERE {inside} ORDER BY telegram_id", params
    )
    return [Companion(row["role"], row["kabupaten"], kabupaten_code(row["region_code"])) for row in rows]


async def broadcast_reach(db: Database, since: datetime | None = None, regions: Sequence[str] = ()) -> list[Reach]:
    """One row per recipient of every broadcast created since then: the delivery's state and the
    recipient's kabupaten/kota (None once the person is gone or never chose one)."""
    inside, params = inside_sql("u.region_code", regions)
    rows = await db.fetch_all(
        "SELECT d.state, u.region_code FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id"
        " LEFT JOIN users u ON u.telegram_id = d.telegram_id"
        f" WHERE b.created_at >= ? AND {inside} ORDER BY d.broadcast_id, d.telegram_id",
        (_bound(since), *params),
    )
    return [Reach(row["state"], kabupaten_code(row["region_code"])) for row in rows]


async def handoff_counts(db: Database, since: datetime | None = None, regions: Sequence[str] = ()) -> HandoffCounts:
    """Questions handed to a person since then (askers in ``regions``, if given), by state."""
    inside, params = inside_sql("region_code", regions)
    row = await db.fetch_one(
        f"""
        SELECT count(*) FILTER (WHERE state = 'open') AS open,
               count(*) FILTER (WHERE state = 'answered') AS answered,
               count(*) FILTER (WHERE state = 'closed') AS closed,
               count(*) FILTER (WHERE urgent = 1) AS urgent
        FROM handoffs WHERE asked_at >= ? AND {inside}
        """,
        (_bound(since), *params),
    )
    assert row is not None
    return HandoffCounts(int(row["open"]), int(row["answered"]), int(row["closed"]), int(row["urgent"]))
