"""Webhook mode, /healthz and the per-update log line, against the fake Bot API.

The test plays Telegram: it takes an update the fake would have queued for getUpdates and POSTs it
to the bot's webhook server, as Telegram does, with (or without) the secret header.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import shutil
import signal
import socket
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.config import Settings
from bot.engine import Engine
from bot.logging_setup import JsonFormatter
from bot.storage.migrations import LATEST_VERSION
from bot.telegram.app import build_application
from bot.telegram.webhook import MAX_BODY_BYTES, SECRET_HEADER, webhook
from tests.conftest import ADMIN, REPO, VALID_FAQ, write_content
from tests.fake_bot_api import TOKEN, FakeBotApi
from tests.test_run_process import EXE, bot_env, start_bot_process

SECRET = "test-webhook-secret_0123456789"
URL = "https://bot.example.org/telegram/hook"  # Telegram's view; the server answers on its path
PATH = "/telegram/hook"
QUESTION = "brp peserta diklat fds di lembang"


@contextlib.asynccontextmanager
async def webhook_bot(api: FakeBotApi, engine: Engine, tmp_path: Path, **settings: Any) -> AsyncIterator[tuple[Any, str]]:
    """The real Application in webhook mode on a free local port; yields it and the server's base URL."""
    config = Settings(**{
        "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.url, "BOT_DB_PATH": tmp_path / "bot.sqlite3",
        "BOT_ADMIN_IDS": str(ADMIN), "BOT_WEBHOOK_URL": URL, "BOT_WEBHOOK_SECRET": SECRET,
    } | settings)  # fmt: skip
    application = build_application(config, engine)
    async with webhook(application, URL, SECRET, "127.0.0.1", 0) as server:
        yield application, f"http://127.0.0.1:{server.port}"


def take_update(api: FakeBotApi, chat_id: int, text: str) -> dict:
    """The update Telegram would deliver for this message (the fake queues it; we take it back)."""
    api.user_message(chat_id, text)
    return api.updates.pop()


async def post(base: str, body: dict | bytes, secret: str | None = SECRET) -> int:
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers["Content-Type"] = "application/json"
    async with aiohttp.ClientSession() as session, session.post(f"{base}{PATH}", data=data, headers=headers) as response:
        return response.status


async def get_health(base: str) -> tuple[int, dict, str]:
    async with aiohttp.ClientSession() as session, session.get(f"{base}/healthz") as response:
        text = await response.text()
        return response.status, json.loads(text), text


def answered(chat_id: int, needle: str = "120"):
    return lambda c: c.get("chat_id") == chat_id and needle in (c.get("text") or "")


async def test_webhook_is_registered_with_the_secret_and_kept_at_stop(fake_api, engine, tmp_path):
    async with webhook_bot(fake_api, engine, tmp_path):
        assert fake_api.webhook["url"] == URL
        assert fake_api.webhook["secret_token"] == SECRET
        assert {"message", "callback_query", "inline_query"} <= set(fake_api.webhook["allowed_updates"])
    stats = fake_api.stats()
    assert "getUpdates" not in stats  # no polling in webhook mode
    assert "deleteWebhook" not in stats and fake_api.webhook["url"] == URL  # updates wait at Telegram meanwhile
    setwebhook = next(c for c in fake_api.calls if c["method"] == "setWebhook")
    assert not setwebhook["params"].get("drop_pending_updates")


async def test_update_with_the_secret_is_answered(fake_api, engine, tmp_path):
    async with webhook_bot(fake_api, engine, tmp_path) as (_, base):
        assert await post(base, take_update(fake_api, 701, QUESTION)) == 200
        reply = await fake_api.wait_for(answered(701), timeout=10)
    assert "Sumber" in reply["text"]


async def test_requests_without_the_right_secret_are_refused_and_never_processed(fake_api, engine, tmp_path):
    async with webhook_bot(fake_api, engine, tmp_path) as (_, base):
        assert await post(base, take_update(fake_api, 801, QUESTION), secret="wrong-secret") == 403
        assert await post(base, take_update(fake_api, 802, QUESTION), secret=None) == 403
        assert await post(base, take_update(fake_api, 803, QUESTION), secret="") == 403
        assert await post(base, take_update(fake_api, 804, QUESTION), secret=SECRET.upper()) == 403
        assert await post(base, take_update(fake_api, 805, QUESTION)) == 200
        await fake_api.wait_for(answered(805), timeout=10)
    for chat_id in (801, 802, 803, 804):
        assert fake_api.messages_to(chat_id) == []


