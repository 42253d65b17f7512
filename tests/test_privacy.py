"""Privacy: question retention (storage, inside the running bot, `db prune`) and deleting a
person's data (`/hapus_data` against the fake Bot API, `users delete`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.reports.records import REPORT_TZ
from bot.reports.stats import build_stats
from bot.storage import (
    Database,
    get_user,
    register_user,
    set_coordinator,
    set_region,
    set_role,
)
from bot.storage import broadcasts as broadcast_store
from bot.storage import reports as report_store
from bot.storage.privacy import delete_person, prune_questions
from bot.telegram import privacy as telegram_privacy
from tests.conftest import running_bot
from tests.fake_bot_api import FakeBotApi

SITI = 4242  # deletes her data
BUDI = 4343  # must keep all of his
NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


def stored_time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")  # the format utc_now() writes


async def add_question(db: Database, telegram_id: int | None, asked_at: datetime, *, status: str = "answer",
                       entry_id: str | None = "stunting-definisi", text: str = "apa itu stunting") -> int:
    return await db.insert(
        "INSERT INTO questions (telegram_id, chat_type, text, status, entry_id, score, asked_at)"
        " VALUES (?, 'private', ?, ?, ?, 90.0, ?)",
        (telegram_id, text, status, entry_id, stored_time(asked_at)),
    )  # fmt: skip


async def add_vote(db: Database, question_id: int, telegram_id: int, value: int, voted_at: datetime) -> None:
    await db.insert(
        "INSERT INTO feedback (question_id, telegram_id, entry_id, value, created_at)"
        " SELECT id, ?, coalesce(entry_id, 'x'), ?, ? FROM questions WHERE id = ?",
        (telegram_id, value, stored_time(voted_at), question_id),
    )


async def count(db: Database, sql: str, *params: object) -> int:
    row = await db.fetch_one(sql, params)
    assert row is not None
    return int(row[0])


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 5.0) -> Any:
    """Poll ``check`` until it returns something truthy (short sleeps; no timing asserted)."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


# --- retention: storage -----------------------------------------------------------------------


async def test_retention_deletes_exactly_the_old_questions_with_their_votes_and_keeps_reports_consistent(tmp_path):
    async with await Database.open(tmp_path / "bot.sqlite3") as db:
        for person in (SITI, BUDI):
            await register_user(db, person, "Orang", None, "id")
        old = [await add_question(db, SITI, NOW - timedelta(days=200 + i)) for i in range(5)]
        just_old = await add_question(db, BUDI, NOW - timedelta(days=180, seconds=1), status="none", entry_id=None)
        kept_edge = await add_question(db, BUDI, NOW - timedelta(days=179, hours=23))
        recent = await add_question(db, SITI, NOW - timedelta(days=2))
        unanswered = await add_question(db, BUDI, NOW - timedelta(days=1), status="none", entry_id=None)
        await add_vote(db, old[0], SITI, -1, NOW - timedelta(days=170))  # voted later, but its question is old
        await add_vote(db, old[1], BUDI, 1, NOW - timedelta(days=199))
        await add_vote(db, kept_edge, SITI, -1, NOW - timedelta(days=179))
        await add_vote(db, recent, BUDI, 1, NOW - timedelta(days=1))

        pruned = await prune_questions(db, 180, now=NOW, batch=2)  # small batches: several transactions

        assert (pruned.questions, pruned.feedback) == (6, 2)
        assert pruned.cutoff == NOW - timedelta(days=180)
        remaining = [row["id"] for row in await db.fetch_all("SELECT id FROM questions ORDER BY id")]
        assert remaining == [kept_edge, recent, unanswered]
        assert just_old not in remaining and not set(old) & set(remaining)
        # Votes went with their questions: no vote without a question, the kept votes untouched.
        assert await count(db, "SELECT count(*) FROM feedback f LEFT JOIN questions q ON q.id = f.question_id"
                               " WHERE q.id IS NULL") == 0  # fmt: skip
        assert await count(db, "SELECT count(*) FROM feedback") == 2
        # The statistics count the same questions and votes the database holds.
        stats = build_stats(
            await report_store.question_outcomes(db), await report_store.votes(db), await report_store.companions(db),
            today=NOW.astimezone(REPORT_TZ).date(),
        )  # fmt: skip
        assert (stats.total(), stats.total("none"), stats.thumbs_up, stats.thumbs_down) == (3, 1, 1, 1)
        assert stats.companions == 2  # people are not touched by retention
        # The 👎 list: the kept 👎 question and the recent unanswered one, nothing from the pruned ones.
        listed = await report_store.unanswered_questions(db)
        assert [(q.unanswered, q.disliked) for q in listed] == [(False, True), (True, False)]

        again = await prune_questions(db, 180, now=NOW)
        assert (again.questions, again.feedback) == (0, 0)
        with pytest.raises(ValueError):
            await prune_questions(db, 0, now=NOW)


