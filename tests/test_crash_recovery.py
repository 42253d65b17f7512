"""A crash loses no fetched update: updates are stored as they arrive (bot.storage.inbox) and the
ones a SIGKILL left unhandled are handled after the restart — the real `stunting-bot run` process
against the fake Bot API."""

from __future__ import annotations

import asyncio
import copy
import signal

from bot.storage import Database
from tests.conditions import until
from tests.fake_bot_api import TOKEN
from tests.test_run_process import bot_env, start_bot_process, stop_bot_process

ASKERS = range(5001, 5041)  # 40 people, more than the bot handles at once (16)
QUESTION = "apa itu tksk"
ANSWER = "Tenaga Kesejahteraan Sosial Kecamatan"


async def test_a_sigkill_after_a_batch_is_fetched_loses_none_of_its_questions(fake_api, tmp_path):
    path = tmp_path / "bot.sqlite3"
    env = bot_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake_api.url, BOT_DB_PATH=str(path))
    process = await start_bot_process(fake_api, env)
    try:
        for chat in ASKERS:  # every answer is held up by a slow network, so the handlers stall
            fake_api.delay_next("sendMessage", 60, chat_id=chat)
        ids = [fake_api.user_message(chat, QUESTION) for chat in ASKERS]

        def confirmed() -> bool:  # the next getUpdates confirmed the whole batch to Telegram
            return any(c["method"] == "getUpdates" and (c["params"].get("offset") or 0) > ids[-1] for c in fake_api.calls)

        await until(confirmed, timeout=15, what="the batch to be confirmed")
        assert fake_api.updates == []  # Telegram would not send them again
        process.kill()  # SIGKILL: no shutdown, no flush
        await process.wait()
        assert process.returncode == -signal.SIGKILL
        held = {c["chat_id"] for c in fake_api.sent if c["method"] == "sendMessage"}
        assert len(held) < len(ASKERS)  # most questions were still waiting their turn

        fake_api.calls.clear()
        process = await start_bot_process(fake_api, env)

        def answered() -> set[int]:
            return {c["chat_id"] for c in fake_api.sent if ANSWER in (c.get("text") or "")}

        await until(lambda: answered() >= set(ASKERS), timeout=30, what="every asker answered")
        # an update handled before the kill is not handled again: those not in flight got one answer
        counts = {chat: sum(c["chat_id"] == chat for c in fake_api.sent if ANSWER in (c.get("text") or "")) for chat in ASKERS}
        assert all(counts[chat] == 1 for chat in ASKERS if chat not in held)
    finally:
        await stop_bot_process(process)
    async with await Database.open(path) as db:  # handled: no message text kept
        assert await db.fetch_all("SELECT update_id FROM inbox WHERE body IS NOT NULL") == []
        assert len(await db.fetch_all("SELECT update_id FROM inbox")) >= len(ASKERS)


async def test_an_update_delivered_twice_is_answered_once(fake_api, tmp_path):
    path = tmp_path / "bot.sqlite3"
    env = bot_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake_api.url, BOT_DB_PATH=str(path))
    process = await start_bot_process(fake_api, env)
    try:
        fake_api.user_message(5001, QUESTION)
        update = copy.deepcopy(fake_api.updates[-1])  # no await since: the bot has not fetched it yet
        await fake_api.wait_for(lambda c: c["chat_id"] == 5001 and ANSWER in (c.get("text") or ""), timeout=15)
        fake_api.updates.append(update)  # Telegram sends it again (an unconfirmed batch after a restart)
        fake_api.user_message(5002, QUESTION)  # and a new one after it
        await fake_api.wait_for(lambda c: c["chat_id"] == 5002 and ANSWER in (c.get("text") or ""), timeout=15)
        assert sum(c["chat_id"] == 5001 for c in fake_api.sent if c["method"] == "sendMessage") == 1
    finally:
        await stop_bot_process(process)


async def test_a_database_file_deleted_under_the_running_bot_stops_it_with_a_clear_error(fake_api, tmp_path):
    """SQLite would go on writing to the deleted file, and every later answer's data would be lost."""
    path = tmp_path / "bot.sqlite3"
    env = bot_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake_api.url, BOT_DB_PATH=str(path),
                  BOT_DATABASE_WATCH_S="0.2")  # fmt: skip
    process = await start_bot_process(fake_api, env, stderr=asyncio.subprocess.PIPE)
    try:
        fake_api.user_message(5001, QUESTION)
        await fake_api.wait_for(lambda c: c["chat_id"] == 5001 and ANSWER in (c.get("text") or ""), timeout=15)
        for leftover in tmp_path.glob("bot.sqlite3*"):  # the database and its -wal and -shm
            leftover.unlink()
        _, errors = await asyncio.wait_for(process.communicate(), timeout=20)
    finally:
        await stop_bot_process(process)
    log = errors.decode()
    assert process.returncode == 1, log  # systemd starts it again, on a new file
    assert f"database {path}: the file is gone" in log and "stopping so that nothing more is lost" in log
    assert "Traceback" not in log
