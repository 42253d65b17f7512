"""Questions handed to a person: the durable queue behind "Tanyakan ke petugas".

One row per item (``handoffs``): who asked (their role and region at that moment), the text, the
bot's best candidates, whether it described a danger sign, and its life: ``open`` until a responder
answers it (``answered``) or marks it done without an answer (``closed``). The first answer wins:
answering and closing are one conditional UPDATE each, so two responders pressing at once cannot
both succeed. ``handoff_notices`` remembers every notification sent about an item, so that the
others can be updated once it is taken, and a reply to one of them can be recognised.

Items follow the question retention (``bot.storage.privacy``) and go with their asker
(``ON DELETE CASCADE``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from bot.storage.database import Database, storable, utc_now

State = Literal["open", "answered", "closed"]
MAX_TEXT = 1000  # characters of a question or an answer kept (Telegram allows 4096)
DAILY_LIMIT = 5  # items one person may open in 24 hours


class DailyLimitError(RuntimeError):
    """The person already opened ``DAILY_LIMIT`` items in the last 24 hours."""


@dataclass(frozen=True)
class Handoff:
    id: int
    asker_id: int
    asker_role: str | None
    region_code: str | None
    text: str
    candidates: tuple[str, ...]
    urgent: bool
    media_kind: str | None
    media_message_id: int | None
    parent_id: int | None
    question_id: int | None
    state: State
    to_admins: bool
    asked_at: datetime
    reminded_at: datetime | None
    escalated_at: datetime | None
    answered_by: int | None
    answerer_name: str | None
    answerer_role: str | None
    answer: str | None
    answered_at: datetime | None
    answer_message_id: int | None
    rating: int | None
    closed_by: int | None

    @property
    def open(self) -> bool:
        return self.state == "open"


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _handoff(row: sqlite3.Row) -> Handoff:
    return Handoff(
        id=row["id"],
        asker_id=row["asker_id"],
        asker_role=row["asker_role"],
        region_code=row["region_code"],
        text=row["text"],
        candidates=tuple(json.loads(row["candidates"] or "[]")),
        urgent=bool(row["urgent"]),
        media_kind=row["media_kind"],
        media_message_id=row["media_message_id"],
        parent_id=row["parent_id"],
        question_id=row["question_id"],
        state=row["state"],
        to_admins=bool(row["to_admins"]),
        asked_at=datetime.fromisoformat(row["asked_at"]),
        reminded_at=_time(row["reminded_at"]),
        escalated_at=_time(row["escalated_at"]),
        answered_by=row["answered_by"],
        answerer_name=row["answerer_name"],
        answerer_role=row["answerer_role"],
        answer=row["answer"],
        answered_at=_time(row["answered_at"]),
        answer_message_id=row["answer_message_id"],
        rating=row["rating"],
        closed_by=row["closed_by"],
    )


def _stamp(moment: datetime) -> str:
    """The stored time format (``utc_now``), so that text order is time order."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


async def open_handoff(
    db: Database,
    asker_id: int,
    text: str,
    *,
    asker_role: str | None = None,
    region_code: str | None = None,
    candidates: Sequence[str] = (),
    urgent: bool = False,
    question_id: int | None = None,
    parent_id: int | None = None,
    media_kind: str | None = None,
    media_message_id: int | None = None,
    now: datetime | None = None,
    daily_limit: int = DAILY_LIMIT,
) -> Handoff:
    """Put a question in the queue and return it. The same logged question is queued once: asking
    again returns the item already made (``question_id`` must be written: flush the write-behind
    question log first). Raises ``DailyLimitError`` beyond ``daily_limit`` items in
    24 hours (an urgent item is never refused)."""
    moment = now or datetime.now(UTC)
    async with db.transaction() as conn:
        if question_id is not None:
            async with conn.execute("SELECT * FROM handoffs WHERE question_id = ?", (question_id,)) as cursor:
                row = await cursor.fetchone()
            if row is not None:
                return _handoff(row)
        async with conn.execute(
            "SELECT count(*) FROM handoffs WHERE asker_id = ? AND asked_at >= ?",
            (asker_id, _stamp(moment - timedelta(days=1))),
        ) as cursor:
            counted = await cursor.fetchone()
        if not urgent and counted is not None and counted[0] >= daily_limit:
            raise DailyLimitError(f"{asker_id} already opened {counted[0]} items in 24 hours")
        async with conn.execute(
            """
            INSERT INTO handoffs (asker_id, asker_role, region_code, text, candidates, urgent, media_kind,
                                  media_message_id, parent_id, question_id, asked_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *
            """,
            (asker_id, asker_role, region_code, storable(text[:MAX_TEXT]), json.dumps(list(candidates)), int(urgent),
             media_kind, media_message_id, parent_id, question_id, _stamp(moment)),
        ) as cursor:
            row = await cursor.fetchone()
    assert row is not None
    return _handoff(row)