# --- retention: inside the running bot --------------------------------------------------------


async def test_the_running_bot_prunes_at_start_up(fake_api, engine, tmp_path):
    now = datetime.now(UTC)
    async with await Database.open(tmp_path / "bot.sqlite3") as db:  # the bot's file, before it starts
        await register_user(db, BUDI, "Budi", None, "id")
        old = await add_question(db, BUDI, now - timedelta(days=181))
        young = await add_question(db, BUDI, now - timedelta(days=179))

    async with running_bot(fake_api, engine, tmp_path) as application:  # the default: 180 days, every 6 hours
        db = application.bot_data["services"].db
        await eventually(lambda: _gone(db, old))
        assert not await _gone(db, young)


async def _gone(db: Database, question_id: int) -> bool:
    return await count(db, "SELECT count(*) FROM questions WHERE id = ?", question_id) == 0


async def test_the_running_bot_prunes_periodically(fake_api, engine, tmp_path, monkeypatch):
    monkeypatch.setattr(telegram_privacy, "PRUNE_INTERVAL_S", 0.3)
    now = datetime.now(UTC)
    async with await Database.open(tmp_path / "bot.sqlite3") as db:  # the bot's file, before it starts
        await register_user(db, BUDI, "Budi", None, "id")
        old_at_start = await add_question(db, BUDI, now - timedelta(days=45))
        await add_vote(db, old_at_start, BUDI, 1, now - timedelta(days=44))
        young = await add_question(db, BUDI, now - timedelta(days=10))

    async with running_bot(fake_api, engine, tmp_path, BOT_QUESTION_RETENTION_DAYS=30) as application:
        db = application.bot_data["services"].db
        await eventually(lambda: _gone(db, old_at_start))
        assert await count(db, "SELECT count(*) FROM feedback") == 0
        # A question that ages past the retention while the bot runs goes at a later run.
        later = await db.insert(
            "INSERT INTO questions (id, telegram_id, chat_type, text, status, entry_id, score, asked_at)"
            " VALUES (100000, ?, 'private', 'brp pendamping pkh', 'none', NULL, 0, ?)",
            (BUDI, stored_time(now - timedelta(days=31))),
        )
        await eventually(lambda: _gone(db, later))
        assert not await _gone(db, young)
        # The bot answers as usual meanwhile.
        fake_api.user_message(BUDI, "sasaran 1000 hpk sapa aja")
        await fake_api.wait_for(lambda c: c.get("chat_id") == BUDI and "Sumber" in (c.get("text") or ""))


# --- /hapus_data ------------------------------------------------------------------------------


def buttons(call: dict) -> dict[str, str]:
    return {b["text"]: b["callback_data"] for row in call["reply_markup"]["inline_keyboard"] for b in row}


async def reply(api: FakeBotApi, chat_id: int, text: str, contains: str) -> dict:
    """Send a message as a person and wait for a *new* reply to them containing ``contains``."""
    seen = {id(call) for call in api.sent}
    api.user_message(chat_id, text, first_name="Siti" if chat_id == SITI else "Budi")
    return await api.wait_for(
        lambda c: id(c) not in seen and c.get("chat_id") == chat_id and contains in (c.get("text") or "")
    )


async def alert(api: FakeBotApi, contains: str) -> dict:
    return await api.wait_for(lambda c: c["method"] == "answerCallbackQuery" and contains in (c.get("text") or ""))


async def ask_and_vote(api: FakeBotApi, chat_id: int) -> dict:
    """Ask a question the bot answers and press 👍 under the answer; returns the answer."""
    answer = await reply(api, chat_id, "sasaran 1000 hpk sapa aja", "Sumber")
    seen = {id(call) for call in api.sent}
    api.callback(chat_id, answer["message_id"], buttons(answer)["👍"])
    await api.wait_for(lambda c: id(c) not in seen and c["method"] == "answerCallbackQuery" and c["chat_id"] == chat_id)
    return answer


GROUP = -100555


