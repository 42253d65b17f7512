"""Official region codes in the database: the one-time mapping of older free-text regions, audiences by
code (a kabupaten reaches its kecamatan and desa), and coordinators scoped to regions."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest

from bot.storage import Database, register_user
from bot.storage import broadcasts as store
from bot.storage.broadcasts import Audience
from bot.storage.migrations import MIGRATIONS, migrate
from bot.storage.region_codes import map_free_text
from bot.storage.users import (
    coordinator_regions,
    get_user,
    set_coordinator,
    set_region_code,
    unresolved_regions,
)

# Free text as people typed it before codes existed (the three Kukar companions and a typo).
TYPED = {
    1: ("kukar", None),
    2: ("Kab. Kutai Kartanegara", "Tenggarong"),
    3: ("kutai kartanegara", None),
    4: ("kutai kartanegra", None),
    5: ("Bogor", None),  # two places: not guessed
    6: ("Kampung Durian Runtuh", None),  # no such place
    7: ("Jakarta Pusat", "Tanah Abang"),
}


async def _version3_database(path: Path) -> None:
    """A database as version 3 of the bot left it: free-text regions, a question, a vote, a broadcast."""
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        await migrate(conn, str(path), MIGRATIONS[:3])
        for telegram_id, (kabupaten, kecamatan) in TYPED.items():
            await conn.execute(
                "INSERT INTO users (telegram_id, first_name, role, kabupaten, kecamatan, created_at, updated_at,"
                " last_seen_at) VALUES (?, ?, 'pendamping_pkh', ?, ?, '2026-01-01', '2026-01-02', '2026-01-03')",
                (telegram_id, f"P{telegram_id}", kabupaten, kecamatan),
            )
        await conn.execute("INSERT INTO users (telegram_id, first_name, created_at, updated_at, last_seen_at)"
                           " VALUES (8, 'No region', '2026-01-01', '2026-01-01', '2026-01-01')")  # fmt: skip
        await conn.execute("INSERT INTO questions (telegram_id, text, status, score, asked_at)"
                           " VALUES (1, 'apa itu pkh', 'answer', 90, '2026-01-05')")  # fmt: skip
        await conn.execute("INSERT INTO feedback (question_id, telegram_id, entry_id, value, created_at)"
                           " VALUES (1, 1, 'pkh-apa', 1, '2026-01-05')")  # fmt: skip


def _dump(path: Path, skip_columns: set[str]) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        out = {}
        for table in tables:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] not in skip_columns]
            out[table] = conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid").fetchall()
        return out


async def test_older_free_text_regions_get_codes_and_nothing_else_changes(tmp_path, catalogue):
    path = tmp_path / "bot.sqlite3"
    await _version3_database(path)
    before = _dump(path, set())
    async with await Database.open(path) as db:  # migrations 4+
        mapped = await map_free_text(db, catalogue.profile_code)
        assert (mapped.checked, mapped.mapped) == (7, 5)
        codes = {i: (await get_user(db, i)).region_code for i in range(1, 9)}
        assert codes == {1: "64.02", 2: "64.02.06", 3: "64.02", 4: "64.02", 5: None, 6: None, 7: "31.71.07", 8: None}
        assert [u.telegram_id for u in await unresolved_regions(db)] == [5, 6]
        # Run again (every start-up does): nothing is looked up twice.
        assert (await map_free_text(db, catalogue.profile_code)).checked == 0
    # the columns migrations 4-6 add (5: questions.urgent, 0 for every older question; 6: users.responder)
    after = _dump(path, {"region_code", "region_checked_at", "region_asked_at", "urgent", "responder"})
    for added in ("coordinator_regions", "handoffs", "handoff_notices", "inbox"):  # new, empty tables
        assert after.pop(added) == []
    assert after == before  # the typed text, names, dates, questions and votes are untouched


async def test_the_four_kukar_companions_are_all_in_a_broadcast_to_kutai_kartanegara(tmp_path, catalogue):
    path = tmp_path / "bot.sqlite3"
    await _version3_database(path)
    async with await Database.open(path) as db:
        await map_free_text(db, catalogue.profile_code)
        target = catalogue.find("Kutai Kartanegara").place
        broadcast_id, count = await store.create_broadcast(db, "Rapat koordinasi", Audience(regions=(target.code,)))
        recipients = sorted(d.telegram_id for d in await store.deliveries(db, broadcast_id))
        assert (count, recipients) == (4, [1, 2, 3, 4])


@pytest.fixture
async def db() -> AsyncIterator[Database]:
    async with await Database.open(":memory:") as database:
        people = {10: "64.02", 11: "64.02.06", 12: "64.02.06.1002", 13: "64.02.07", 14: "64.20", 15: "31.71", 16: None}
        for telegram_id, code in people.items():
            await register_user(database, telegram_id, f"P{telegram_id}", None, "id")
            if code:
                await set_region_code(database, telegram_id, code)
        yield database


async def _recipients(db: Database, *codes: str) -> list[int]:
    broadcast_id, _ = await store.create_broadcast(db, "x", Audience(regions=codes))
    return sorted(d.telegram_id for d in await store.deliveries(db, broadcast_id))


async def test_a_region_reaches_everyone_inside_it_and_no_one_else(db):
    assert await _recipients(db, "64.02") == [10, 11, 12, 13]  # its kecamatan and desa too, not 64.20
    assert await _recipients(db, "64.02.06") == [11, 12]  # one kecamatan only
    assert await _recipients(db, "64.02.06.1002") == [12]
    assert await _recipients(db, "64") == [10, 11, 12, 13, 14]
    assert await _recipients(db, "64.02.07", "31.71") == [13, 15]


async def test_recipient_counts_per_region_for_the_preview(db):
    counts = await store.count_by_region(db, Audience(regions=("64.02.06", "31.71", "94.01")))
    assert counts == {"64.02.06": 2, "31.71": 1, "94.01": 0}


async def test_audiences_keep_their_region_codes_through_json():
    audience = Audience(roles=("tksk",), regions=("64.02", "31.71.07"))
    assert Audience.from_json(audience.to_json()) == audience
    with pytest.raises(ValueError):
        Audience(regions=("64.02'; DROP TABLE users; --",))


async def test_a_coordinator_is_scoped_to_regions_or_national(db):
    await set_coordinator(db, 10, True, ["64.02", "64.72"])
    assert (await get_user(db, 10)).coordinator
    assert await coordinator_regions(db, 10) == ["64.02", "64.72"]
    await set_coordinator(db, 10, True)  # granted again without regions: national
    assert await coordinator_regions(db, 10) == []
    await set_coordinator(db, 11, True, ["64.02.06"])
    await set_coordinator(db, 11, False)  # revoking drops the scope
    assert not (await get_user(db, 11)).coordinator and await coordinator_regions(db, 11) == []
    with pytest.raises(ValueError):
        await set_coordinator(db, 12, True, ["Kutai"])
