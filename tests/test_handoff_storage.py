"""Questions handed to a person (``bot.storage.handoffs``): what an asker, a responder or an admin
would notice about the queue, who is asked (``bot.handoff.routing``, ``users.covering_coordinators``)
and how the items follow the privacy rules (retention, deleting a person, migrating to schema 6).

Everything runs against a real SQLite database; times are given with ``now=`` so that nothing
depends on the clock.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite
import pytest

from bot.handoff.routing import Route, may_act, route
from bot.storage import (
    MIGRATIONS,
    Database,
    log_question,
    register_user,
    set_coordinator,
)
from bot.storage import handoffs as store
from bot.storage.handoffs import DAILY_LIMIT, DailyLimitError
from bot.storage.migrations import migrate
from bot.storage.privacy import delete_person, prune_questions, stored_about
from bot.storage.users import covering_coordinators, get_user, responders, set_responder

SITI = 1001  # asks
BUDI = 1002  # asks too; must keep everything of his
RINA = 2001  # a responder
JOKO = 2002  # another responder
NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    async with await Database.open(tmp_path / "x.sqlite3") as database:
        for person, name in ((SITI, "Siti"), (BUDI, "Budi"), (RINA, "Rina"), (JOKO, "Joko")):
            await register_user(database, person, name, None, "id")
        yield database


async def ask(db: Database, asker: int = SITI, text: str = "bansos kok belum cair?", **kwargs: object):
    return await store.open_handoff(db, asker, text, **kwargs)  # type: ignore[arg-type]


async def count(db: Database, sql: str, *params: object) -> int:
    row = await db.fetch_one(sql, params)
    assert row is not None
    return int(row[0])


# --- answering: the first answer wins ----------------------------------------------------------


async def test_a_new_item_is_open_with_what_the_asker_said(db):
    item = await ask(db, asker_role="tpk", region_code="64.02.06", candidates=["bpnt-cair", "pkh-cair"], urgent=True)
    assert (item.state, item.open, item.to_admins) == ("open", True, False)
    assert (item.asker_id, item.asker_role, item.region_code) == (SITI, "tpk", "64.02.06")
    assert item.candidates == ("bpnt-cair", "pkh-cair") and item.urgent
    assert (item.answered_by, item.answer, item.rating) == (None, None, None)
    assert await store.get_handoff(db, item.id) == item


async def test_the_first_answer_wins_and_a_later_answer_or_close_changes_nothing(db):
    item = await ask(db)
    answered, won = await store.answer_handoff(db, item.id, RINA, "Rina", "responder", "Cair minggu depan.")
    assert won and answered is not None
    assert (answered.state, answered.answered_by, answered.answerer_name, answered.answer) == (
        "answered", RINA, "Rina", "Cair minggu depan."
    )  # fmt: skip
    assert answered.answered_at is not None

    late, won = await store.answer_handoff(db, item.id, JOKO, "Joko", "coordinator", "Tanya ke dinas sosial.")
    assert not won and late is not None
    assert (late.state, late.answered_by, late.answerer_name, late.answer) == ("answered", RINA, "Rina", "Cair minggu depan.")

    closed, won = await store.close_handoff(db, item.id, JOKO)
    assert not won and closed is not None
    assert (closed.state, closed.closed_by, closed.answer) == ("answered", None, "Cair minggu depan.")
    assert await store.get_handoff(db, item.id) == answered


async def test_a_closed_item_cannot_be_answered_afterwards(db):
    item = await ask(db)
    closed, won = await store.close_handoff(db, item.id, RINA)
    assert won and closed is not None and (closed.state, closed.closed_by) == ("closed", RINA)
    late, won = await store.answer_handoff(db, item.id, JOKO, "Joko", "responder", "Sudah cair.")
    assert not won and late is not None and (late.state, late.answer, late.answered_by) == ("closed", None, None)
    assert (await store.close_handoff(db, item.id, JOKO))[1] is False


async def test_unknown_items_are_none(db):
    assert await store.answer_handoff(db, 999, RINA, "Rina", "responder", "?") == (None, False)
    assert await store.close_handoff(db, 999, RINA) == (None, False)
    assert await store.get_handoff(db, 999) is None


async def test_two_responders_answering_at_once_only_one_wins(db):
    item = await ask(db)
    results = await asyncio.gather(
        store.answer_handoff(db, item.id, RINA, "Rina", "responder", "Jawaban Rina"),
        store.answer_handoff(db, item.id, JOKO, "Joko", "responder", "Jawaban Joko"),
    )
    winners = [handoff for handoff, won in results if won]
    assert len(winners) == 1
    stored = await store.get_handoff(db, item.id)
    assert stored is not None and stored.answer == winners[0].answer and stored.answered_by == winners[0].answered_by
    assert all(handoff is not None and handoff.answer == stored.answer for handoff, _ in results)


async def test_long_texts_are_cut(db):
    item = await ask(db, text="x" * 5000)
    assert len(item.text) == store.MAX_TEXT
    answered, _ = await store.answer_handoff(db, item.id, RINA, "Rina", "responder", "y" * 5000)
    assert answered is not None and len(answered.answer or "") == store.MAX_TEXT


# --- opening: one item per logged question, the daily limit ------------------------------------


async def test_the_same_logged_question_is_queued_once(db):
    question = await log_question(db, SITI, "private", "bansos kok belum cair?", "none", None, 10.0)
    first = await ask(db, question_id=question)
    again = await ask(db, question_id=question, text="ditanyakan lagi")
    assert again == first
    assert await store.by_question(db, question) == first
    assert await count(db, "SELECT count(*) FROM handoffs") == 1
    other = await ask(db)  # without a logged question: a new item each time
    assert other.id != first.id


async def test_the_daily_limit_refuses_the_sixth_but_never_an_urgent_one(db):
    for n in range(DAILY_LIMIT):
        await ask(db, text=f"pertanyaan {n}", now=NOW + timedelta(hours=n))
    with pytest.raises(DailyLimitError):
        await ask(db, text="keenam", now=NOW + timedelta(hours=6))
    assert await count(db, "SELECT count(*) FROM handoffs") == DAILY_LIMIT
    urgent = await ask(db, text="anak kejang dan demam tinggi", urgent=True, now=NOW + timedelta(hours=6))
    assert urgent.urgent and urgent.open
    await ask(db, BUDI, now=NOW + timedelta(hours=6))  # the limit is per person


async def test_items_older_than_24_hours_do_not_count_towards_the_limit(db):
    for n in range(DAILY_LIMIT):
        await ask(db, text=f"kemarin {n}", now=NOW - timedelta(hours=25))
    for n in range(DAILY_LIMIT):
        await ask(db, text=f"hari ini {n}", now=NOW + timedelta(minutes=n))
    with pytest.raises(DailyLimitError):
        await ask(db, text="keenam hari ini", now=NOW + timedelta(hours=1))


async def test_a_question_already_queued_is_returned_even_at_the_limit(db):
    question = await log_question(db, SITI, "private", "bansos kok belum cair?", "none", None, 10.0)
    first = await ask(db, question_id=question, now=NOW)
    for n in range(DAILY_LIMIT - 1):
        await ask(db, text=f"lagi {n}", now=NOW)
    assert await ask(db, question_id=question, now=NOW) == first


# --- passing on, reminders and escalation -------------------------------------------------------


async def test_passing_to_the_admins_happens_once_and_only_while_open(db):
    item = await ask(db)
    passed = await store.pass_to_admins(db, item.id)
    assert passed is not None and passed.to_admins and passed.open
    assert await store.pass_to_admins(db, item.id) is None  # already passed
    answered = await ask(db, text="yang sudah dijawab")
    await store.answer_handoff(db, answered.id, RINA, "Rina", "responder", "Sudah.")
    assert await store.pass_to_admins(db, answered.id) is None
    assert not (await store.get_handoff(db, answered.id)).to_admins  # type: ignore[union-attr]
    assert await store.pass_to_admins(db, 999) is None


async def test_waiting_items_are_due_for_a_reminder_then_an_escalation_once_each(db):
    old = await ask(db, text="lama", now=NOW)
    recent = await ask(db, text="baru", now=NOW + timedelta(hours=20))
    answered = await ask(db, text="dijawab", now=NOW)
    await store.answer_handoff(db, answered.id, RINA, "Rina", "responder", "Sudah.")

    later = NOW + timedelta(hours=25)
    assert await store.due_reminders(db, NOW + timedelta(hours=23), timedelta(hours=24)) == []
    assert [h.id for h in await store.due_reminders(db, later, timedelta(hours=24))] == [old.id]
    await store.mark_reminded(db, old.id, later)
    assert await store.due_reminders(db, later, timedelta(hours=24)) == []
    assert (await store.get_handoff(db, old.id)).reminded_at == later  # type: ignore[union-attr]

    much_later = NOW + timedelta(hours=73)
    assert await store.due_escalations(db, NOW + timedelta(hours=71), timedelta(hours=72)) == []
    assert [h.id for h in await store.due_escalations(db, much_later, timedelta(hours=72))] == [old.id]
    await store.mark_escalated(db, old.id, much_later)
    assert await store.due_escalations(db, much_later, timedelta(hours=72)) == []
    escalated = await store.get_handoff(db, old.id)
    assert escalated is not None and escalated.to_admins and escalated.escalated_at == much_later
    assert not (await store.get_handoff(db, recent.id)).to_admins  # type: ignore[union-attr]
    # the recent one comes due in its own time
    assert [h.id for h in await store.due_reminders(db, NOW + timedelta(hours=45), timedelta(hours=24))] == [recent.id]


# --- notifications, the asker's copy of the answer, rating --------------------------------------


async def test_notices_are_remembered_and_a_reply_to_one_finds_its_item(db):
    item = await ask(db)
    other = await ask(db, BUDI)
    await store.add_notice(db, item.id, RINA, 11)
    await store.add_notice(db, item.id, JOKO, 12)
    await store.add_notice(db, item.id, RINA, 11)  # the same message twice: kept once
    await store.add_notice(db, other.id, RINA, 13)
    assert await store.notices(db, item.id) == [(RINA, 11), (JOKO, 12)]
    assert await store.noticed_item(db, RINA, 11) == item.id
    assert await store.noticed_item(db, RINA, 13) == other.id
    assert await store.noticed_item(db, JOKO, 11) is None  # message 11 is in Rina's chat, not Joko's
    assert await store.noticed_item(db, RINA, 99) is None
    assert await store.notices(db, 999) == []


async def test_a_reply_to_the_answer_is_found_only_for_the_asker(db):
    item = await ask(db)
    await store.answer_handoff(db, item.id, RINA, "Rina", "responder", "Cair minggu depan.")
    await store.set_answer_message(db, item.id, 555)
    found = await store.by_answer_message(db, SITI, 555)
    assert found is not None and found.id == item.id and found.answer_message_id == 555
    assert await store.by_answer_message(db, BUDI, 555) is None
    assert await store.by_answer_message(db, SITI, 556) is None


async def test_only_the_asker_rates_and_only_an_answered_item(db):
    item = await ask(db)
    assert not await store.rate_answer(db, item.id, SITI, 1)  # still open
    await store.answer_handoff(db, item.id, RINA, "Rina", "responder", "Cair minggu depan.")
    assert not await store.rate_answer(db, item.id, BUDI, -1)  # not his question
    assert (await store.get_handoff(db, item.id)).rating is None  # type: ignore[union-attr]
    assert await store.rate_answer(db, item.id, SITI, -1)
    assert await store.rate_answer(db, item.id, SITI, 1)  # changing her mind
    assert (await store.get_handoff(db, item.id)).rating == 1  # type: ignore[union-attr]
    closed = await ask(db, text="ditutup")
    await store.close_handoff(db, closed.id, RINA)
    assert not await store.rate_answer(db, closed.id, SITI, 1)
    for bad in (0, 2, -2):
        with pytest.raises(ValueError):
            await store.rate_answer(db, item.id, SITI, bad)


async def test_the_queue_lists_and_counts(db):
    second = await ask(db, text="kedua", now=NOW + timedelta(hours=1))  # stored first, asked later
    first = await ask(db, text="pertama", now=NOW, urgent=True)
    done = await ask(db, text="dijawab", now=NOW - timedelta(hours=1))
    gone = await ask(db, text="ditutup", now=NOW - timedelta(hours=2))
    await store.answer_handoff(db, done.id, RINA, "Rina", "responder", "Sudah.")
    await store.close_handoff(db, gone.id, RINA)
    assert [h.id for h in await store.open_items(db)] == [first.id, second.id]
    assert [h.id for h in await store.open_items(db, limit=1)] == [first.id]
    assert [h.id for h in await store.answered_items(db)] == [done.id]
    assert await store.answered_items(db, since=NOW) == []
    assert await store.count_by_state(db) == {"open": 2, "answered": 1, "closed": 1, "urgent_open": 1}


# --- responders and the coordinators covering a region ------------------------------------------


async def test_the_responder_role_is_granted_and_revoked(db):
    assert (await set_responder(db, RINA, True)).responder
    await set_responder(db, JOKO, True)
    assert await responders(db) == [RINA, JOKO]
    assert not (await set_responder(db, JOKO, False)).responder
    assert await responders(db) == [RINA]
    assert not (await get_user(db, SITI)).responder  # type: ignore[union-attr]


KAB, KEC, NATIONAL, JAKARTA, BOTH, REVOKED = 3001, 3002, 3003, 3004, 3005, 3006


@pytest.fixture
async def coordinators(db: Database) -> Database:
    scopes = {KAB: ["64.02"], KEC: ["64.02.06"], NATIONAL: [], JAKARTA: ["31.71"], BOTH: ["64.02", "64.02.06"],
              REVOKED: ["64.02"]}  # fmt: skip
    for telegram_id, regions in scopes.items():
        await register_user(db, telegram_id, f"Koordinator {telegram_id}", None, "id")
        await set_coordinator(db, telegram_id, True, regions)
    await set_coordinator(db, REVOKED, False)
    return db


@pytest.mark.parametrize(
    ("asker_region", "regional"),
    [
        ("64.02", [KAB, BOTH]),  # the kabupaten itself
        ("64.02.06", [KAB, KEC, BOTH]),  # a kecamatan inside it
        ("64.02.06.2001", [KAB, KEC, BOTH]),  # a desa inside both (BOTH listed once)
        ("64.02.07", [KAB, BOTH]),  # another kecamatan of the kabupaten: not KEC
        ("64.03", []),
        ("64.03.06", []),
        ("31.71", [JAKARTA]),
        ("31.71.07.1001", [JAKARTA]),
        ("64", []),  # the province: above every regional coordinator
        (None, []),
    ],
)
async def test_covering_coordinators_are_those_whose_regions_include_the_askers(coordinators, asker_region, regional):
    assert await covering_coordinators(coordinators, asker_region) == (regional, [NATIONAL])


async def test_a_coordinator_flag_taken_away_by_hand_is_not_covering(coordinators):
    """A leftover region row (the flag cleared outside ``set_coordinator``) does not make a coordinator."""
    await coordinators.write_returning("UPDATE users SET coordinator = 0 WHERE telegram_id = ? RETURNING 1", (KAB,))
    assert await covering_coordinators(coordinators, "64.02.06") == ([KEC, BOTH], [NATIONAL])


async def test_without_any_coordinator_nobody_covers(db):
    assert await covering_coordinators(db, "64.02.06") == ([], [])


# --- routing (pure) ----------------------------------------------------------------------------

ADMIN_A, ADMIN_B = 9001, 9002


@pytest.mark.parametrize(
    ("regional", "national", "admins", "responders_", "to_admins", "expected"),
    [
        ([KAB, KEC], [NATIONAL], [ADMIN_A], [RINA], False, Route((KAB, KEC), "region")),
        ([KAB, KAB, KEC], [], [], [], False, Route((KAB, KEC), "region")),  # each once, in order
        ([], [NATIONAL], [ADMIN_A], [RINA], False, Route((NATIONAL,), "national")),
        ([], [], [ADMIN_B, ADMIN_A], [RINA], False, Route((ADMIN_A, ADMIN_B, RINA), "admins")),  # no coordinators
        ([KAB], [NATIONAL], [ADMIN_A], [RINA, JOKO], True, Route((ADMIN_A, RINA, JOKO), "admins")),  # passed on
        ([], [NATIONAL], [ADMIN_A], [ADMIN_A, RINA], True, Route((ADMIN_A, RINA), "admins")),  # an admin who responds
        ([], [], [], [RINA], False, Route((RINA,), "admins")),
        ([], [], [], [], False, Route((), "admins")),  # nobody at all
        ([KAB], [], [], [], True, Route((), "admins")),  # passed on, and nobody to pass it to
    ],
)
def test_route(regional, national, admins, responders_, to_admins, expected):
    assert route(regional, national, admins, responders_, to_admins=to_admins) == expected


@pytest.mark.parametrize(
    ("who", "scopes", "region", "allowed"),
    [
        ("admin", [], "64.02.06", True),
        ("admin", [], None, True),
        ("responder", [], "31.71", True),
        ("responder", [], None, True),
        ("nobody", [], "64.02.06", False),
        ("nobody", ["64.02"], "64.02.06", False),  # regions without the coordinator role give nothing
        ("coordinator", [], "31.71", True),  # national
        ("coordinator", [], None, True),
        ("coordinator", ["64.02"], "64.02.06.2001", True),
        ("coordinator", ["64.02"], "64.02", True),
        ("coordinator", ["64.02.06"], "64.02", False),  # above their region
        ("coordinator", ["64.02"], "64.03", False),
        ("coordinator", ["64.02"], "64.020", False),  # not a prefix match on text
        ("coordinator", ["31.71", "64.02"], "64.02.06", True),
        ("coordinator", ["64.02"], None, False),  # an asker without a region: not theirs
    ],
)
def test_may_act(who, scopes, region, allowed):
    flags = {"admin": who == "admin", "responder": who == "responder", "coordinator": who == "coordinator"}
    assert may_act(**flags, scopes=iter(scopes), region_code=region) is allowed


# --- privacy ----------------------------------------------------------------------------------


async def test_retention_deletes_old_items_with_their_notices_and_keeps_newer_ones(db):
    old = [await ask(db, text=f"lama {n}", now=NOW - timedelta(days=200 + n)) for n in range(5)]
    just_old = await ask(db, BUDI, text="baru saja lewat", now=NOW - timedelta(days=180, seconds=1))
    kept = await ask(db, BUDI, text="masih disimpan", now=NOW - timedelta(days=179, hours=23))
    recent = await ask(db, text="baru", now=NOW - timedelta(days=1))
    for item in (*old, just_old, kept, recent):
        await store.add_notice(db, item.id, RINA, 100 + item.id)

    pruned = await prune_questions(db, 180, now=NOW, batch=2)  # more old items than one batch, no old questions
    assert (pruned.questions, pruned.handoffs) == (0, 6)

    remaining = [row[0] for row in await db.fetch_all("SELECT id FROM handoffs ORDER BY id")]
    assert remaining == [kept.id, recent.id]
    assert await count(db, "SELECT count(*) FROM handoff_notices") == 2
    assert await store.notices(db, kept.id) == [(RINA, 100 + kept.id)]
    assert await store.noticed_item(db, RINA, 100 + old[0].id) is None


async def test_deleting_the_asker_removes_their_items_and_notices(db):
    mine = [await ask(db, text=f"siti {n}") for n in range(2)]
    his = await ask(db, BUDI, text="punya budi")
    for item in (*mine, his):
        await store.add_notice(db, item.id, RINA, 100 + item.id)
    await store.answer_handoff(db, mine[0].id, RINA, "Rina", "responder", "Sudah.")

    assert (await stored_about(db, SITI)).handoffs == 2
    deleted = await delete_person(db, SITI)

    assert deleted.handoffs == 2 and deleted.anything
    assert [row[0] for row in await db.fetch_all("SELECT id FROM handoffs")] == [his.id]
    assert await store.notices(db, his.id) == [(RINA, 100 + his.id)]
    assert await count(db, "SELECT count(*) FROM handoff_notices") == 1
    assert (await stored_about(db, SITI)).handoffs == 0
    assert (await stored_about(db, BUDI)).handoffs == 1


async def test_deleting_a_responder_keeps_the_answer_but_not_their_name(db):
    item = await ask(db)
    closed = await ask(db, text="ditutup")
    await store.add_notice(db, item.id, RINA, 11)
    await store.add_notice(db, item.id, JOKO, 12)
    await store.answer_handoff(db, item.id, RINA, "Rina", "responder", "Cair minggu depan.")
    await store.close_handoff(db, closed.id, RINA)

    deleted = await delete_person(db, RINA)

    assert deleted.handoffs == 0  # she asked nothing
    kept = await store.get_handoff(db, item.id)
    assert kept is not None and kept.state == "answered" and kept.answer == "Cair minggu depan."
    assert (kept.answered_by, kept.answerer_name) == (None, None)
    assert (await store.get_handoff(db, closed.id)).closed_by is None  # type: ignore[union-attr]
    assert await store.notices(db, item.id) == [(JOKO, 12)]  # the notice in her chat is forgotten
    assert await store.noticed_item(db, RINA, 11) is None


async def test_stored_about_counts_only_the_persons_own_items(db):
    await ask(db)
    await ask(db, text="lagi")
    await ask(db, BUDI)
    assert (await stored_about(db, SITI)).handoffs == 2
    assert (await stored_about(db, RINA)).handoffs == 0


def _dump(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table (the new responder column left out, so versions compare)."""
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        out = {}
        for table in tables:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] != "responder"]
            out[table] = conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid").fetchall()
    conn.close()
    return out