async def test_malformed_bodies_are_400_and_the_bot_keeps_answering(fake_api, engine, tmp_path):
    async with webhook_bot(fake_api, engine, tmp_path) as (_, base):
        assert await post(base, b"{not json") == 400
        assert await post(base, b"[1, 2, 3]") == 400
        assert await post(base, b"\xff\xfe") == 400
        assert await post(base, {"message": {"text": "no update_id"}}) == 400
        assert await post(base, {"update_id": 5, "message": "not a message"}) == 400
        assert await post(base, b"{" + b" " * MAX_BODY_BYTES + b"}") == 413
        assert await post(base, take_update(fake_api, 901, QUESTION)) == 200
        await fake_api.wait_for(answered(901), timeout=10)
    assert [c["chat_id"] for c in fake_api.sent if c["method"] == "sendMessage"] == [901]


async def test_healthz_is_ok_without_the_secret_and_shows_no_token(fake_api, engine, tmp_path):
    async with webhook_bot(fake_api, engine, tmp_path) as (_, base):
        status, body, text = await get_health(base)
    assert status == 200
    assert body == {"status": "ok", "schema_version": LATEST_VERSION, "faq_entries": len(engine.content.faq)}
    assert TOKEN not in text and TOKEN.split(":")[1] not in text and SECRET not in text


async def test_healthz_is_503_with_the_problem_when_the_database_is_not_migrated_or_gone(fake_api, engine, tmp_path):
    db_file = tmp_path / "bot.sqlite3"
    async with webhook_bot(fake_api, engine, tmp_path) as (application, base):
        db = application.bot_data["services"].db
        await db.fetch_one(f"PRAGMA user_version = {LATEST_VERSION - 1}")
        status, body, _ = await get_health(base)
        assert status == 503 and body["status"] == "unhealthy"
        assert any(f"schema version {LATEST_VERSION - 1}, expected {LATEST_VERSION}" in p for p in body["problems"])

        await db.fetch_one(f"PRAGMA user_version = {LATEST_VERSION}")
        assert (await get_health(base))[0] == 200

        shutil.move(db_file, tmp_path / "moved.sqlite3")
        status, body, _ = await get_health(base)
        assert status == 503 and any("the file is gone" in p for p in body["problems"])
        shutil.move(tmp_path / "moved.sqlite3", db_file)
        assert (await get_health(base))[0] == 200


async def test_each_update_is_logged_with_its_id_and_duration_but_not_its_text(fake_api, engine, tmp_path):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(TOKEN))
    logger = logging.getLogger("bot.telegram.updates")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        async with webhook_bot(fake_api, engine, tmp_path) as (_, base):
            question = take_update(fake_api, 1001, QUESTION)
            assert await post(base, question) == 200
            await fake_api.wait_for(answered(1001), timeout=10)
            nonsense = take_update(fake_api, 1002, "zzqx vbnm ploik")
            assert await post(base, nonsense) == 200
            fake_api.fail_next("sendMessage", 400, "Bad Request: something odd", chat_id=1003)
            failing = take_update(fake_api, 1003, QUESTION)
            assert await post(base, failing) == 200
            command = take_update(fake_api, 1004, "/bantuan")
            assert await post(base, command) == 200
        # the application has stopped: every update's line is written
        lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    by_id = {line["update_id"]: line for line in lines}
    assert by_id[question["update_id"]]["kind"] == "message"
    assert by_id[question["update_id"]]["status"] == "answer"
    assert by_id[nonsense["update_id"]]["status"] == "none"
    assert by_id[failing["update_id"]]["status"] == "error"
    assert (by_id[command["update_id"]]["kind"], by_id[command["update_id"]]["status"]) == ("command", "handled")
    assert all(isinstance(line["duration_ms"], float | int) and line["duration_ms"] >= 0 for line in lines)
    text = stream.getvalue()
    assert QUESTION not in text and "zzqx" not in text


# --- the real `stunting-bot run` process ------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def start_webhook_process(api: FakeBotApi, env: dict[str, str]) -> asyncio.subprocess.Process:
    """`stunting-bot run` in webhook mode, returned once it has registered its webhook."""
    return await start_bot_process(api, env, ready="setWebhook")


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="SIGHUP is Unix only")
async def test_real_process_in_webhook_mode_answers_reloads_and_stops_cleanly(fake_api, tmp_path):
    content = write_content(tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = bot_env(
        TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake_api.url, BOT_DB_PATH=str(tmp_path / "bot.sqlite3"),
        BOT_CONTENT_DIR=str(content), BOT_ADMIN_IDS=str(ADMIN), BOT_LOG_FORMAT="json",
        BOT_WEBHOOK_URL=URL, BOT_WEBHOOK_SECRET=SECRET, BOT_WEBHOOK_LISTEN=f"127.0.0.1:{port}",
    )  # fmt: skip
    question = "brp org yg ikut diklat fds di lembang"  # an alternate in VALID_FAQ
    process = await start_webhook_process(fake_api, env)
    try:
        assert fake_api.webhook["url"] == URL and fake_api.webhook["secret_token"] == SECRET
        update = take_update(fake_api, 1101, question)
        assert await post(base, update) == 200
        await fake_api.wait_for(answered(1101, "Diklat diikuti 120 orang"), timeout=15)
        assert await post(base, take_update(fake_api, 1102, question), secret="wrong") == 403
        assert (await get_health(base))[0] == 200

        faq = content / "faq" / "pelatihan.yaml"
        faq.write_text(VALID_FAQ.replace("answer: Diklat diikuti 120 orang", "answer: Diklat Gelombang I diikuti 120 orang"))
        process.send_signal(signal.SIGHUP)
        await fake_api.wait_for(lambda c: c.get("chat_id") == ADMIN and "Konten dimuat ulang" in (c.get("text") or ""), timeout=15)
        assert await post(base, take_update(fake_api, 1103, question)) == 200
        await fake_api.wait_for(answered(1103, "Diklat Gelombang I diikuti 120 orang"), timeout=15)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), timeout=15)
    log = output.decode()
    assert process.returncode == 0, log
    assert fake_api.messages_to(1102) == []
    assert "deleteWebhook" not in fake_api.stats()
    assert TOKEN not in log and TOKEN.split(":")[1] not in log and SECRET not in log
    assert question not in log and "Traceback" not in log
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    mine = [line for line in lines if line.get("update_id") == update["update_id"]]
    assert mine and mine[0]["status"] == "answer" and "duration_ms" in mine[0]


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({}, "BOT_WEBHOOK_SECRET is not set"),
        ({"BOT_WEBHOOK_SECRET": "has spaces and ! in it"}, "BOT_WEBHOOK_SECRET must be 1-256 characters"),
        ({"BOT_WEBHOOK_SECRET": "x" * 257}, "BOT_WEBHOOK_SECRET must be 1-256 characters"),
        ({"BOT_WEBHOOK_SECRET": "short_7"}, "BOT_WEBHOOK_SECRET must be at least 16 characters"),  # else in DEBUG logs
        ({"BOT_WEBHOOK_SECRET": SECRET, "BOT_WEBHOOK_LISTEN": "8080"}, "BOT_WEBHOOK_LISTEN must be host:port"),
        ({"BOT_WEBHOOK_SECRET": SECRET, "BOT_WEBHOOK_URL": "bot.example.org/hook"}, "BOT_WEBHOOK_URL must be"),
    ],
)
def test_bad_webhook_settings_are_one_clear_line_and_exit_2(tmp_path, settings, expected):
    env = bot_env(TELEGRAM_BOT_TOKEN=TOKEN, BOT_DB_PATH=str(tmp_path / "x.db"), BOT_WEBHOOK_URL=URL) | settings
    result = subprocess.run([EXE, "run"], cwd=REPO, env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    secret = settings.get("BOT_WEBHOOK_SECRET")
    assert not secret or secret not in result.stderr


async def test_the_same_update_posted_twice_is_answered_once(fake_api, engine, tmp_path):
    """Telegram re-sends an update when its POST timed out on its side: it must not be answered again."""
    async with webhook_bot(fake_api, engine, tmp_path) as (_, base):
        question = take_update(fake_api, 1001, QUESTION)
        assert await post(base, question) == 200
        await fake_api.wait_for(answered(1001), timeout=10)
        assert await post(base, question) == 200  # Telegram sees it delivered, and stops retrying
        after = take_update(fake_api, 1002, QUESTION)
        assert await post(base, after) == 200
        await fake_api.wait_for(answered(1002), timeout=10)
    assert len(fake_api.messages_to(1001)) == 1


async def test_a_body_sent_too_slowly_is_refused_and_its_connection_closed(fake_api, engine, tmp_path, monkeypatch):
    """Hundreds of connections trickling their bodies would hold every file descriptor; each is cut
    off after BODY_TIMEOUT_S, and the bot keeps answering real updates meanwhile."""
    from bot.telegram import webhook as webhook_module

    monkeypatch.setattr(webhook_module, "BODY_TIMEOUT_S", 0.5)
    async with webhook_bot(fake_api, engine, tmp_path) as (_, base):
        port = int(base.rsplit(":", 1)[1])
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        head = (f"POST {PATH} HTTP/1.1\r\nHost: x\r\n{SECRET_HEADER}: {SECRET}\r\n"
                "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"update_id\": 1")  # fmt: skip
        writer.write(head.encode())
        await writer.drain()
        question = take_update(fake_api, 1001, QUESTION)
        assert await post(base, question) == 200  # others are served meanwhile
        status = await asyncio.wait_for(reader.readline(), timeout=5)
        assert status.startswith(b"HTTP/1.1 408"), status
        rest = await asyncio.wait_for(reader.read(), timeout=5)  # returns once the server closes
        assert b"Connection: close" in rest
        writer.close()
        await fake_api.wait_for(answered(1001), timeout=10)
