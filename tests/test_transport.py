"""bot.telegram.transport: PTB's Bot over aiohttp behaves as over PTB's own client.

Against the fake Bot API: JSON bodies (HTML, keyboards) and multipart uploads arrive intact,
Telegram's error answers reach PTB as its usual exceptions; a server that stalls gives TimedOut
and an unreachable one NetworkError — what the retry logic and the broadcast sender rely on.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.telegram.transport import AiohttpRequest
from tests.fake_bot_api import TOKEN, FakeBotApi


@contextlib.asynccontextmanager
async def bot_at(base: str, **request_options):
    bot = Bot(TOKEN, base_url=f"{base}/bot", request=AiohttpRequest(**request_options))
    async with bot:
        yield bot


async def test_html_text_and_keyboard_arrive_as_sent_and_the_reply_is_parsed(fake_api: FakeBotApi):
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Siapa sasaran 1000 HPK?", callback_data="v1|a|hpk")],
                                   [InlineKeyboardButton("👍", callback_data="v1|f|7|+1|hpk")]])
    text = "<b>Sumber:</b> Kemensos &amp; Tanoto — “ibu hamil” dan anak 0–2 tahun ✅"
    async with bot_at(fake_api.url) as bot:
        message = await bot.send_message(4242, text, parse_mode=ParseMode.HTML, reply_markup=markup)
    sent = fake_api.sent[-1]
    assert (sent["method"], sent["chat_id"], sent["text"], sent["parse_mode"]) == ("sendMessage", 4242, text, "HTML")
    assert sent["reply_markup"] == markup.to_dict()
    assert message.chat_id == 4242 and message.reply_markup == markup  # PTB parsed Telegram's answer


async def test_a_photo_upload_goes_as_multipart_with_its_caption(fake_api: FakeBotApi):
    png = b"\x89PNG\r\n\x1a\n" + bytes(5000)
    async with bot_at(fake_api.url) as bot:
        message = await bot.send_photo(4242, png, caption="Statistik 30 hari")
    sent = fake_api.sent[-1]
    assert (sent["method"], sent["caption"], sent["photo_size"]) == ("sendPhoto", "Statistik 30 hari", len(png))
    assert message.photo


async def test_telegram_errors_reach_ptb_as_its_own_exceptions(fake_api: FakeBotApi):
    fake_api.fail_next("sendMessage", 429, retry_after=3)
    fake_api.fail_next("sendMessage", 400, "Bad Request: message text is empty")
    async with bot_at(fake_api.url) as bot:
        with pytest.raises(RetryAfter) as too_many:
            await bot.send_message(1, "a")
        with pytest.raises(BadRequest, match="(?i)message text is empty"):
            await bot.send_message(1, "b")
        await bot.send_message(1, "c")  # and the session goes on working
    assert "retry in 3 seconds" in str(too_many.value).casefold()  # retry_after from the parameters


async def test_a_server_that_stalls_is_a_timeout():
    async def stall(request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_post("/{tail:.*}", stall)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    request = AiohttpRequest(read_timeout=0.3)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
    finally:
        await request.shutdown()
        await runner.cleanup()


async def test_nobody_listening_is_a_network_error():
    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError):
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
    finally:
        await request.shutdown()
