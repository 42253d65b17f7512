"""One aiosqlite connection for the whole bot, with migrations applied on open.

Transactions: one short transaction per operation, serialised by an ``asyncio.Lock``.

* A single connection has a single transaction, shared by every coroutine using it. aiosqlite
  runs statements one at a time on its thread, but between two ``await``s another coroutine's
  statements can slip in; without the lock, one coroutine's COMMIT would publish another's
  half-finished work and a ROLLBACK would silently discard it. The lock makes every storage
  function atomic and isolated from the others.
* Commit per operation rather than batching: when a handler's call returns, its row is on disk,
  and no write waits for a batch timer. With WAL and ``synchronous=NORMAL`` a commit costs no
  fsync (the WAL is synced at checkpoints), so hundreds of commits a second are cheap — far
  above what a bot for field workers needs. NORMAL survives a crash of the bot; only a power
  loss can lose the last few commits, which is acceptable for this data.
* ``BEGIN IMMEDIATE`` takes the write lock up front, so another process on the same file (the
  CLI, say) waits up to ``busy_timeout`` instead of failing half-way with SQLITE_BUSY.
* Reads take the lock too, so they never see another coroutine's uncommitted rows.

The connection runs in autocommit mode (``isolation_level=None``): Python's sqlite3 never opens
transactions behind our back; ``transaction()`` is the only place that does.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import aiosqlite

from bot.storage.migrations import migrate

log = logging.getLogger(__name__)

MEMORY = ":memory:"
Params = Iterable[Any] | dict[str, Any]


def utc_now() -> str:
    """The current time as ISO-8601 UTC text, e.g. ``2025-01-31T08:15:02.123+00:00``.

    One fixed format (milliseconds, ``+00:00``) so that text order is time order.
    """
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def storable(text: str) -> str:
    """Text SQLite can store: a lone UTF-16 surrogate (which Telegram's JSON may carry, and which no
    UTF-8 encoder accepts) becomes "?", so one odd character never fails a write, let alone a batch."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", errors="replace").decode("utf-8")
    return text


def _identity(path: str) -> tuple[int, int] | None:
    """The file's device and inode, None for ``:memory:`` or a missing file."""
    if path == MEMORY:
        return None
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


class Database:
    """Open with ``await Database.open(path)`` (or ``async with await Database.open(path) as db``)."""

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self._conn = conn
        self.path = path
        self._lock = asyncio.Lock()
        self._file = _identity(path)  # the file opened, to notice it deleted or replaced (file_problem)

    def file_problem(self) -> str | None:
        """Why the open database is no longer the file at its path — deleted, moved or replaced while
        the bot runs, so everything written from now on would be lost with the open file — or None."""
        if self._file is None:
            return None
        now = _identity(self.path)
        if now is None:
            return f"database {self.path}: the file is gone (moved or deleted while the bot runs)"
        if now != self._file:
            return f"database {self.path}: the file was replaced while the bot runs"
        return None

    @classmethod
    async def open(cls, path: Path | str) -> Self:
        """Connect, set the PRAGMAs, apply pending migrations. ``":memory:"`` is for tests."""
        where = str(path)
        if where != MEMORY:
            Path(where).parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(where, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            if where != MEMORY:
                async with conn.execute("PRAGMA journal_mode=WAL") as cursor:
                    row = await cursor.fetchone()
                if row is None or str(row[0]).lower() != "wal":
                    log.warning("database %s: WAL mode unavailable, journal_mode is %s", where, row and row[0])
            await conn.execute("PRAGMA busy_timeout=5000")
            await conn.execute("PRAGMA foreign_keys=ON")
            await conn.execute("PRAGMA synchronous=NORMAL")
            applied = await migrate(conn, where)
            if applied:
                log.info("database %s: applied migrations %s", where, applied)
        except BaseException:
            await conn.close()
            raise
        return cls(conn, where)

    async def close(self) -> None:
        async with self._lock:
            await self._conn.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """``async with db.transaction() as conn:`` — one atomic unit of work, committed on exit.

        Use ``conn`` inside; calling ``db.fetch_*`` or another storage function from within
        would wait for the lock this block holds.
        """
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            await self._conn.execute("COMMIT")

    async def insert(self, sql: str, params: Params = ()) -> int:
        """One INSERT, atomic on its own (autocommit), in a single trip to the database thread.

        The hot path (logging every question) uses this instead of ``transaction()``, whose
        BEGIN / statement / COMMIT round trips held the lock four times as long under load.
        """
        async with self._lock:
            row = await self._conn.execute_insert(sql, params)
        if row is None or row[0] is None:
            raise sqlite3.DatabaseError("insert did not produce a row id")
        return int(row[0])

    async def write_returning(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """One writing statement with RETURNING, atomic on its own, in a single trip to the database thread."""
        async with self._lock:
            return list(await self._conn.execute_fetchall(sql, params))

    async def fetch_one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        async with self._lock, self._conn.execute(sql, params) as cursor:
            row: sqlite3.Row | None = await cursor.fetchone()
            return row

    async def fetch_all(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        async with self._lock, self._conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())