async def group_ask_and_vote(api: FakeBotApi, asker: int, *, voter: int, vote: str) -> int:
    """``asker`` asks the bot in a group; ``voter`` presses ``vote`` under the answer. Returns the
    id of the logged question (from the button)."""
    seen = len(api.sent)
    api.group_message(GROUP, "@stunting_test_bot sasaran 1000 hpk siapa saja", user_id=asker)
    answer = await api.wait_for(
        lambda c: any(c is r for r in api.sent[seen:]) and c.get("chat_id") == GROUP and "Sumber" in c["text"]
    )
    data = buttons(answer)[vote]
    seen = len(api.sent)
    api.callback(GROUP, answer["message_id"], data, user_id=voter)
    await api.wait_for(lambda c: any(c is r for r in api.sent[seen:]) and c["method"] == "answerCallbackQuery")
    return int(data.split("|")[2])


async def all_votes(db: Database) -> list[tuple[int, int, int]]:
    """Every stored vote as (question id, voter, value)."""
    rows = await db.fetch_all("SELECT question_id, telegram_id, value FROM feedback ORDER BY question_id, telegram_id")
    return [tuple(row) for row in rows]


async def get_question_row(db: Database, question_id: int):
    return await db.fetch_one("SELECT * FROM questions WHERE id = ?", (question_id,))


async def everything_about(db: Database, telegram_id: int) -> tuple[int, int, int, int]:
    """(profile rows, questions, own votes, delivery rows) stored for this person."""
    return (
        await count(db, "SELECT count(*) FROM users WHERE telegram_id = ?", telegram_id),
        await count(db, "SELECT count(*) FROM questions WHERE telegram_id = ?", telegram_id),
        await count(db, "SELECT count(*) FROM feedback WHERE telegram_id = ?", telegram_id),
        await count(db, "SELECT count(*) FROM deliveries WHERE telegram_id = ?", telegram_id),
    )