async def get_handoff(db: Database, handoff_id: int) -> Handoff | None:
    row = await db.fetch_one("SELECT * FROM handoffs WHERE id = ?", (handoff_id,))
    return _handoff(row) if row else None


async def by_question(db: Database, question_id: int) -> Handoff | None:
    row = await db.fetch_one("SELECT * FROM handoffs WHERE question_id = ?", (question_id,))
    return _handoff(row) if row else None


async def answer_handoff(
    db: Database, handoff_id: int, responder_id: int, name: str | None, role: str | None, text: str
) -> tuple[Handoff | None, bool]:
    """Answer an open item. Returns the item and whether this answer won (False: it was already
    answered or closed, and nothing changed); ``(None, False)`` for an unknown id."""
    rows = await db.write_returning(
        """
        UPDATE handoffs SET state = 'answered', answered_by = ?, answerer_name = ?, answerer_role = ?,
                            answer = ?, answered_at = ?
        WHERE id = ? AND state = 'open' RETURNING *
        """,
        (responder_id, name and storable(name), role, storable(text[:MAX_TEXT]), utc_now(), handoff_id),
    )
    if rows:
        return _handoff(rows[0]), True
    return await get_handoff(db, handoff_id), False


async def close_handoff(db: Database, handoff_id: int, responder_id: int) -> tuple[Handoff | None, bool]:
    """Mark an open item done without an answer (handled another way). Same return as ``answer_handoff``."""
    rows = await db.write_returning(
        "UPDATE handoffs SET state = 'closed', closed_by = ? WHERE id = ? AND state = 'open' RETURNING *",
        (responder_id, handoff_id),
    )
    if rows:
        return _handoff(rows[0]), True
    return await get_handoff(db, handoff_id), False


async def pass_to_admins(db: Database, handoff_id: int) -> Handoff | None:
    """A responder said it is not theirs to answer: the admins (and responders) get it. Returns the
    item if it was open and not passed before, else None."""
    rows = await db.write_returning(
        "UPDATE handoffs SET to_admins = 1 WHERE id = ? AND state = 'open' AND to_admins = 0 RETURNING *",
        (handoff_id,),
    )
    return _handoff(rows[0]) if rows else None


async def set_answer_message(db: Database, handoff_id: int, message_id: int) -> None:
    """The message that carried the answer to the asker (a reply to it asks again)."""
    await db.write_returning("UPDATE handoffs SET answer_message_id = ? WHERE id = ? RETURNING id", (message_id, handoff_id))


async def by_answer_message(db: Database, asker_id: int, message_id: int) -> Handoff | None:
    row = await db.fetch_one(
        "SELECT * FROM handoffs WHERE asker_id = ? AND answer_message_id = ?", (asker_id, message_id)
    )
    return _handoff(row) if row else None


async def rate_answer(db: Database, handoff_id: int, asker_id: int, value: int) -> bool:
    """The asker's 👍 (1) or 👎 (-1) on a person's answer; False if it is not their answered item."""
    if value not in (-1, 1):
        raise ValueError(f"a rating is 1 or -1, not {value!r}")
    rows = await db.write_returning(
        "UPDATE handoffs SET rating = ? WHERE id = ? AND asker_id = ? AND state = 'answered' RETURNING id",
        (value, handoff_id, asker_id),
    )
    return bool(rows)


async def add_notice(db: Database, handoff_id: int, chat_id: int, message_id: int) -> None:
    await db.write_returning(
        "INSERT OR IGNORE INTO handoff_notices (handoff_id, chat_id, message_id) VALUES (?, ?, ?) RETURNING 1",
        (handoff_id, chat_id, message_id),
    )


async def notices(db: Database, handoff_id: int) -> list[tuple[int, int]]:
    """(chat id, message id) of every notification sent about the item, oldest first."""
    rows = await db.fetch_all(
        "SELECT chat_id, message_id FROM handoff_notices WHERE handoff_id = ? ORDER BY rowid", (handoff_id,)
    )
    return [(row[0], row[1]) for row in rows]


async def noticed_item(db: Database, chat_id: int, message_id: int) -> int | None:
    """The item a notification in this chat is about (a responder replied to it), if any."""
    row = await db.fetch_one(
        "SELECT handoff_id FROM handoff_notices WHERE chat_id = ? AND message_id = ?", (chat_id, message_id)
    )
    return int(row[0]) if row else None


async def open_items(db: Database, limit: int | None = None) -> list[Handoff]:
    """Open items, oldest first (``/antrian`` and ``report handoff`` narrow them by region)."""
    sql = "SELECT * FROM handoffs WHERE state = 'open' ORDER BY asked_at, id"
    params: list[object] = []
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    return [_handoff(row) for row in await db.fetch_all(sql, params)]


async def all_items(db: Database) -> list[Handoff]:
    """Every item in any state, oldest first (``report handoff --all``)."""
    return [_handoff(row) for row in await db.fetch_all("SELECT * FROM handoffs ORDER BY asked_at, id")]


async def due_reminders(db: Database, now: datetime, after: timedelta) -> list[Handoff]:
    """Open items waiting longer than ``after`` whose responders were not reminded yet."""
    rows = await db.fetch_all(
        "SELECT * FROM handoffs WHERE state = 'open' AND reminded_at IS NULL AND asked_at <= ? ORDER BY asked_at",
        (_stamp(now - after),),
    )
    return [_handoff(row) for row in rows]


async def due_escalations(db: Database, now: datetime, after: timedelta) -> list[Handoff]:
    """Open items waiting longer than ``after`` that were not escalated to the admins yet."""
    rows = await db.fetch_all(
        "SELECT * FROM handoffs WHERE state = 'open' AND escalated_at IS NULL AND asked_at <= ? ORDER BY asked_at",
        (_stamp(now - after),),
    )
    return [_handoff(row) for row in rows]


async def mark_reminded(db: Database, handoff_id: int, now: datetime) -> None:
    await db.write_returning("UPDATE handoffs SET reminded_at = ? WHERE id = ? RETURNING id", (_stamp(now), handoff_id))


async def mark_escalated(db: Database, handoff_id: int, now: datetime) -> None:
    await db.write_returning(
        "UPDATE handoffs SET escalated_at = ?, to_admins = 1 WHERE id = ? RETURNING id", (_stamp(now), handoff_id)
    )


async def answered_items(db: Database, since: datetime | None = None) -> list[Handoff]:
    """Items a person answered (newest first): the unanswered-questions report shows which groups
    already have a person's answer."""
    sql = "SELECT * FROM handoffs WHERE state = 'answered'"
    params: list[object] = []
    if since is not None:
        sql += " AND asked_at >= ?"
        params.append(_stamp(since))
    return [_handoff(row) for row in await db.fetch_all(sql + " ORDER BY answered_at DESC", params)]


async def count_by_state(db: Database) -> dict[str, int]:
    """How many items are open, answered and closed, and how many of the open ones are urgent."""
    row = await db.fetch_one(
        """
        SELECT count(*) FILTER (WHERE state = 'open') AS open,
               count(*) FILTER (WHERE state = 'answered') AS answered,
               count(*) FILTER (WHERE state = 'closed') AS closed,
               count(*) FILTER (WHERE state = 'open' AND urgent = 1) AS urgent_open
        FROM handoffs
        """
    )
    assert row is not None
    return {key: int(row[key]) for key in ("open", "answered", "closed", "urgent_open")}
