"""The real `stunting-bot run` process killed (SIGKILL) mid-broadcast and started again.

With a 429 every ~40 sends and 3% of the recipients blocked: every reachable recipient gets
the message exactly once (one duplicate at most: the message in flight at the kill), nobody
blocked is retried, and no one-second window carries more sends than the configured rate.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

from bot.broadcast import max_in_window
from bot.storage import Database, register_user
from bot.storage import broadcasts as store
from tests.conftest import REPO
from tests.fake_bot_api import TOKEN, FakeBotApi
from tests.test_run_process import EXE, bot_env

RECIPIENTS = range(3001, 3121)  # 120 people
RATE = 30
TEXT = "Rapat koordinasi 1000 HPK hari Kamis."


async def start_bot(api: FakeBotApi, db_path: Path) -> asyncio.subprocess.Process:
    env = bot_env(
        TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=api.url, BOT_DB_PATH=str(db_path), BOT_BROADCAST_RATE=str(RATE)
    )
    return await asyncio.create_subprocess_exec(
        EXE, "run", cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def delivered(api: FakeBotApi) -> list[dict]:
    return [c for c in api.sent if c["method"] == "sendMessage" and c["text"] == TEXT]


async def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def test_sigkill_mid_broadcast_then_restart_delivers_everyone_exactly_once(fake_api, tmp_path):
    db_path = tmp_path / "bot.sqlite3"
    ids = list(RECIPIENTS)
    blocked = {telegram_id for i, telegram_id in enumerate(ids) if i % 33 == 5}  # 4 of 120, ~3%
    for i, telegram_id in enumerate(ids):
        if telegram_id in blocked:
            fake_api.block_chat(telegram_id)
        elif i % 40 == 20:  # a 429 about every 40 sends
            fake_api.fail_next("sendMessage", 429, retry_after=1, chat_id=telegram_id)
    async with await Database.open(db_path) as db:
        for telegram_id in ids:
            await register_user(db, telegram_id, "Kader", None, "id")
        broadcast_id, recipients = await store.create_broadcast(db, TEXT)
    assert recipients == len(ids)

    first = await start_bot(fake_api, db_path)
    try:
        await wait_until(lambda: len(delivered(fake_api)) >= 50, 30, "50 deliveries before the kill")
    finally:
        first.send_signal(signal.SIGKILL)
        await first.communicate()
    sent_before_kill = len(delivered(fake_api))
    assert sent_before_kill < len(ids) - len(blocked), "the broadcast finished before the kill"

    second = await start_bot(fake_api, db_path)
    reachable = set(ids) - blocked
    try:
        await wait_until(lambda: {c["chat_id"] for c in delivered(fake_api)} >= reachable, 60, "every delivery")
        async with await Database.open(db_path) as db:
            deadline = time.monotonic() + 10
            while (report := await store.broadcast_report(db, broadcast_id)).broadcast.status != "done":
                assert time.monotonic() < deadline, "the broadcast was never marked done"
                await asyncio.sleep(0.1)
    finally:
        second.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(second.communicate(), timeout=15)
    assert second.returncode == 0, output.decode()

    counts = Counter(c["chat_id"] for c in delivered(fake_api))
    assert set(counts) == reachable  # nobody lost, nobody blocked got it
    duplicates = {chat: n for chat, n in counts.items() if n > 1}
    assert len(duplicates) <= 1 and all(n == 2 for n in duplicates.values()), duplicates
    for chat in blocked:  # tried once, never retried (twice only if it was the one in flight)
        assert len([c for c in fake_api.calls if c["params"].get("chat_id") == chat]) <= 2
    assert report.counts == {"sent": len(reachable), "unreachable": len(blocked)}
    assert max_in_window([c["time"] for c in delivered(fake_api)]) <= RATE
    assert "Traceback" not in output.decode()
