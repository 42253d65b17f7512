"""Thumbs up / down on an answer: one vote per person per question, changeable."""

from __future__ import annotations

from typing import Literal

from bot.storage.database import Database, utc_now

Vote = Literal[-1, 1]


async def record_feedback(
    db: Database, question_id: int | None, telegram_id: int | None, entry_id: str, value: Vote
) -> None:
    """Store a vote; the same person voting again on the same question replaces their vote.

    ``created_at`` keeps the time of the first vote. (SQLite treats NULLs as distinct in a
    UNIQUE constraint, so anonymous votes are never merged.)
    """
    if type(value) is not int or value not in (-1, 1):
        raise ValueError(f"a vote is -1 or 1, not {value!r}")
    async with db.transaction() as conn:
        await conn.execute(
            """
            INSERT INTO feedback (question_id, telegram_id, entry_id, value, created_at)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (question_id, telegram_id) DO UPDATE SET
                entry_id = excluded.entry_id, value = excluded.value
            """,
            (question_id, telegram_id, entry_id, value, utc_now()),
        )


async def feedback_totals(db: Database, entry_id: str) -> tuple[int, int]:
    """(thumbs up, thumbs down) for one entry."""
    row = await db.fetch_one(
        "SELECT coalesce(sum(value = 1), 0), coalesce(sum(value = -1), 0) FROM feedback WHERE entry_id = ?",
        (entry_id,),
    )
    return (int(row[0]), int(row[1])) if row else (0, 0)
