"""The queue of questions handed to a person survives the bot being killed (SIGKILL) and restarted:
the real `stunting-bot run` process against the fake Bot API."""

from __future__ import annotations

import signal

from bot.storage import Database, handoffs
from tests.fake_bot_api import TOKEN
from tests.test_handoff_telegram import (
    ASKER,
    KUKAR,
    NAMES,
    UNCOVERED,
    _buttons,
    _people,
)
from tests.test_run_process import bot_env, start_bot_process, stop_bot_process


async def test_a_queued_question_survives_sigkill_and_is_answered_after_the_restart(fake_api, tmp_path):
    path = tmp_path / "bot.sqlite3"
    async with await Database.open(path) as db:
        await _people(db)
    env = bot_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake_api.url, BOT_DB_PATH=str(path))
    process = await start_bot_process(fake_api, env)
    try:
        fake_api.user_message(ASKER, UNCOVERED, first_name=NAMES[ASKER])
        reply = await fake_api.wait_for(lambda c: c["chat_id"] == ASKER and "🙋 Tanyakan ke petugas" in _buttons(c), timeout=15)
        fake_api.callback(ASKER, reply["message_id"], _buttons(reply)["🙋 Tanyakan ke petugas"])
        confirm = await fake_api.wait_for(lambda c: "Ya, teruskan" in _buttons(c), timeout=15)
        fake_api.callback(ASKER, confirm["message_id"], _buttons(confirm)["Ya, teruskan"])
        await fake_api.wait_for(lambda c: c["chat_id"] == KUKAR and "untuk petugas #1" in (c.get("text") or ""), timeout=15)
        process.kill()  # SIGKILL: no shutdown, no flush
        await process.wait()
        assert process.returncode == -signal.SIGKILL
        async with await Database.open(path) as db:
            [item] = await handoffs.open_items(db)
            assert (item.id, item.asker_id, item.text) == (1, ASKER, UNCOVERED)
        fake_api.calls.clear()
        process = await start_bot_process(fake_api, env)
        fake_api.user_message(KUKAR, "/antrian", first_name=NAMES[KUKAR])
        queue = await fake_api.wait_for(lambda c: c["chat_id"] == KUKAR and "menunggu jawaban:" in (c.get("text") or ""), timeout=15)
        assert "#1" in queue["text"] and UNCOVERED in queue["text"]
        fake_api.user_message(KUKAR, "/jawab 1 Soal gaji silakan tanya Dinas Sosial.", first_name=NAMES[KUKAR])
        answer = await fake_api.wait_for(lambda c: c["chat_id"] == ASKER and "Jawaban dari petugas" in (c.get("text") or ""), timeout=15)
        assert "Soal gaji silakan tanya Dinas Sosial." in answer["text"] and "Rina" in answer["text"]
    finally:
        await stop_bot_process(process)