async def test_cancelling_the_deletion_keeps_everything(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        services = application.bot_data["services"]
        await reply(fake_api, SITI, "/start", "Halo")
        await ask_and_vote(fake_api, SITI)
        await services.question_log.flush()
        before = await everything_about(services.db, SITI)

        question = await reply(fake_api, SITI, "/hapus_data", "Hapus semua data")
        assert set(buttons(question)) == {"Ya, hapus", "Batal"}
        assert all(len(data.encode()) <= 64 for data in buttons(question).values())
        fake_api.callback(SITI, question["message_id"], buttons(question)["Batal"])
        await fake_api.wait_for(lambda c: c.get("chat_id") == SITI and "tidak ada yang dihapus" in (c.get("text") or ""))

        assert before[:3] == (1, 1, 1)
        assert await everything_about(services.db, SITI) == before
        # The answered question's buttons are gone, and pressing "Ya, hapus" now is outdated.
        fake_api.callback(SITI, question["message_id"], buttons(question)["Ya, hapus"])
        await alert(fake_api, "sudah tidak berlaku")
        assert await everything_about(services.db, SITI) == before


async def test_confirmed_deletion_removes_everything_of_that_person_and_nothing_of_another(
    fake_api, engine, tmp_path, monkeypatch
):
    # The write-behind log writes only when asked (feedback, flush()): the last question stays queued.
    monkeypatch.setattr("bot.storage.questions.FLUSH_DELAY_S", 60.0)
    async with running_bot(fake_api, engine, tmp_path) as application:
        services = application.bot_data["services"]
        db = services.db
        for person in (SITI, BUDI):
            await reply(fake_api, person, "/start", "Halo")
            await set_role(db, person, "tpk")
            await set_region(db, person, "Garut", "Tarogong Kidul")
        await set_coordinator(db, SITI, True)
        answer = await ask_and_vote(fake_api, SITI)
        await ask_and_vote(fake_api, BUDI)
        await reply(fake_api, BUDI, "resep nasi goreng enak gimana", "tidak membahas hal itu")
        # In a group, each votes on the other's question: Budi 👍 on Siti's, Siti 👎 on Budi's.
        siti_asked = await group_ask_and_vote(fake_api, SITI, voter=BUDI, vote="👍")
        budi_asked = await group_ask_and_vote(fake_api, BUDI, voter=SITI, vote="👎")
        # A broadcast reached both; its report must not change when Siti leaves.
        broadcast_id, _ = await broadcast_store.create_broadcast(db, "Rapat koordinasi Kamis 09.00")
        application.bot_data["broadcast_sender"].wake()

        async def delivered() -> bool:
            report = await broadcast_store.broadcast_report(db, broadcast_id)
            return report.counts.get("sent") == 2 and report.broadcast.status == "done"

        await eventually(delivered)
        before = await broadcast_store.broadcast_report(db, broadcast_id)
        await services.question_log.flush()
        budi_before = await everything_about(db, BUDI)
        budi_profile = await get_user(db, BUDI)
        assert await everything_about(db, SITI) == (1, 2, 2, 1) and budi_before == (1, 3, 2, 1)
        votes_before = await all_votes(db)
        assert (siti_asked, BUDI, 1) in votes_before and (budi_asked, SITI, -1) in votes_before
        assert len(votes_before) == 4

        question = await reply(fake_api, SITI, "/hapus_data", "Hapus semua data")
        assert "koordinator" in question["text"]
        # Asked just before confirming: still queued in the write-behind log when she confirms.
        await reply(fake_api, SITI, "brp peserta diklat fds lembang", "120")
        assert any(row[1] == SITI for row in services.question_log._queued)
        fake_api.callback(SITI, question["message_id"], buttons(question)["Ya, hapus"])
        done = await fake_api.wait_for(lambda c: c.get("chat_id") == SITI and "sudah dihapus" in (c.get("text") or ""))

        assert "3 pertanyaan" in done["text"] and "2 penilaian" in done["text"] and "1 catatan" in done["text"]
        assert "koordinator" in done["text"] and "/start" in done["text"]
        await services.question_log.flush()
        assert await everything_about(db, SITI) == (0, 0, 0, 0)  # the queued question did not reappear
        assert SITI not in application.user_data or not application.user_data[SITI]
        # The database, row by row: no profile, no question of hers (private or group) ...
        assert await count(db, "SELECT count(*) FROM users") == 1
        assert [tuple(r) for r in await db.fetch_all("SELECT DISTINCT telegram_id FROM questions")] == [(BUDI,)]
        assert await get_question_row(db, siti_asked) is None
        # ... no vote of hers (her 👎 on Budi's question is gone), and no vote on her questions
        # (Budi's 👍 on her group question went with it); Budi's vote on his own question stays.
        votes_after = await all_votes(db)
        assert [v for v in votes_after if v[1] == SITI] == []
        assert all(v[0] != siti_asked for v in votes_after)
        assert votes_after == [v for v in votes_before if v[1] == BUDI and v[0] != siti_asked]
        assert len(votes_after) == 1 and votes_after[0][1:] == (BUDI, 1)
        assert await get_question_row(db, budi_asked) is not None  # her vote goes, his question stays
        # ... her delivery row anonymised, not deleted: a negative id, no message id, still "sent".
        rows = [tuple(r) for r in await db.fetch_all(
            "SELECT telegram_id, state, message_id IS NULL FROM deliveries WHERE broadcast_id = ? ORDER BY telegram_id",
            (broadcast_id,),
        )]  # fmt: skip
        assert len(rows) == 2 and rows[0][0] < 0 and rows[0][1:] == ("sent", 1)
        assert rows[1][:2] == (BUDI, "sent")
        # Budi keeps all of his (but his vote on her question); the broadcast report counts the same.
        assert await everything_about(db, BUDI) == (1, 3, 1, 1)
        assert await get_user(db, BUDI) == budi_profile
        after = await broadcast_store.broadcast_report(db, broadcast_id)
        assert after.counts == before.counts and after.total == 2
        stats = build_stats(
            await report_store.question_outcomes(db), await report_store.votes(db), await report_store.companions(db),
            today=datetime.now(REPORT_TZ).date(),
        )  # fmt: skip
        assert (stats.total(), stats.thumbs_up, stats.thumbs_down, stats.companions) == (3, 1, 0, 1)

        # 👍 under her old answer: the question is gone, nothing is recorded, she is not registered again.
        fake_api.callback(SITI, answer["message_id"], buttons(answer)["👍"])
        await alert(fake_api, "sudah tidak tersimpan")
        assert await everything_about(db, SITI) == (0, 0, 0, 0)

        # She can start over: a new, empty profile without the coordinator role.
        await reply(fake_api, SITI, "/start", "Halo")
        fresh = await get_user(db, SITI)
        assert fresh is not None and (fresh.role, fresh.kabupaten, fresh.coordinator) == (None, None, False)
        await reply(fake_api, SITI, "sasaran 1000 hpk sapa aja", "Sumber")
        await services.question_log.flush()
        assert (await everything_about(db, SITI))[:2] == (1, 1)


async def test_deletion_is_offered_in_private_chats_only(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        fake_api.group_message(-100123, "/hapus_data", user_id=SITI)
        await fake_api.wait_for(lambda c: c.get("chat_id") == -100123 and "chat pribadi" in (c.get("text") or ""))
        public = {c["command"] for key, menu in fake_api.commands.items() if "all_private" in key[0] for c in menu}
        groups = {c["command"] for key, menu in fake_api.commands.items() if "all_group" in key[0] for c in menu}
        assert "hapus_data" in public and "hapus_data" not in groups
        assert await application.bot_data["services"].db.fetch_one("SELECT 1 FROM users") is None


async def test_a_broadcast_still_pending_for_a_deleted_person_is_not_sent_and_still_finishes(tmp_path):
    async with await Database.open(tmp_path / "bot.sqlite3") as db:
        for person in (SITI, BUDI):
            await register_user(db, person, "Orang", None, "id")
        broadcast_id, recipients = await broadcast_store.create_broadcast(db, "Rapat")
        assert recipients == 2
        deleted = await delete_person(db, SITI)
        assert (deleted.profile, deleted.deliveries) == (True, 1)
        while (row := await broadcast_store.claim_next(db, broadcast_id)) is not None:
            assert row.telegram_id == BUDI
            await broadcast_store.mark_sent(db, broadcast_id, row.telegram_id, 1)
        assert await broadcast_store.finish_if_complete(db, broadcast_id)
        report = await broadcast_store.broadcast_report(db, broadcast_id)
        assert report.counts == {"sent": 1, "opted_out": 1}
        assert await count(db, "SELECT count(*) FROM deliveries WHERE telegram_id = ?", SITI) == 0


# --- the command line ---------------------------------------------------------------------------


def in_db(path: Path, work: Callable[[Database], Awaitable[Any]]) -> Any:
    async def run() -> Any:
        async with await Database.open(path) as db:
            return await work(db)

    return asyncio.run(run())


def test_db_prune_deletes_the_old_questions_and_says_how_many(env, monkeypatch, capsys):
    now = datetime.now(UTC)

    async def seed(db: Database) -> None:
        await register_user(db, BUDI, "Budi", None, "id")
        for days in (400, 200, 40, 5):
            question_id = await add_question(db, BUDI, now - timedelta(days=days))
            await add_vote(db, question_id, BUDI, 1, now - timedelta(days=days))

    in_db(env, seed)
    assert main(["db", "prune"]) == 0  # the default retention, 180 days
    assert "deleted 2 question(s), 2 feedback row(s) and 0 handed-off question(s) older than 180 days" in capsys.readouterr().out
    assert main(["db", "prune", "--days", "30"]) == 0
    assert "deleted 1 question(s)" in capsys.readouterr().out
    monkeypatch.setenv("BOT_QUESTION_RETENTION_DAYS", "3")
    assert main(["db", "prune"]) == 0
    assert "deleted 1 question(s), 1 feedback row(s) and 0 handed-off question(s) older than 3 days" in capsys.readouterr().out
    assert in_db(env, lambda db: count(db, "SELECT count(*) FROM questions")) == 0
    assert main(["db", "prune", "--days", "0"]) == 2
    assert "positive" in capsys.readouterr().err
    monkeypatch.setenv("BOT_QUESTION_RETENTION_DAYS", "0")
    assert main(["db", "prune"]) == 2
    assert "BOT_QUESTION_RETENTION_DAYS" in capsys.readouterr().err


def test_users_delete_needs_yes_and_deletes_only_that_person(env, capsys):
    async def seed(db: Database) -> None:
        for person in (SITI, BUDI):
            await register_user(db, person, "Orang", None, "id")
            question_id = await add_question(db, person, datetime.now(UTC))
            await add_vote(db, question_id, person, -1, datetime.now(UTC))
        await set_coordinator(db, SITI, True)
        await broadcast_store.create_broadcast(db, "Rapat")

    in_db(env, seed)
    assert main(["users", "delete", str(SITI)]) == 2
    err = capsys.readouterr().err
    assert "--yes" in err and "1 question(s)" in err and "coordinator" in err
    assert in_db(env, lambda db: everything_about(db, SITI)) == (1, 1, 1, 1)  # nothing deleted

    assert main(["users", "delete", str(SITI), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "deleted 4242" in out and "1 question(s)" in out and "coordinator role is revoked" in out
    assert in_db(env, lambda db: everything_about(db, SITI)) == (0, 0, 0, 0)
    assert in_db(env, lambda db: everything_about(db, BUDI)) == (1, 1, 1, 1)
    assert in_db(env, lambda db: count(db, "SELECT count(*) FROM deliveries")) == 2  # anonymised, still counted

    assert main(["users", "delete", str(SITI), "--yes"]) == 2  # nothing left to delete
    assert "nothing is stored" in capsys.readouterr().err
