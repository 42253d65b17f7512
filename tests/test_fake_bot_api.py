"""The fake Bot API works with python-telegram-bot's real HTTP stack (no project bot code here)."""

from __future__ import annotations

import asyncio
import datetime as dtm
import time

import aiohttp
import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.error import BadRequest, EndPointNotFound, Forbidden, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.conditions import until
from tests.fake_bot_api import TOKEN, ApiError, FakeBotApi, parse_html  # the fake_api fixture: conftest

CHAT = 4242


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("again", callback_data="again")]])
    await update.message.reply_text(f"<b>echo</b>: {update.message.text}", parse_mode="HTML",
                                    reply_markup=keyboard)


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer("ok")
    await query.edit_message_text(f"pressed {query.data}")


def build(api: FakeBotApi) -> Application:
    return (ApplicationBuilder().token(TOKEN).base_url(f"{api.url}/bot")
            .base_file_url(f"{api.url}/file/bot").build())


@pytest.fixture
async def running(fake_api: FakeBotApi):
    """A polling Application with an echo handler and a button handler."""
    application = build(fake_api)
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    application.add_handler(CallbackQueryHandler(pressed))
    async with application:
        await application.updater.start_polling(poll_interval=0)
        await application.start()
        yield application
        await application.updater.stop()
        await application.stop()


