"""The question log: what people asked, what the engine decided, and with which entry."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

from bot.storage.database import Database, storable, utc_now

Status = Literal["answer", "suggest", "none"]  # the engine's decision (bot.matching.decide)
STATUSES: tuple[Status, ...] = get_args(Status)
MAX_TEXT = 1000


@dataclass(frozen=True)
class LoggedQuestion:
    id: int
    telegram_id: int | None
    chat_type: str | None
    text: str
    status: Status
    entry_id: str | None
    score: float
    asked_at: datetime
    urgent: bool = False  # it described a danger sign and got the immediate referral


def _question(row: sqlite3.Row) -> LoggedQuestion:
    return LoggedQuestion(
        id=row["id"],
        telegram_id=row["telegram_id"],
        chat_type=row["chat_type"],
        text=row["text"],
        status=row["status"],
        entry_id=row["entry_id"],
        score=row["score"],
        asked_at=datetime.fromisoformat(row["asked_at"]),
        urgent=bool(row["urgent"]),
    )


async def log_question(
    db: Database,
    telegram_id: int | None,
    chat_type: str | None,
    text: str,
    status: Status,
    entry_id: str | None,
    score: float,
    urgent: bool = False,
) -> int:
    """Record one question and return its id. Text beyond 1000 characters is cut off.
    ``urgent``: it described a danger sign and got the immediate referral.

    ``telegram_id`` must be registered (``register_user``) or ``None``.
    """
    return await db.insert(
        "INSERT INTO questions (telegram_id, chat_type, text, status, entry_id, score, asked_at, urgent)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (*_values(telegram_id, chat_type, text, status, entry_id, score), int(urgent)),
    )


def _values(
    telegram_id: int | None, chat_type: str | None, text: str, status: Status, entry_id: str | None, score: float
) -> tuple[object, ...]:
    """A question row (without its id), validated: status known, text cut at MAX_TEXT, time now."""
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}")
    return (telegram_id, chat_type, storable(text[:MAX_TEXT]), status, entry_id, float(score), utc_now())


async def get_question(db: Database, question_id: int) -> LoggedQuestion | None:
    row = await db.fetch_one("SELECT * FROM questions WHERE id = ?", (question_id,))
    return _question(row) if row else None


async def recent_questions(db: Database, limit: int = 20, status: Status | None = None) -> list[LoggedQuestion]:
    """The latest questions, newest first, optionally only one status (e.g. unanswered ``none``)."""
    if status is None:
        rows = await db.fetch_all("SELECT * FROM questions ORDER BY asked_at DESC, id DESC LIMIT ?", (limit,))
    else:
        rows = await db.fetch_all(
            "SELECT * FROM questions WHERE status = ? ORDER BY asked_at DESC, id DESC LIMIT ?", (status, limit)
        )
    return [_question(row) for row in rows]


async def last_answered_entry(db: Database, telegram_id: int) -> str | None:
    """The entry of this person's most recent answered question (ids grow with time)."""
    row = await db.fetch_one(
        "SELECT entry_id FROM questions WHERE telegram_id = ? AND status = 'answer' ORDER BY id DESC LIMIT 1",
        (telegram_id,),
    )
    return row["entry_id"] if row else None


FLUSH_DELAY_S = 0.2


class QuestionLog:
    """Write-behind log of questions, so answering never waits for the database.

    Ids are handed out at once from an in-memory counter (this process is the only writer of
    questions: the CLI only reads them) and the rows are written by one background task in
    batches, one transaction each, at most every ``FLUSH_DELAY_S``. ``flush()`` writes everything
    queued (feedback calls it first, so its question row exists); ``close()`` flushes and stops;
    ``held()`` and ``discard()`` let a person's data be deleted with nothing of theirs left queued.
    A crash loses at most the questions of the last fraction of a second — a log, not a ledger
    (broadcast deliveries do not use this).
    """

    def __init__(self, db: Database):
        self.db = db
        self._next_id = 0
        self._queued: list[tuple[object, ...]] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._flushing = asyncio.Lock()

    async def start(self) -> None:
        row = await self.db.fetch_one("SELECT COALESCE(MAX(id), 0) FROM questions")
        self._next_id = (row[0] if row else 0) + 1
        self._task = asyncio.create_task(self._run(), name="question-log")

    def record(
        self,
        telegram_id: int | None,
        chat_type: str | None,
        text: str,
        status: Status,
        entry_id: str | None,
        score: float,
        urgent: bool = False,
    ) -> int:
        row = (*_values(telegram_id, chat_type, text, status, entry_id, score), int(urgent))
        question_id = self._next_id
        self._next_id += 1
        self._queued.append((question_id, *row))
        self._wake.set()
        return question_id

    async def flush(self) -> None:
        async with self._flushing:
            await self._write_queued()

    @contextlib.asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        """Write everything queued, then hold back further writes until the block ends.

        For deleting a person's data: delete inside the block and ``discard`` their rows queued
        meanwhile, and no question of theirs is written after the deletion.
        """
        async with self._flushing:
            await self._write_queued()
            yield

    def discard(self, telegram_id: int) -> int:
        """Drop this person's queued (not yet written) questions; returns how many."""
        before = len(self._queued)
        self._queued = [row for row in self._queued if row[1] != telegram_id]
        return before - len(self._queued)

    async def _write_queued(self) -> None:
        rows, self._queued = self._queued, []
        if not rows:
            return
        async with self.db.transaction() as conn:
            # A row whose person is no longer registered (deleted from another process, e.g.
            # `stunting-bot users delete`) is skipped instead of failing the whole batch.
            await conn.executemany(
                "INSERT INTO questions (id, telegram_id, chat_type, text, status, entry_id, score, asked_at, urgent)"
                " SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9"
                " WHERE ?2 IS NULL OR EXISTS (SELECT 1 FROM users WHERE telegram_id = ?2)",
                rows,
            )

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.flush()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            await asyncio.sleep(FLUSH_DELAY_S)  # gather a batch: one transaction for many questions
            self._wake.clear()
            try:
                await self.flush()
            except Exception:  # keep logging later questions; this batch is reported and dropped
                logging.getLogger(__name__).exception("could not write logged questions")
