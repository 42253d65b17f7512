"""Build and run the Telegram Application (python-telegram-bot v22, long polling or a webhook).

The shell around the engine: configuration, handler wiring, the command menu,
storage lifetime, one log line per update, clean stop on SIGINT/SIGTERM. The logging set-up
(token redaction included) is ``bot.logging_setup``'s; webhook mode is ``bot.telegram.webhook``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import re
import signal
from collections.abc import AsyncIterator
from typing import TypedDict

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.broadcast import BroadcastSender
from bot.config import Settings
from bot.engine import Engine
from bot.storage import Database, QuestionLog, users
from bot.storage.region_codes import map_free_text
from bot.telegram import (
    admin,
    broadcast_commands,
    database_watch,
    handlers,
    handoff,
    keyboards,
    privacy,
    profile,
    recovery,
    waiting,
)
from bot.telegram.about import set_description
from bot.telegram.menus import MENUS, set_coordinator_menu
from bot.telegram.rate_limit import PerChatRateLimiter
from bot.telegram.reload import ContentReloader
from bot.telegram.services import BotContext, Services
from bot.telegram.transport import AiohttpRequest
from bot.telegram.update_log import TimedApplication
from bot.telegram.update_order import PerSenderUpdateProcessor
from bot.telegram.updates import UpdatesRequest, arrived

log = logging.getLogger(__name__)

CONCURRENT_UPDATES = 16
# Every message the bot writes is escaped HTML (bot.telegram.render) and shows no link previews; a plain-text
# send says parse_mode=None. The broadcast sender's own Bot is not the Application's and passes its own.
DEFAULTS = Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True))
TOKEN_PATTERN = re.compile(r"^\d{3,15}:[A-Za-z0-9_-]{10,64}$")

# (commands, handler) pairs; the first name is Indonesian, the others are English aliases.
PUBLIC_COMMANDS = [
    (("start",), profile.start, "tg_command_start"),
    (("bantuan", "help"), handlers.help_command, "tg_command_help"),
    (("topik", "topics"), handlers.topics, "tg_command_topics"),
    (("istilah", "glossary", "term"), handlers.glossary, "tg_command_glossary"),
    (("cari", "search"), handlers.search, "tg_command_search"),
    (("sumber", "source"), handlers.source, "tg_command_source"),
    (("profil", "profile"), profile.profile, "tg_command_profile"),
    (("langganan", "subscribe"), handlers.subscribe, "tg_command_subscribe"),
    (("berhenti", "stop", "unsubscribe"), handlers.unsubscribe, "tg_command_unsubscribe"),
    (("hapus_data", "delete_my_data"), privacy.delete_command, "tg_command_delete_data"),
]
# questions handed to a person: admins, coordinators and responders (checked inside)
HANDOFF_COMMANDS = [
    (("antrian", "queue"), handoff.queue_command, "tg_command_queue"),
    (("jawab", "answer"), handoff.answer_command, "tg_command_answer"),
]
BUTTONS = {  # the kind of a button's callback data -> its handler
    keyboards.ANSWER: handlers.answer_button,
    keyboards.FEEDBACK: handlers.feedback_button,
    keyboards.TOPIC: handlers.topic_button,
    keyboards.TOPICS: handlers.topics_button,
    keyboards.BROADCAST: broadcast_commands.button,
    keyboards.ACK: broadcast_commands.acknowledge_button,
    keyboards.DELETE_DATA: privacy.button,
    keyboards.ROLE: profile.role_button,
    keyboards.REGION: profile.region_button,
    keyboards.HANDOFF: handoff.button,
}
MAX_COORDINATOR_MENUS = 500  # chat-scoped menus set at start-up (best effort)
GROUP_MENU = {"bantuan", "topik", "istilah", "cari"}


def valid_token(token: str) -> bool:
    return bool(TOKEN_PATTERN.match(token))


class ApiUrls(TypedDict, total=False):
    base_url: str
    base_file_url: str


def api_urls(base: str | None) -> ApiUrls:
    """PTB's ``base_url`` and ``base_file_url`` for another Bot API server (TELEGRAM_API_BASE_URL), given
    as the server's root (``http://localhost:8081``) or in PTB's own form ending in ``/bot``
    (``http://localhost:8081/bot``); empty for Telegram's own."""
    if not base:
        return {}
    root = base.strip().rstrip("/")
    root = root.removesuffix("/bot")
    return {"base_url": f"{root}/bot", "base_file_url": f"{root}/file/bot"}


def build_application(settings: Settings, engine: Engine, reload_on_sighup: bool = False) -> Application:
    """The Application for these settings; storage opens in post_init, inside the event loop.
    ``reload_on_sighup``: SIGHUP reloads the content (``run`` sets it; tests in-process do not)."""
    token = settings.token
    builder = (
        ApplicationBuilder()
        .application_class(TimedApplication)  # one log line per update (bot.telegram.update_log)
        .token(token)
        .defaults(DEFAULTS)
        # Telegram's limits, with a flood wait delaying only its own chat (bot.telegram.rate_limit)
        .rate_limiter(PerChatRateLimiter(max_retries=3))
        # Bounded: hundreds of handlers sending at once make httpx open ~100 connections and
        # slow every request down (docs/benchmarks.md, "Telegram end to end").
        # ... one person's in the order they came (bot.telegram.update_order)
        .concurrent_updates(PerSenderUpdateProcessor(CONCURRENT_UPDATES))
        .context_types(ContextTypes(context=BotContext))
        # aiohttp under PTB for the bot's own calls (bot.telegram.transport): a fraction of
        # httpx's CPU per request. getUpdates keeps PTB's default client.
        .request(AiohttpRequest(connection_pool_size=CONCURRENT_UPDATES + 4))
        # getUpdates: PTB's HTTPX client, reading each update first (bot.telegram.updates)
        .get_updates_request(updates_request := UpdatesRequest(connection_pool_size=1))
    )
    urls = api_urls(settings.telegram_api_base_url)
    if urls:
        builder = builder.base_url(urls["base_url"]).base_file_url(urls["base_file_url"])

    async def post_init(application: Application) -> None:
        # The content index and everything built at start-up live until exit: move them out of the
        # cyclic collector's sight, so its full passes do not rescan them (docs/benchmarks.md).
        gc.freeze()
        db = await Database.open(settings.db_path)
        question_log = QuestionLog(db)
        await question_log.start()
        application.bot_data["services"] = services = Services(
            engine=engine,
            db=db,
            question_log=question_log,
            admin_ids=settings.admin_id_set,
            content_dir=settings.content_dir,
            seeds_dir=settings.seeds_dir,
        )
        await recovery.handle_leftovers(application, db)  # what a crash left unhandled, first
        if services.catalogue is not None:  # older profiles' typed regions → official codes, once each
            mapped = await map_free_text(db, services.catalogue.profile_code)
            if mapped.checked:
                log.info("regions: %d of %d typed region(s) matched an official region", mapped.mapped, mapped.checked)
        await set_command_menus(application)
        await set_description(application)  # the profile text: what the bot answers, and from what
        privacy.start_retention(application, settings.question_retention_days)  # at start-up, then every 6 h
        handoff.start_follow_up(application)  # reminders after 24 h, escalation after 72 h
        database_watch.start(application, settings.database_watch_interval)  # the file deleted: stop
        # Broadcasts go through their own Bot, paced by the sender and without the
        # AIORateLimiter (see bot/broadcast/sender.py for why).
        if settings.broadcast_rate > 30:
            log.warning("BOT_BROADCAST_RATE=%s is above Telegram's ~30 messages/s; expect 429s", settings.broadcast_rate)
        broadcast_bot = Bot(token, request=AiohttpRequest(connection_pool_size=4), **urls)
        await broadcast_bot.initialize()
        sender = BroadcastSender(
            db, broadcast_bot, rate=settings.broadcast_rate,
            compose=broadcast_commands.broadcast_messages(services.text("tg_broadcast_ack_button")),
        )
        await sender.start()
        application.bot_data["broadcast_sender"] = sender
        reporter = broadcast_commands.ProgressReporter(application)
        reporter.start()
        application.bot_data["broadcast_progress"] = reporter
        reloader = ContentReloader(application, settings.content_dir, settings.seeds_dir)
        application.bot_data["reloader"] = reloader
        if reload_on_sighup:
            reloader.install_signal()
        if settings.content_watch:
            reloader.start_watching()

    async def post_shutdown(application: Application) -> None:
        reloader: ContentReloader | None = application.bot_data.pop("reloader", None)
        if reloader is not None:
            await reloader.stop()
        reporter: broadcast_commands.ProgressReporter | None = application.bot_data.pop("broadcast_progress", None)
        if reporter is not None:
            await reporter.stop()
        sender: BroadcastSender | None = application.bot_data.pop("broadcast_sender", None)
        if sender is not None:
            await sender.stop()
            await sender.bot.shutdown()
        stored: Services | None = application.bot_data.get("services")
        if stored is not None:
            if stored.question_log is not None:
                await stored.question_log.close()
            await stored.db.close()

    application = builder.post_init(post_init).post_shutdown(post_shutdown).build()
    updates_request.on_refused = lambda: token_refused(application)

    async def store_fetched(batch: list) -> list:
        services = application.bot_data.get("services")
        return await arrived(services.db if services is not None else None, batch)

    updates_request.on_fetched = store_fetched
    add_handlers(application)
    return application


TOKEN_REFUSED = "token_refused"  # bot_data: getUpdates was refused (401/404) while running


def token_refused(application: Application) -> None:
    """Telegram refused the token while polling: stop (once: the Updater's last getUpdates while
    stopping is refused too), so that ``run`` exits with status 2."""
    if application.bot_data.get(TOKEN_REFUSED):
        return
    application.bot_data[TOKEN_REFUSED] = True
    log.error("Telegram refused the token while polling (TELEGRAM_BOT_TOKEN revoked?); stopping.")
    application.stop_running()


def add_handlers(application: Application) -> None:
    # Questions first: they are most updates, and commands never pass ~filters.COMMAND, so the
    # order changes nothing but the number of handlers each question is checked against.
    # New messages only: an edited message is not answered (and logged) a second time.
    new = filters.UpdateType.MESSAGE
    text = new & filters.TEXT & ~filters.COMMAND
    # Group -1: a step waiting for this person's text (a region, a broadcast's text or time) takes it
    # and stops there (ApplicationHandlerStop); a command ends the wait and runs below.
    # Group -2: a private reply to a handoff notification (a responder's answer) or to a person's
    # answer (asking again) is taken there; other replies go on.
    replies = filters.ChatType.PRIVATE & filters.REPLY & text
    application.add_handler(MessageHandler(replies, handoff.on_reply), group=-2)
    waiting_steps = waiting.handler(
        {profile.STEP: profile.on_text, "broadcast_": broadcast_commands.on_text, handoff.STEP: handoff.on_text}
    )
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & new & filters.TEXT, waiting_steps), group=-1)
    # Group 1: after a private message is handled, ask once those whose old region matched nothing.
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & text, profile.recheck), group=1)
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & text, handlers.private_text))
    application.add_handler(MessageHandler(filters.ChatType.GROUPS & text, handlers.group_text))
    media = (filters.VOICE | filters.AUDIO | filters.VIDEO_NOTE | filters.PHOTO | filters.VIDEO | filters.Sticker.ALL
             | filters.LOCATION | filters.Document.ALL | filters.CONTACT)  # fmt: skip
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & new & media, handlers.not_text))
    for names, callback, _ in PUBLIC_COMMANDS:
        application.add_handler(CommandHandler(list(names), callback))
    application.add_handler(CommandHandler(["lewati", "skip"], profile.skip))
    application.add_handler(CommandHandler(["batal", "cancel"], broadcast_commands.cancel_command))
    for names, callback, _ in admin.COMMANDS:
        application.add_handler(CommandHandler(list(names), admin.guarded(callback)))
    for names, callback, _ in broadcast_commands.COMMANDS + admin.REPORT_COMMANDS + HANDOFF_COMMANDS:  # checked inside
        application.add_handler(CommandHandler(list(names), callback))
    # One handler per kind of button (bot.telegram.keyboards); any other callback data is outdated.
    for kind, on_press in BUTTONS.items():
        application.add_handler(CallbackQueryHandler(on_press, pattern=keyboards.pattern(kind)))
    # Last in group 0: a command the bot does not know, and any other kind of private message (a poll,
    # a dice, a GIF …), still get a reply.
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & new & filters.COMMAND, handlers.unknown_command))
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & new & ~filters.TEXT, handlers.not_text))
    application.add_handler(CallbackQueryHandler(handlers.stale_button))
    application.add_handler(InlineQueryHandler(handlers.inline_query))
    application.add_error_handler(handlers.on_error)


async def set_command_menus(application: Application) -> None:
    """Companions see their commands; admins also see admin commands."""
    services: Services = application.bot_data["services"]
    public = [BotCommand(names[0], services.text(key)) for names, _, key in PUBLIC_COMMANDS]
    await application.bot.set_my_commands(public, scope=BotCommandScopeAllPrivateChats())
    group = [command for command in public if command.command in GROUP_MENU]
    await application.bot.set_my_commands(group, scope=BotCommandScopeAllGroupChats())
    coordinator_menu = public + [
        BotCommand(names[0], services.text(key))
        for names, _, key in broadcast_commands.COMMANDS + admin.REPORT_COMMANDS + HANDOFF_COMMANDS
    ]
    admin_menu = coordinator_menu + [BotCommand(names[0], services.text(key)) for names, _, key in admin.COMMANDS]
    responder_menu = public + [BotCommand(names[0], services.text(key)) for names, _, key in HANDOFF_COMMANDS]
    application.bot_data[MENUS] = {"public": public, "coordinator": coordinator_menu, "responder": responder_menu}
    for coordinator in await users.list_users(services.db, coordinator=True, limit=MAX_COORDINATOR_MENUS):
        await set_coordinator_menu(application, coordinator.telegram_id, True)
    for responder in (await users.responders(services.db))[:MAX_COORDINATOR_MENUS]:
        await set_coordinator_menu(application, responder, False, responder=True)
    for admin_id in sorted(services.admin_ids):
        try:
            await application.bot.set_my_commands(admin_menu, scope=BotCommandScopeChat(admin_id))
        except TelegramError as exc:  # the admin has not opened a chat with the bot yet
            log.warning("could not set the admin command menu for %s: %s", admin_id, exc)