async def test_echo_and_button_round_trip(fake_api: FakeBotApi, running: Application) -> None:
    assert running.bot.username == "stunting_test_bot"  # getMe answered at initialize()
    fake_api.user_message(CHAT, "halo bot")
    reply = await fake_api.wait_for(lambda r: r["text"] == "<b>echo</b>: halo bot")
    assert reply["chat_id"] == CHAT and reply["parse_mode"] == "HTML"
    assert reply["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "again"

    fake_api.callback(CHAT, reply["message_id"], "again")
    edit = await fake_api.wait_for(lambda r: r["method"] == "editMessageText")
    assert edit["text"] == "pressed again" and edit["message_id"] == reply["message_id"]
    answer = await fake_api.wait_for(lambda r: r["method"] == "answerCallbackQuery")
    assert answer["text"] == "ok"
    assert [r["method"] for r in fake_api.messages_to(CHAT)] == [
        "sendMessage", "answerCallbackQuery", "editMessageText"]
    # the stored message now carries the plain text Telegram would show
    assert fake_api.messages[(CHAT, reply["message_id"])]["text"] == "pressed again"
    stats = fake_api.stats()
    assert stats["getMe"] == 1 and stats["deleteWebhook"] == 1 and stats["getUpdates"] >= 1


async def test_updates_are_confirmed_by_offset(fake_api: FakeBotApi, running: Application) -> None:
    first = fake_api.user_message(CHAT, "satu")
    await fake_api.wait_for(lambda r: r["text"].endswith("satu"))
    fake_api.user_message(CHAT, "dua")
    await fake_api.wait_for(lambda r: r["text"].endswith("dua"))
    offsets = [c["params"].get("offset") for c in fake_api.calls if c["method"] == "getUpdates"]
    assert first + 1 in offsets  # PTB confirmed the first update on its next poll
    assert len(fake_api.messages_to(CHAT)) == 2  # and nothing was delivered twice


async def test_faults_surface_as_ptb_errors(fake_api: FakeBotApi, monkeypatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # else RetryAfter.retry_after warns (deprecation)
    async with build(fake_api) as application:
        bot = application.bot
        fake_api.fail_next("sendMessage", 429, retry_after=7)
        with pytest.raises(RetryAfter) as exc_info:
            await bot.send_message(CHAT, "x")
        assert exc_info.value.retry_after == dtm.timedelta(seconds=7)
        assert (await bot.send_message(CHAT, "x")).message_id == 1  # only the next call failed

        fake_api.block_chat(99)
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(99, "x")
        fake_api.missing_chat(98)
        with pytest.raises(BadRequest, match="(?i)chat not found"):
            await bot.send_message(98, "x")

        with pytest.raises(BadRequest, match="(?i)can't parse entities"):
            await bot.send_message(CHAT, "<b>tebal", parse_mode="HTML")
        with pytest.raises(BadRequest, match="(?i)message is too long"):
            await bot.send_message(CHAT, "a" * 4097)
        with pytest.raises(BadRequest, match="(?i)message text is empty"):
            await bot.send_message(CHAT, " ")

        # PTB itself does not check callback_data length; the fake refuses it like Telegram
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
        with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
            await bot.send_message(CHAT, "x", reply_markup=markup)
        assert [r["text"] for r in fake_api.messages_to(CHAT)] == ["x"]  # failures not recorded
        assert [c["status"] for c in fake_api.calls if c["method"] == "sendMessage"] == [
            429, 200, 403, 400, 400, 400, 400, 400]


async def test_other_methods(fake_api: FakeBotApi) -> None:
    async with build(fake_api) as application:
        bot = application.bot
        await bot.set_my_commands([("tanya", "Tanya sesuatu")])
        assert [c.command for c in await bot.get_my_commands()] == ["tanya"]
        assert await bot.set_webhook("https://example.org/hook", secret_token="s3cret")
        assert fake_api.webhook["secret_token"] == "s3cret"
        assert (await bot.get_webhook_info()).url == "https://example.org/hook"
        await bot.delete_webhook()
        message = await bot.send_photo(CHAT, b"\x89PNG" + bytes(1000), caption="<i>foto</i>",
                                       parse_mode="HTML")
        assert message.caption == "foto" and message.photo[-1].file_size == 1004
        assert fake_api.sent[-1]["photo_size"] == 1004
        assert await bot.send_chat_action(CHAT, "typing")

        sent = await bot.send_message(CHAT, "<b>satu</b>", parse_mode="HTML")
        assert sent.text == "satu"  # Telegram returns the plain text (entities omitted here)
        with pytest.raises(BadRequest, match="(?i)message is not modified"):
            await bot.edit_message_text("<b>satu</b>", CHAT, sent.message_id, parse_mode="HTML")
        with pytest.raises(BadRequest, match="(?i)message to edit not found"):
            await bot.edit_message_text("dua", CHAT, 999)

        fake_api.inline_query(7, "stunting")
        query_id = fake_api.updates[-1]["inline_query"]["id"]
        articles = [InlineQueryResultArticle(str(n), f"hasil {n}", InputTextMessageContent("x"))
                    for n in range(51)]
        with pytest.raises(BadRequest, match="(?i)RESULTS_TOO_MUCH"):
            await bot.answer_inline_query(query_id, articles)
        await bot.answer_inline_query(query_id, articles[:50])
        assert len(fake_api.sent[-1]["results"]) == 50
        with pytest.raises(BadRequest, match="(?i)query ID is invalid"):  # answered already
            await bot.answer_inline_query(query_id, [])
        with pytest.raises(EndPointNotFound):  # 404 "method not found"
            await bot.do_api_request("noSuchMethod")
    async with aiohttp.ClientSession() as session, session.get(f"{fake_api.url}/stats") as response:
        assert (await response.json())["sendPhoto"] == 1  # counts are served over HTTP too


def test_html_checker() -> None:
    assert parse_html('<b>a</b> &lt;b&gt; <a href="https://x.y">z</a> &amp; <span '
                      'class="tg-spoiler">s</span> & 2') == "a <b> z & s & 2"
    for bad in ("<b>x", "x</b>", "<b><i>x</b></i>", "<p>x</p>", "<span>x</span>", "a < b"):
        with pytest.raises(ApiError, match="can't parse entities"):
            parse_html(bad)


async def test_injected_updates_look_like_telegram(fake_api: FakeBotApi) -> None:
    fake_api.user_message(CHAT, "halo")
    fake_api.group_message(-100777, "/tanya@stunting_test_bot 👶 itu @budi", reply_to_bot=True)
    fake_api.inline_query(7, "pkh")
    async with build(fake_api) as application:
        updates = await application.bot.get_updates(timeout=0, limit=2)
        assert len(updates) == 2
        group = updates[1].message
        assert group.chat.type == "supergroup" and group.from_user.language_code == "id"
        assert group.reply_to_message.from_user.username == "stunting_test_bot"
        assert [(e.type, group.parse_entity(e)) for e in group.entities] == [
            ("bot_command", "/tanya@stunting_test_bot"), ("mention", "@budi")]
        assert group.text.startswith("/tanya") and not group.from_user.is_bot
        rest = await application.bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
        assert [u.inline_query.query for u in rest] == ["pkh"]
        assert len(fake_api.updates) == 1  # the first two were confirmed by the offset

        started = time.monotonic()  # a long poll wakes as soon as an update arrives
        polls = len(fake_api.calls)
        poll = asyncio.create_task(application.bot.get_updates(offset=rest[0].update_id + 1,
                                                                 timeout=5))
        await until(lambda: any(c["method"] == "getUpdates" for c in fake_api.calls[polls:]),
                    what="the long poll to reach the fake")
        fake_api.callback(CHAT, 1, "x")
        assert [u.callback_query.data for u in await poll] == ["x"]
        assert time.monotonic() - started < 1


async def test_stops_cleanly_during_a_long_poll() -> None:
    async with FakeBotApi() as api:
        application = build(api)
        async with application:
            await application.updater.start_polling(poll_interval=0, timeout=30)
            await application.start()
            await until(lambda: any(c["method"] == "getUpdates" and c["params"].get("timeout") == 30
                                    for c in api.calls), what="a 30 s getUpdates to be pending")
            started = time.monotonic()
            await application.updater.stop()
            await application.stop()
    assert time.monotonic() - started < 2
    assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []
