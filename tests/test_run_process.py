"""The real `stunting-bot run` process: starts against the fake Bot API, answers, stops on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.fake_bot_api import TOKEN

EXE = str(Path(sys.executable).parent / "stunting-bot")


def bot_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    return env | extra


async def stop_bot_process(process: asyncio.subprocess.Process) -> None:
    """SIGTERM a bot process still running, and wait for it to end."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.communicate(), timeout=15)


async def log_of_a_failed_reply_quoting_the_token(api, env: dict[str, str], chat_id: int) -> str:
    """Run the bot until a reply to ``chat_id`` fails with an error quoting the Bot API URL (the token
    in it) and the same question is then answered; stop it and return what it logged. Stderr is kept
    apart from stdout when ``env`` asks for JSON logs (only log lines are then read)."""
    stderr = subprocess.PIPE if env.get("BOT_LOG_FORMAT") == "json" else subprocess.STDOUT
    process = await start_bot_process(api, env, stderr=stderr)
    try:
        # (no "Bad Request: " prefix: PTB would lower-case the rest, see test_ops)
        api.fail_next("sendMessage", 400, f"Wrong URL: POST {api.url}/bot{TOKEN}/sendMessage", chat_id=chat_id)
        api.user_message(chat_id, "brp peserta diklat fds di lembang")
        await api.wait_for(lambda c: c.get("chat_id") == chat_id, timeout=15)  # the apology after the error
        api.user_message(chat_id, "brp peserta diklat fds di lembang")
        await api.wait_for(lambda c: c.get("chat_id") == chat_id and "120" in (c.get("text") or ""), timeout=15)
    finally:
        process.send_signal(signal.SIGTERM)
        output, errors = await asyncio.wait_for(process.communicate(), timeout=15)
    log = (errors if stderr == subprocess.PIPE else output).decode()
    assert process.returncode == 0, log
    return log


async def start_bot_process(
    api, env: dict[str, str], stderr: int = subprocess.STDOUT, ready: str = "getUpdates"
) -> asyncio.subprocess.Process:
    """`stunting-bot run` in a child process, returned once it has called ``ready`` on the fake
    Bot API (getUpdates: it polls; setWebhook: its webhook is registered)."""
    process = await asyncio.create_subprocess_exec(EXE, "run", cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=stderr)
    deadline = time.monotonic() + 20
    while not any(c["method"] == ready for c in api.calls):
        if time.monotonic() > deadline or process.returncode is not None:
            process.kill()
            output, _ = await process.communicate()
            raise AssertionError(f"the bot never called {ready}:\n{(output or b'').decode()}")
        await asyncio.sleep(0.1)
    return process


async def test_run_answers_over_http_and_stops_cleanly_on_sigterm(fake_api, tmp_path):
    env = bot_env(
        TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake_api.url, BOT_DB_PATH=str(tmp_path / "bot.sqlite3")
    )
    process = await start_bot_process(fake_api, env)
    try:
        fake_api.user_message(777, "brp peserta diklat fds di lembang")
        reply = await fake_api.wait_for(lambda c: c.get("chat_id") == 777 and "120" in (c.get("text") or ""), timeout=15)
        assert "Sumber" in reply["text"]
    finally:
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), timeout=15)
    assert time.monotonic() - started < 10
    assert process.returncode == 0, output.decode()
    log = output.decode()
    assert TOKEN not in log and TOKEN.split(":")[1] not in log  # the token never reaches the logs
    assert "Traceback" not in log


async def test_an_error_quoting_the_token_reaches_the_log_redacted(fake_api, tmp_path):
    """An error whose text carries the Bot API URL (the token in it) is logged with its traceback
    in the default text format: the token is replaced, in the message and in the traceback."""
    env = bot_env(
        TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake_api.url, BOT_DB_PATH=str(tmp_path / "bot.sqlite3")
    )
    log = await log_of_a_failed_reply_quoting_the_token(fake_api, env, 779)
    assert "error while handling update" in log and "Traceback" in log  # the error was logged in full
    assert "/bot<token>/sendMessage" in log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log


@pytest.mark.parametrize(
    ("token", "expected"),
    [("", "TELEGRAM_BOT_TOKEN is not set"), ("not-a-token", "does not look like a bot token")],
)
def test_missing_or_malformed_token_is_one_clear_line_and_exit_2(tmp_path, token, expected):
    result = subprocess.run(
        [EXE, "run"], cwd=REPO, env=bot_env(TELEGRAM_BOT_TOKEN=token, BOT_DB_PATH=str(tmp_path / "x.db")),
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