async def test_migrating_a_schema_5_database_to_6_keeps_every_row(tmp_path):
    path = tmp_path / "v5.sqlite3"
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        assert await migrate(conn, str(path), MIGRATIONS[:5]) == [1, 2, 3, 4, 5]
        for telegram_id, coordinator in ((SITI, 0), (BUDI, 1)):
            await conn.execute(
                "INSERT INTO users (telegram_id, first_name, role, region_code, coordinator, created_at, updated_at,"
                " last_seen_at) VALUES (?, 'Orang', 'tpk', '64.02.06', ?, '2026-01-01', '2026-01-02', '2026-01-03')",
                (telegram_id, coordinator),
            )
        await conn.execute("INSERT INTO coordinator_regions VALUES (?, '64.02')", (BUDI,))
        await conn.execute("INSERT INTO questions (telegram_id, text, status, score, asked_at, urgent)"
                           " VALUES (?, 'anak kejang', 'answer', 90, '2026-01-05', 1)", (SITI,))  # fmt: skip
        await conn.execute("INSERT INTO feedback (question_id, telegram_id, entry_id, value, created_at)"
                           " VALUES (1, ?, 'tanda-bahaya', 1, '2026-01-05')", (SITI,))  # fmt: skip
        await conn.execute("INSERT INTO broadcasts (created_by, text, audience, status, send_at, created_at)"
                           " VALUES (?, 'Rapat', '{}', 'done', '2026-01-06', '2026-01-06')", (BUDI,))  # fmt: skip
        await conn.execute("INSERT INTO deliveries (broadcast_id, telegram_id, state, updated_at)"
                           " VALUES (1, ?, 'sent', '2026-01-06')", (SITI,))  # fmt: skip
        before = _dump(path)
        assert all(before[t] for t in ("users", "questions", "feedback", "coordinator_regions", "broadcasts", "deliveries"))
        assert await migrate(conn, str(path), MIGRATIONS[:6]) == [6]

    after = _dump(path)
    assert {table: rows for table, rows in after.items() if table in before} == before
    assert (after["handoffs"], after["handoff_notices"]) == ([], [])
    async with await Database.open(path) as db:  # and the bot works on it (with any later migration)
        assert not (await get_user(db, SITI)).responder  # type: ignore[union-attr]
        item = await store.open_handoff(db, SITI, "apakah sudah cair?", question_id=1)
        assert await store.by_question(db, 1) == item
