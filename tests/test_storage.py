"""Storage: what a field worker or an admin would notice about users, the question log,
feedback and the database file itself."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest

from bot.storage import (
    LATEST_VERSION,
    MIGRATIONS,
    Database,
    Migration,
    SchemaTooNewError,
    UnknownUserError,
    count_users,
    feedback_totals,
    get_question,
    get_user,
    last_answered_entry,
    log_question,
    mark_unreachable,
    record_feedback,
    register_user,
    set_region,
    set_role,
    set_subscribed,
)
from bot.storage.migrations import migrate

SITI = 1001


@pytest.fixture
async def db() -> AsyncIterator[Database]:
    async with await Database.open(":memory:") as database:
        await register_user(database, SITI, "Siti", "siti_pkh", "id")
        yield database


async def test_registering_again_refreshes_names_but_keeps_profile_and_subscription(db: Database) -> None:
    await set_role(db, SITI, "pendamping_pkh")
    await set_region(db, SITI, "Kabupaten Bandung", "Lembang")
    await set_subscribed(db, SITI, False)

    user, created = await register_user(db, SITI, "Siti Aminah", None, "en")

    assert not created
    assert (user.first_name, user.username, user.language_code) == ("Siti Aminah", None, "en")
    assert (user.role, user.kabupaten, user.kecamatan) == ("pendamping_pkh", "Kabupaten Bandung", "Lembang")
    assert not user.subscribed
    assert user.last_seen_at >= user.created_at
    _, created = await register_user(db, 2002, "Budi", None, None)
    assert created
    assert await count_users(db) == 2


async def test_region_set_changed_and_cleared(db: Database) -> None:
    user = await set_region(db, SITI, "  Kota Bandung ", " ")
    assert (user.kabupaten, user.kecamatan) == ("Kota Bandung", None)
    assert (await set_region(db, SITI, "Garut", "Tarogong Kidul")).kecamatan == "Tarogong Kidul"
    assert await count_users(db, kabupaten="Garut") == 1

    user = await set_region(db, SITI, None)
    assert (user.kabupaten, user.kecamatan) == (None, None)
    with pytest.raises(ValueError, match="kecamatan needs its kabupaten"):
        await set_region(db, SITI, None, "Lembang")


async def test_unsubscribe_and_resubscribe(db: Database) -> None:
    assert (await get_user(db, SITI)).subscribed  # type: ignore[union-attr]
    assert not (await set_subscribed(db, SITI, False)).subscribed
    assert await count_users(db, subscribed=True) == 0
    assert (await set_subscribed(db, SITI, True)).subscribed
    assert await count_users(db, subscribed=True) == 1


async def test_unreachable_also_unsubscribes_until_they_opt_in_again(db: Database) -> None:
    user = await mark_unreachable(db, SITI)
    assert (user.reachable, user.subscribed) == (False, False)

    user, _ = await register_user(db, SITI, "Siti", "siti_pkh", "id")  # she writes to the bot again
    assert (user.reachable, user.subscribed) == (True, False)


async def test_roles_are_checked_and_setters_need_a_registered_person(db: Database) -> None:
    assert (await set_role(db, SITI, "tpk")).role == "tpk"
    assert await count_users(db, role="tpk") == 1
    assert (await set_role(db, SITI, None)).role is None
    with pytest.raises(ValueError, match="unknown role 'bidan'.*pendamping_pkh"):
        await set_role(db, SITI, "bidan")  # type: ignore[arg-type]
    with pytest.raises(UnknownUserError, match="9999"):
        await set_subscribed(db, 9999, True)
    assert await get_user(db, 9999) is None


async def test_questions_are_logged_and_the_latest_answered_entry_found(db: Database) -> None:
    assert await last_answered_entry(db, SITI) is None
    await log_question(db, SITI, "private", "apa itu stunting", "answer", "stunting-definisi", 81.5)
    await log_question(db, SITI, "private", "brp peserta diklat", "answer", "diklat-peserta", 77.0)
    await log_question(db, SITI, "private", "cuaca besok", "none", None, 12.0)
    qid = await log_question(db, SITI, "group", "x" * 5000, "suggest", None, 50.0)

    assert await last_answered_entry(db, SITI) == "diklat-peserta"  # not the later suggest/none
    question = await get_question(db, qid)
    assert question is not None
    assert (question.text, question.chat_type, question.status) == ("x" * 1000, "group", "suggest")
    with pytest.raises(ValueError, match="unknown status"):
        await log_question(db, SITI, "private", "?", "maybe", None, 0.0)  # type: ignore[arg-type]


async def test_changing_a_vote_updates_it_instead_of_adding_another(db: Database) -> None:
    qid = await log_question(db, SITI, "private", "apa itu stunting", "answer", "stunting-definisi", 81.5)
    await record_feedback(db, qid, SITI, "stunting-definisi", 1)
    await record_feedback(db, qid, SITI, "stunting-definisi", -1)

    assert await feedback_totals(db, "stunting-definisi") == (0, 1)
    assert len(await db.fetch_all("SELECT * FROM feedback")) == 1
    with pytest.raises(ValueError, match="-1 or 1"):
        await record_feedback(db, qid, SITI, "stunting-definisi", 0)  # type: ignore[arg-type]


async def test_fresh_file_is_migrated_once_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "bot.sqlite3"
    async with await Database.open(path) as db:
        assert (await db.fetch_one("PRAGMA user_version"))[0] == LATEST_VERSION  # type: ignore[index]
        tables = {r["name"] for r in await db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"users", "questions", "feedback"} <= tables
        await register_user(db, SITI, "Siti", None, "id")

    async with await Database.open(path) as db:  # re-applying would fail on CREATE TABLE
        assert (await get_user(db, SITI)) is not None
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        assert await migrate(conn, str(path)) == []


async def test_file_database_uses_wal_and_enforces_foreign_keys(tmp_path: Path) -> None:
    async with await Database.open(tmp_path / "bot.sqlite3") as db:
        assert (await db.fetch_one("PRAGMA journal_mode"))[0] == "wal"  # type: ignore[index]
        assert (await db.fetch_one("PRAGMA busy_timeout"))[0] == 5000  # type: ignore[index]
        with pytest.raises(sqlite3.IntegrityError):
            await log_question(db, 424242, "private", "siapa saya?", "none", None, 0.0)


async def test_database_from_a_newer_bot_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.close()
    expected = f"schema version {LATEST_VERSION + 1}, but this version of the bot only knows up to {LATEST_VERSION}"
    with pytest.raises(SchemaTooNewError, match=expected):
        await Database.open(path)


async def test_a_failing_migration_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    await (await Database.open(path)).close()
    broken = Migration(LATEST_VERSION + 1, "broken", "CREATE TABLE extra (a); INSERT INTO missing VALUES (1);")
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        with pytest.raises(sqlite3.OperationalError, match="missing"):
            await migrate(conn, str(path), (*MIGRATIONS, broken))
        async with conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'extra'") as cursor:
            assert (await cursor.fetchone())[0] == 0  # type: ignore[index]
        assert await migrate(conn, str(path), (*MIGRATIONS, Migration(LATEST_VERSION + 1, "ok", "CREATE TABLE extra (a);"))) == [
            LATEST_VERSION + 1
        ]


async def test_two_hundred_concurrent_writes_all_land_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    async with await Database.open(path) as db:
        await register_user(db, SITI, "Siti", None, "id")
        ids = await asyncio.gather(
            *(log_question(db, SITI, "private", f"pertanyaan {i}", "answer", f"e{i}", float(i)) for i in range(200)),
            *(register_user(db, 5000 + i, f"Kader {i}", None, "id") for i in range(50)),
        )
    assert len(set(ids[:200])) == 200
    async with await Database.open(path) as db:  # committed, not just visible on one connection
        assert (await db.fetch_one("SELECT count(*) FROM questions"))[0] == 200  # type: ignore[index]
        assert await count_users(db) == 51


async def test_a_failed_operation_rolls_back_without_touching_concurrent_ones(db: Database) -> None:
    async def failing() -> None:
        async with db.transaction() as conn:
            await conn.execute("UPDATE users SET first_name = 'hilang' WHERE telegram_id = ?", (SITI,))
            await asyncio.sleep(0)
            raise RuntimeError("boom")

    results = await asyncio.gather(
        failing(), log_question(db, SITI, "private", "halo", "none", None, 0.0), return_exceptions=True
    )
    assert isinstance(results[0], RuntimeError) and isinstance(results[1], int)
    assert (await get_user(db, SITI)).first_name == "Siti"  # type: ignore[union-attr]
    assert (await get_question(db, results[1])) is not None


async def test_injection_looking_name_is_stored_verbatim(db: Database) -> None:
    name = "Robert'); DROP TABLE users;--"
    await register_user(db, 3003, name, name, "id")
    user = await set_region(db, 3003, name)
    assert (user.first_name, user.username, user.kabupaten) == (name, name, name)
    assert await get_user(db, 3003) == user
    assert await count_users(db) == 2  # the users table is still there


async def test_question_log_hands_out_ids_at_once_and_writes_them_behind(tmp_path):
    from bot.storage import Database, QuestionLog, get_question, register_user

    db = await Database.open(tmp_path / "log.sqlite3")
    await register_user(db, 1, "Siti", None, "id")
    log = QuestionLog(db)
    await log.start()
    ids = [log.record(1, "private", f"pertanyaan {n}", "answer", "pkh-tujuan", 80.0) for n in range(50)]
    assert ids == list(range(ids[0], ids[0] + 50))  # no waiting, consecutive ids
    await log.close()  # flushes everything queued
    assert (await get_question(db, ids[-1])).text == "pertanyaan 49"
    await db.close()
    # A new log continues after the highest id already written.
    db = await Database.open(tmp_path / "log.sqlite3")
    log = QuestionLog(db)
    await log.start()
    assert log.record(None, "private", "lagi", "none", None, 0.0) == ids[-1] + 1
    await log.close()
    await db.close()