@contextlib.asynccontextmanager
async def polling(application: Application, timeout: int = 1) -> AsyncIterator[Application]:
    """What ``run_polling`` does (initialize, post_init, poll, start), inside a running event loop,
    with a clean stop on exit. Tests and benchmarks drive the real bot this way."""
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0.0, timeout=timeout)
    await application.start()
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)


def run(settings: Settings, engine: Engine) -> int:
    """Long polling, or webhook mode when BOT_WEBHOOK_URL is set (settings already checked by
    ``stunting-bot run``), until SIGINT/SIGTERM. Returns the process exit status. Logging is set
    up by the caller (``bot.logging_setup.configure``: token redacted, httpx held at WARNING)."""
    application = build_application(settings, engine, reload_on_sighup=True)
    stop_signals = (signal.SIGINT, signal.SIGTERM)
    try:
        if settings.webhook_mode:
            from bot.telegram import webhook

            host, port = settings.webhook_address
            url, secret = (settings.webhook_url or "").strip(), settings.webhook_secret_value
            try:
                asyncio.run(webhook.serve(application, url, secret, host, port, stop_signals))
            except webhook.WebhookRefused as exc:
                log.error("Telegram refused the webhook URL (BOT_WEBHOOK_URL=%s): %s", url, exc)
                return 2
            except webhook.ListenFailed as exc:  # the port is taken (perhaps for a moment: exit 1, restart)
                log.error("%s", exc)
                return 1
        else:
            application.run_polling(allowed_updates=Update.ALL_TYPES, stop_signals=stop_signals, close_loop=False)
            if application.bot_data.get(TOKEN_REFUSED):
                return 2
        if application.bot_data.get(database_watch.DATABASE_LOST):
            return 1
    except InvalidToken:
        log.error("Telegram refused the token (TELEGRAM_BOT_TOKEN); check it with BotFather.")
        return 2
    except NetworkError as exc:
        log.error("cannot reach the Telegram Bot API: %s", exc)
        return 1
    finally:
        asyncio.set_event_loop(None)
    return 0
