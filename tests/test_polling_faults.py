"""Long polling that survives what the Bot API may send: an update python-telegram-bot cannot read is
skipped (and logged without its content) while everyone else is answered; a token refused while
polling ends the process with status 2 instead of leaving it up and deaf."""

from __future__ import annotations

import asyncio
import logging
import signal

from tests.conftest import running_bot
from tests.fake_bot_api import TOKEN
from tests.test_run_process import bot_env, start_bot_process
from tests.test_telegram_e2e import reply_to

USER = 7301


async def test_an_unreadable_update_is_skipped_and_the_next_question_answered(fake_api, engine, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    async with running_bot(fake_api, engine, tmp_path) as application:
        # An update PTB cannot read (a message whose chat is not an object), carrying personal text,
        # pushed last in its batch: it must still be confirmed.
        fake_api.updates.append({"update_id": 900, "message": {"message_id": 1, "date": 0, "chat": "Siti Aminah",
                                                               "text": "rahasia pribadi 0812"}})  # fmt: skip
        fake_api._pulse("updates")
        await reply_to(fake_api, USER, "apa itu tksk", "Tenaga Kesejahteraan Sosial Kecamatan")
        assert all(update["update_id"] != 900 for update in fake_api.updates)  # confirmed, never fetched again
        assert "skipped update 900 that could not be read" in caplog.text
        assert "rahasia pribadi" not in caplog.text and "Siti Aminah" not in caplog.text
        assert "CRITICAL" not in caplog.text
        assert application.updater.running


async def test_a_token_refused_while_polling_ends_the_process_with_status_2(fake_api, tmp_path):
    env = bot_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake_api.url, BOT_DB_PATH=str(tmp_path / "bot.sqlite3"))
    process = await start_bot_process(fake_api, env)
    try:
        fake_api.fail_next("getUpdates", 401, "Unauthorized", times=1000)
        fake_api._pulse("updates")  # end the current long poll now
        output, _ = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGKILL)
            await process.wait()
    assert process.returncode == 2, output.decode()
    assert "Telegram refused the token while polling" in output.decode()
