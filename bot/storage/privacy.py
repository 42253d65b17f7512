"""Personal data over time: question retention, and a person deleting everything about them.

Retention (``prune_questions``): logged questions older than ``BOT_QUESTION_RETENTION_DAYS`` are
deleted in batches of ``PRUNE_BATCH`` rows, one short transaction each, so the bot's answers and
the broadcast sender never wait long for the database lock. **Feedback goes with its question**
(the schema's ``ON DELETE CASCADE``; deleted explicitly here so it can be counted): every 👍/👎
the reports count belongs to a question that is still stored (questions handed to a person age
out with the same cutoff), so "questions" and "votes" in a
report always cover the same period, and the 👎 list never shows a vote without its question.

Deleting a person (``delete_person``, for ``/hapus_data`` and ``stunting-bot users delete``):

* their profile (the ``users`` row: names, role, region, subscription, the coordinator flag);
* their questions, and every vote on them (theirs and, in groups, other people's);
* their own votes, on any question;
* the questions they handed to a person (``bot.storage.handoffs``), with the notifications about
  them; as a responder, their name leaves the answers they gave;
* their broadcast delivery rows are **anonymised, not deleted**: the Telegram id becomes a
  negative number unique within the broadcast and the message id is cleared. A broadcast's
  report ("1.200 of 4.000 sent") stays true after a recipient leaves; a row still waiting
  (``pending``, or ``sending`` at that very moment) becomes ``opted_out``, so nothing more is
  sent to them and the broadcast still finishes;
* broadcasts they created stay (they are messages to other people), with ``created_by`` cleared
  by the schema's ``ON DELETE SET NULL``; their progress message reference is cleared, so no
  further progress edits or report go to their chat.

Everything happens in one transaction: either all of it or nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.storage.database import Database, utc_now

PRUNE_BATCH = 500  # questions per transaction: a few milliseconds of holding the lock

# The oldest PRUNE_BATCH questions asked before the cutoff (the asked_at index walks them in order).
_OLDEST = "SELECT id FROM questions WHERE asked_at < ? ORDER BY asked_at, id LIMIT ?"


@dataclass(frozen=True)
class Pruned:
    questions: int
    feedback: int
    cutoff: datetime  # questions asked before this moment were deleted
    handoffs: int = 0  # questions handed to a person, deleted with the same cutoff


def retention_cutoff(days: int, now: datetime | None = None) -> datetime:
    if type(days) is not int or days <= 0:
        raise ValueError(f"the retention must be a positive number of days, not {days!r}")
    return (now or datetime.now(UTC)) - timedelta(days=days)


async def prune_questions(
    db: Database,
    older_than_days: int,
    *,
    now: datetime | None = None,
    batch: int = PRUNE_BATCH,
    keep_going: Callable[[], bool] | None = None,
) -> Pruned:
    """Delete the questions asked more than ``older_than_days`` days before ``now`` (default:
    the current time), with their feedback, ``batch`` questions per transaction.

    ``keep_going`` is asked between batches; False stops early (the bot is shutting down: the
    rest goes at the next run).
    """
    cutoff = retention_cutoff(older_than_days, now)
    bound = cutoff.astimezone(UTC).isoformat(timespec="milliseconds")  # the stored format (utc_now)
    questions = feedback = handed = 0
    while True:
        async with db.transaction() as conn:
            async with conn.execute(
                f"DELETE FROM feedback WHERE question_id IN ({_OLDEST})", (bound, batch)
            ) as cursor:
                feedback += max(cursor.rowcount, 0)
            async with conn.execute(f"DELETE FROM questions WHERE id IN ({_OLDEST})", (bound, batch)) as cursor:
                deleted = max(cursor.rowcount, 0)
            # questions handed to a person age out with the question log (their notices cascade)
            async with conn.execute(
                "DELETE FROM handoffs WHERE id IN (SELECT id FROM handoffs WHERE asked_at < ? ORDER BY asked_at LIMIT ?)",
                (bound, batch),
            ) as cursor:
                handoffs = max(cursor.rowcount, 0)
            handed += handoffs
            # votes without a question (none are written today) age out by their own time
            async with conn.execute(
                "DELETE FROM feedback WHERE question_id IS NULL AND created_at < ?", (bound,)
            ) as cursor:
                feedback += max(cursor.rowcount, 0)
        questions += deleted
        if (deleted < batch and handoffs < batch) or (keep_going is not None and not keep_going()):
            return Pruned(questions, feedback, cutoff, handed)
        await asyncio.sleep(0)  # let waiting answers and the sender take the lock between batches


@dataclass(frozen=True)
class Deleted:
    """What ``delete_person`` removed: the profile (False: there was none), whether it carried the
    coordinator role, and the number of questions, own votes and anonymised delivery rows."""

    profile: bool
    coordinator: bool
    questions: int
    feedback: int
    deliveries: int
    handoffs: int = 0  # questions they handed to a person

    @property
    def anything(self) -> bool:
        return self.profile or bool(self.questions or self.feedback or self.deliveries or self.handoffs)


async def delete_person(db: Database, telegram_id: int) -> Deleted:
    """Delete everything stored about one person (see the module docstring), in one transaction.

    With the bot's write-behind question log, call this inside ``QuestionLog.held()`` and
    ``discard`` their queued rows, so that no question queued before the deletion is written after it.
    """
    now = utc_now()
    async with db.transaction() as conn:
        async with conn.execute("SELECT coordinator FROM users WHERE telegram_id = ?", (telegram_id,)) as cursor:
            row = await cursor.fetchone()
        # their own votes, then every vote on their questions, then the questions
        async with conn.execute("DELETE FROM feedback WHERE telegram_id = ?", (telegram_id,)) as cursor:
            feedback = max(cursor.rowcount, 0)
        await conn.execute(
            "DELETE FROM feedback WHERE question_id IN (SELECT id FROM questions WHERE telegram_id = ?)",
            (telegram_id,),
        )
        async with conn.execute("DELETE FROM questions WHERE telegram_id = ?", (telegram_id,)) as cursor:
            questions = max(cursor.rowcount, 0)
        # Delivery rows: at most one per broadcast, so each gets the next free negative id of its
        # broadcast (the primary key index answers min() with one seek). "broadcast_id IN (all
        # broadcasts)" turns the search for their rows into one primary-key seek per broadcast
        # instead of a scan of every delivery row (there is no index on telegram_id alone).
        async with conn.execute(
            """
            UPDATE deliveries AS d SET
                telegram_id = min(0, (SELECT min(o.telegram_id) FROM deliveries AS o
                                      WHERE o.broadcast_id = d.broadcast_id)) - 1,
                state = CASE WHEN state IN ('pending', 'sending') THEN 'opted_out' ELSE state END,
                message_id = NULL,
                updated_at = ?
            WHERE broadcast_id IN (SELECT id FROM broadcasts) AND telegram_id = ?
            """,
            (now, telegram_id),
        ) as cursor:
            deliveries = max(cursor.rowcount, 0)
        await conn.execute(
            "UPDATE broadcasts SET progress_chat_id = NULL, progress_message_id = NULL WHERE progress_chat_id = ?",
            (telegram_id,),
        )
        # Questions they handed to a person go with them (ON DELETE CASCADE, notices included); as a
        # responder, their name leaves the answers they gave (answered_by becomes NULL) and the
        # notifications sent to their chat are forgotten.
        async with conn.execute("SELECT count(*) FROM handoffs WHERE asker_id = ?", (telegram_id,)) as cursor:
            counted = await cursor.fetchone()
        handoffs = int(counted[0]) if counted else 0
        await conn.execute("UPDATE handoffs SET answerer_name = NULL WHERE answered_by = ?", (telegram_id,))
        await conn.execute("DELETE FROM handoff_notices WHERE chat_id = ?", (telegram_id,))
        # created_by of their broadcasts becomes NULL (ON DELETE SET NULL)
        await conn.execute("DELETE FROM users WHERE telegram_id = ?", (telegram_id,))
    return Deleted(
        profile=row is not None,
        coordinator=bool(row and row["coordinator"]),
        questions=questions,
        feedback=feedback,
        deliveries=deliveries,
        handoffs=handoffs,
    )


async def stored_about(db: Database, telegram_id: int) -> Deleted:
    """What ``delete_person`` would delete now (for the operator's confirmation), without deleting."""
    row = await db.fetch_one(
        """
        SELECT (SELECT coordinator FROM users WHERE telegram_id = :id) AS coordinator,
               EXISTS (SELECT 1 FROM users WHERE telegram_id = :id) AS profile,
               (SELECT count(*) FROM questions WHERE telegram_id = :id) AS questions,
               (SELECT count(*) FROM feedback WHERE telegram_id = :id) AS feedback,
               (SELECT count(*) FROM deliveries
                WHERE broadcast_id IN (SELECT id FROM broadcasts) AND telegram_id = :id) AS deliveries,
               (SELECT count(*) FROM handoffs WHERE asker_id = :id) AS handoffs
        """,
        {"id": telegram_id},
    )
    assert row is not None
    return Deleted(
        profile=bool(row["profile"]),
        coordinator=bool(row["coordinator"]),
        questions=int(row["questions"]),
        feedback=int(row["feedback"]),
        deliveries=int(row["deliveries"]),
        handoffs=int(row["handoffs"]),
    )
