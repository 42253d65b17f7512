"""Migrations that rebuild a table (issue #13 §3): with foreign keys off and checked before commit, a
rebuilt ``users`` keeps every row that refers to it; without, SQLite's cascade empties them; a rebuild
that would leave references dangling is rolled back whole."""

from __future__ import annotations

import aiosqlite
import pytest

from bot.storage import Database, register_user
from bot.storage.handoffs import open_handoff
from bot.storage.migrations import MIGRATIONS, BrokenReferencesError, Migration, migrate, schema_version
from bot.storage.questions import log_question
from bot.storage.users import set_coordinator

NEXT = MIGRATIONS[-1].version + 1


async def _filled(path) -> None:
    async with await Database.open(path) as db:
        for telegram_id in (1, 2):
            await register_user(db, telegram_id, f"P{telegram_id}", None, "id")
        await set_coordinator(db, 2, True, ["64.02"])
        question = await log_question(db, 1, "private", "apa itu pkh", "answer", "istilah-pkh", 90.0)
        await open_handoff(db, 1, "berapa gaji pendamping", question_id=question)


async def _rebuild_users(conn: aiosqlite.Connection) -> str:
    """The SQL of a rebuild of ``users`` (create a copy with one more CHECK, copy, drop, rename)."""
    async with conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'users'") as cursor:
        (create,) = await cursor.fetchone()
    create = create.replace("CREATE TABLE users", "CREATE TABLE users_new", 1).rstrip().removesuffix(")")
    return f"""
        {create}, CHECK (length(coalesce(first_name, '')) <= 256));
        INSERT INTO users_new SELECT * FROM users;
        DROP TABLE users;
        ALTER TABLE users_new RENAME TO users;
    """


async def _counts(conn: aiosqlite.Connection) -> dict[str, object]:
    queries = {
        "users": "SELECT count(*) FROM users",
        "questions with their asker": "SELECT count(*) FROM questions WHERE telegram_id = 1",
        "handoffs": "SELECT count(*) FROM handoffs WHERE asker_id = 1",
        "coordinator regions": "SELECT count(*) FROM coordinator_regions WHERE telegram_id = 2",
    }
    counts = {}
    for name, sql in queries.items():
        async with conn.execute(sql) as cursor:
            counts[name] = (await cursor.fetchone())[0]
    return counts


async def _connect(path) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    await conn.execute("PRAGMA foreign_keys = ON")  # as Database.open sets it
    return conn


async def test_a_rebuild_with_foreign_keys_off_keeps_every_referencing_row(tmp_path):
    path = tmp_path / "bot.sqlite3"
    await _filled(path)
    conn = await _connect(path)
    try:
        before = await _counts(conn)
        rebuild = Migration(NEXT, "users with a name limit", await _rebuild_users(conn), foreign_keys_off=True)
        assert await migrate(conn, str(path), (*MIGRATIONS, rebuild)) == [NEXT]
        assert await _counts(conn) == before == {"users": 2, "questions with their asker": 1, "handoffs": 1,
                                                 "coordinator regions": 1}  # fmt: skip
        async with conn.execute("PRAGMA foreign_keys") as cursor:
            assert (await cursor.fetchone())[0] == 1  # enforced again afterwards
    finally:
        await conn.close()


async def test_the_same_rebuild_with_foreign_keys_on_loses_them(tmp_path):
    """Why the mode exists: SQLite cascades the DROP of the old table."""
    path = tmp_path / "bot.sqlite3"
    await _filled(path)
    conn = await _connect(path)
    try:
        rebuild = Migration(NEXT, "users with a name limit", await _rebuild_users(conn))
        await migrate(conn, str(path), (*MIGRATIONS, rebuild))
        after = await _counts(conn)
        assert after["users"] == 2 and after["handoffs"] == 0 and after["questions with their asker"] == 0
    finally:
        await conn.close()


async def test_a_rebuild_that_would_leave_dangling_references_is_rolled_back(tmp_path):
    path = tmp_path / "bot.sqlite3"
    await _filled(path)
    conn = await _connect(path)
    try:
        before = await _counts(conn)
        careless = Migration(NEXT, "drops a user", "DELETE FROM users WHERE telegram_id = 1;", foreign_keys_off=True)
        with pytest.raises(BrokenReferencesError, match="pointing at nothing"):
            await migrate(conn, str(path), (*MIGRATIONS, careless))
        assert await schema_version(conn) == NEXT - 1 and await _counts(conn) == before
        async with conn.execute("PRAGMA foreign_keys") as cursor:
            assert (await cursor.fetchone())[0] == 1
    finally:
        await conn.close()
