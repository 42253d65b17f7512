"""Defects found by attacking the running bot (issue #13 §4), each reproduced against the fake Bot API:
edited messages are not answered twice, unknown commands and odd messages get a reply, forged
callback data with odd values is refused quietly, nobody votes on another person's private question,
and one unstorable character does not lose a batch of logged questions."""

from __future__ import annotations

import logging

from bot.storage import Database, QuestionLog, get_user, recent_questions, register_user
from bot.storage.feedback import feedback_totals
from bot.telegram.keyboards import pack
from tests.conftest import running_bot
from tests.test_telegram_e2e import reply_to

USER, OTHER = 7401, 7402


def _buttons(call: dict) -> dict[str, str]:
    return {b["text"]: b["callback_data"] for row in (call.get("reply_markup") or {}).get("inline_keyboard", []) for b in row}


async def test_an_edited_question_is_not_answered_or_logged_again(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        services = application.bot_data["services"]
        fake_api.user_message(USER, "apa itu tksk")
        await fake_api.wait_for(lambda c: c["chat_id"] == USER and "Tenaga Kesejahteraan" in (c.get("text") or ""))
        asked = next(m for (chat, _), m in fake_api.messages.items() if chat == USER and m.get("text") == "apa itu tksk")
        fake_api.user_edit(USER, asked["message_id"], "apa itu fds")
        await reply_to(fake_api, USER, "apa itu tpk", "Tim Pendamping Keluarga")  # handled after the edit
        assert not any("Family Development Session" in (c.get("text") or "") for c in fake_api.sent)
        await services.flush_questions()
        assert [q.text for q in await recent_questions(services.db)] == ["apa itu tpk", "apa itu tksk"]


async def test_an_unknown_command_and_an_odd_message_get_a_reply(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path):
        await reply_to(fake_api, USER, "/hapus_semua", "Perintah /hapus_semua tidak saya kenal")
        fake_api.user_media(USER, "dice")
        await fake_api.wait_for(lambda c: c["chat_id"] == USER and "hanya bisa membaca pesan teks" in (c.get("text") or ""))


async def test_forged_callback_data_with_odd_values_is_refused_without_errors(fake_api, engine, tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    async with running_bot(fake_api, engine, tmp_path) as application:
        version = application.bot_data["services"].version
        forged = [pack(version, "f", "²", "+1", "x"), pack(version, "f", "9" * 50, "-1", "x"),
                  pack(version, "t", "program", "²"), pack("0", "h", "ans", "9" * 30), pack("0", "h", "up", "³"),
                  pack(version, "b", "stop", "9" * 40), pack(version, "g", "²", "64.02")]  # fmt: skip
        for number, data in enumerate(forged, start=1):
            fake_api.callback(USER, 500 + number, data)
            await fake_api.wait_for(lambda c, n=number: c["method"] == "answerCallbackQuery"
                                    and sum(x["method"] == "answerCallbackQuery" for x in fake_api.sent) >= n)  # fmt: skip
        assert "ERROR" not in caplog.text and "Traceback" not in caplog.text


async def test_nobody_votes_on_another_persons_private_question(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        services = application.bot_data["services"]
        answer = await reply_to(fake_api, USER, "apa itu tksk", "Tenaga Kesejahteraan")
        down = _buttons(answer)["👎"]
        # Another person sends the same data from their own chat, on a made-up message and on a copy
        # of the real keyboard: refused, nothing counted.
        fake_api.callback(OTHER, 900, down)
        await fake_api.wait_for(lambda c: c["method"] == "answerCallbackQuery")
        fake_api.messages[(OTHER, 901)] = dict(fake_api.messages[(USER, answer["message_id"])], chat={"id": OTHER, "type": "private"})
        fake_api.callback(OTHER, 901, down)
        await fake_api.wait_for(lambda c: sum(x["method"] == "answerCallbackQuery" for x in fake_api.sent) >= 2)
        entry_id = down.split("|")[-1]
        assert await feedback_totals(services.db, entry_id) == (0, 0)
        fake_api.callback(USER, answer["message_id"], down)  # the asker's own vote counts
        await fake_api.wait_for(lambda c: "masukan Anda dicatat" in (c.get("text") or ""))
        assert await feedback_totals(services.db, entry_id) == (0, 1)


async def test_one_unstorable_character_does_not_lose_the_batch(tmp_path):
    async with await Database.open(tmp_path / "bot.sqlite3") as db:
        await register_user(db, USER, "Siti\ud800", None, "id")
        log = QuestionLog(db)
        await log.start()
        log.record(USER, "private", "apa itu tksk", "answer", "istilah-tksk", 90.0)
        log.record(USER, "private", "bumil \ud83d pendarahan", "none", None, 10.0)  # a lone surrogate
        log.record(None, "private", "apa itu pkh", "answer", "istilah-pkh", 90.0)
        await log.close()
        texts = [q.text for q in await recent_questions(db)]
        assert texts == ["apa itu pkh", "bumil ? pendarahan", "apa itu tksk"]


async def test_a_vote_on_a_group_question_must_come_from_its_own_buttons(fake_api, engine, tmp_path):
    group = -1001234
    async with running_bot(fake_api, engine, tmp_path) as application:
        services = application.bot_data["services"]
        fake_api.group_message(group, "@stunting_test_bot apa itu tksk", user_id=USER)
        answer = await fake_api.wait_for(lambda c: c["chat_id"] == group and "👎" in _buttons(c))
        down = _buttons(answer)["👎"]
        entry_id = down.split("|")[-1]
        fake_api.callback(OTHER, 900, down)  # the group's button data, sent from elsewhere
        await fake_api.wait_for(lambda c: c["method"] == "answerCallbackQuery")
        assert await feedback_totals(services.db, entry_id) == (0, 0)
        fake_api.callback(group, answer["message_id"], down, user_id=OTHER)  # someone in the group: counted
        await fake_api.wait_for(lambda c: "masukan Anda dicatat" in (c.get("text") or ""))
        assert await feedback_totals(services.db, entry_id) == (0, 1)


async def test_the_profile_stays_out_of_groups(fake_api, engine, tmp_path):
    group = -1001234
    async with running_bot(fake_api, engine, tmp_path) as application:
        db = application.bot_data["services"].db
        await register_user(db, USER, "Siti", None, "id")
        fake_api.group_message(group, "/profil", user_id=USER)
        reply = await fake_api.wait_for(lambda c: c["chat_id"] == group and "chat pribadi" in (c.get("text") or ""))
        assert "Profil Anda" not in reply["text"] and not reply.get("reply_markup")
        # A role button pressed in a group (forged or old) changes nothing and starts no region step.
        version = application.bot_data["services"].version
        fake_api.callback(group, 77, pack(version, "r", "tksk"), user_id=USER)
        await fake_api.wait_for(lambda c: c["method"] == "answerCallbackQuery" and c.get("show_alert"))  # refused
        assert (await get_user(db, USER)).role is None
        await reply_to(fake_api, USER, "kutai kartanegara", "Sumber")  # answered as a question, not stored
        assert (await get_user(db, USER)).region_code is None


def test_a_database_the_bot_cannot_use_is_one_clear_line_and_exit_2(tmp_path):
    import subprocess

    from tests.conftest import REPO
    from tests.fake_bot_api import TOKEN
    from tests.test_run_process import EXE, bot_env

    a_file = tmp_path / "not-a-directory"
    a_file.write_text("x")
    (tmp_path / "a-directory.sqlite3").mkdir()
    for path in (a_file / "bot.sqlite3", tmp_path / "a-directory.sqlite3"):
        result = subprocess.run([EXE, "run"], cwd=REPO, env=bot_env(TELEGRAM_BOT_TOKEN=TOKEN, BOT_DB_PATH=str(path)),
                                capture_output=True, text=True, timeout=60)  # fmt: skip
        assert result.returncode == 2, result.stderr
        assert f"cannot keep data in BOT_DB_PATH={path}" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_another_bot_api_server_is_given_as_its_root_or_in_the_bot_form():
    from bot.telegram.app import api_urls

    expected = {"base_url": "http://localhost:8081/bot", "base_file_url": "http://localhost:8081/file/bot"}
    for given in ("http://localhost:8081", "http://localhost:8081/", "http://localhost:8081/bot", "http://localhost:8081/bot/"):
        assert api_urls(given) == expected, given
    assert api_urls(None) == {} and api_urls("") == {}


async def test_the_bot_works_against_a_server_given_in_the_bot_form(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path, TELEGRAM_API_BASE_URL=f"{fake_api.url}/bot"):
        await reply_to(fake_api, USER, "apa itu tksk", "Tenaga Kesejahteraan Sosial Kecamatan")


async def test_a_reply_that_arrives_late_is_not_followed_by_an_error_message(fake_api, engine, tmp_path, caplog):
    import asyncio
    import time

    caplog.set_level(logging.WARNING)
    async with running_bot(fake_api, engine, tmp_path):
        fake_api.delay_next("sendMessage", 6.0, chat_id=USER)  # carried out now, answered after the 5 s timeout
        fake_api.user_message(USER, "apa itu tksk")
        await fake_api.wait_for(lambda c: c["chat_id"] == USER and "Tenaga Kesejahteraan" in (c.get("text") or ""))
        deadline = time.monotonic() + 15
        while "timed out" not in caplog.text and "error while handling" not in caplog.text:  # the timeout, handled
            assert time.monotonic() < deadline, "the late reply never timed out"
            await asyncio.sleep(0.05)
        await reply_to(fake_api, USER, "apa itu tpk", "Tim Pendamping Keluarga")  # handled after the error handler
        assert not any("terjadi kesalahan" in (c.get("text") or "") for c in fake_api.sent)


def test_a_broadcast_scheduled_beyond_a_year_is_refused_on_the_command_line():
    import pytest

    from bot.cli.admin import UsageError, parse_time

    with pytest.raises(UsageError, match="more than 366 days ahead"):
        parse_time("9999-12-31T23:59+00:00")
    assert parse_time("2026-12-31T08:00+07:00").year == 2026


def test_an_audience_of_every_kabupaten_still_fits_in_one_message(engine, catalogue):
    from bot.storage.broadcasts import Audience
    from bot.telegram.broadcast_commands import describe
    from bot.telegram.services import Services

    codes = tuple(region.code for region in engine.content.regions.regencies)
    assert len(codes) > 400
    text = describe(Services(engine=engine, db=None), Audience(regions=codes))  # type: ignore[arg-type]
    assert len(text) < 1500 and f"dan {len(codes) - 20} wilayah lain" in text


async def test_one_person_flooding_is_asked_to_slow_down_and_others_are_answered(fake_api, engine, tmp_path):
    from bot.telegram.handlers import FLOOD_QUESTIONS

    async with running_bot(fake_api, engine, tmp_path) as application:
        for _ in range(FLOOD_QUESTIONS + 5):
            fake_api.user_message(USER, "apa itu tksk")
        slow = await fake_api.wait_for(lambda c: c["chat_id"] == USER and "Pelan-pelan" in (c.get("text") or ""))
        await reply_to(fake_api, OTHER, "apa itu tpk", "Tim Pendamping Keluarga")  # someone else is answered

        def answered() -> int:
            return sum(c["chat_id"] == USER and "Tenaga Kesejahteraan" in (c.get("text") or "") for c in fake_api.sent)

        await fake_api.wait_for(lambda c: answered() >= FLOOD_QUESTIONS)
        await reply_to(fake_api, USER, "/bantuan", "/topik")  # sent after all of them: they are handled by now
        to_user = [c for c in fake_api.sent if c["chat_id"] == USER and c["method"] == "sendMessage"]
        assert sum("Tenaga Kesejahteraan" in (c.get("text") or "") for c in to_user) == FLOOD_QUESTIONS
        assert sum("Pelan-pelan" in (c.get("text") or "") for c in to_user) == 1 and slow
        # Ten seconds later they are answered again.
        data = application.user_data[USER]
        data["asked_at"] = [t - 11 for t in data["asked_at"]]
        await reply_to(fake_api, USER, "apa itu pkh", "Program Keluarga Harapan")
