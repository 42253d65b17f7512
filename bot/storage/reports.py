"""The rows the admin reports are built from (``bot.reports``), read with parameterised SQL.

``since`` is an aware moment (the start of a day in WIB, usually); ``None`` means everything.
Stored times are ISO-8601 UTC text in one format (``utc_now``), so text order is time order and
the bound is compared as text.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.reports.records import AskedQuestion, Companion, QuestionOutcome, Vote
from bot.storage.database import Database

# The earliest possible stored time: "no since" is an ordinary bound, one SQL text per query.
_BEGINNING = "0000"


def _bound(since: datetime | None) -> str:
    if since is None:
        return _BEGINNING
    if since.tzinfo is None:
        raise ValueError("since must carry a time zone")
    return since.astimezone(UTC).isoformat(timespec="milliseconds")


async def unanswered_questions(db: Database, since: datetime | None = None) -> list[AskedQuestion]:
    """Questions declined (status ``none``) or answered with a 👎, oldest first, with who asked."""
    rows = await db.fetch_all(
        """
        SELECT q.text, q.asked_at, q.status, q.entry_id, q.telegram_id, u.first_name, u.username,
               EXISTS (SELECT 1 FROM feedback f WHERE f.question_id = q.id AND f.value = -1) AS disliked
        FROM questions q LEFT JOIN users u ON u.telegram_id = q.telegram_id
        WHERE q.asked_at >= ?
          AND (q.status = 'none' OR q.id IN (SELECT question_id FROM feedback WHERE value = -1))
        ORDER BY q.asked_at, q.id
        """,
        (_bound(since),),
    )
    return [
        AskedQuestion(
            text=row["text"],
            asked_at=datetime.fromisoformat(row["asked_at"]),
            unanswered=row["status"] == "none",
            disliked=bool(row["disliked"]),
            entry_id=row["entry_id"],
            asker=_name(row["first_name"], row["username"], row["telegram_id"]),
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


async def question_outcomes(db: Database, since: datetime | None = None) -> list[QuestionOutcome]:
    """How every question since then was answered, oldest first."""
    rows = await db.fetch_all(
        "SELECT status, entry_id, asked_at FROM questions WHERE asked_at >= ? ORDER BY asked_at, id",
        (_bound(since),),
    )
    return [QuestionOutcome(row["status"], row["entry_id"], datetime.fromisoformat(row["asked_at"])) for row in rows]


async def votes(db: Database, since: datetime | None = None) -> list[Vote]:
    """👍/👎 given since then (a changed vote counts once, as it is now)."""
    rows = await db.fetch_all("SELECT entry_id, value FROM feedback WHERE created_at >= ?", (_bound(since),))
    return [Vote(row["entry_id"], int(row["value"])) for row in rows]


async def companions(db: Database) -> list[Companion]:
    """Everyone registered: their role and kabupaten/kota (no names)."""
    rows = await db.fetch_all("SELECT role, kabupaten FROM users ORDER BY telegram_id")
    return [Companion(row["role"], row["kabupaten"]) for row in rows]
