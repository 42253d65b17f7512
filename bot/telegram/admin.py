"""Admin commands. Each is checked on every call; everyone else is refused, and the refusal logged."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta

from telegram import Update
from telegram.ext import ContextTypes

from bot.engine import Engine
from bot.reports.records import REPORT_TZ, day_start
from bot.reports.stats import Stats, build_stats
from bot.reports.summary import period, stats_summary, unanswered_blocks
from bot.reports.unanswered import group_with_engine
from bot.storage import users
from bot.storage import reports as report_store
from bot.telegram.broadcast import set_coordinator_menu
from bot.telegram.handlers import is_admin, refuse, send_html, services
from bot.telegram.reload import ContentReloader, outcome_text
from bot.telegram.render import esc, plain_html

log = logging.getLogger(__name__)
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


def guarded(callback: Handler) -> Handler:
    async def check_then_run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not is_admin(update, context):
            await refuse(update, context)
            return
        await callback(update, context)

    check_then_run.__name__ = callback.__name__
    return check_then_run


async def reload_content(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/muat_ulang: check and index the content off the event loop, swap it in; keep the old on error."""
    message = update.effective_message
    reloader: ContentReloader | None = context.application.bot_data.get("reloader")
    if message is None or reloader is None:
        return
    outcome = await reloader.reload()
    await send_html(message, plain_html(outcome_text(outcome, reloader.services.engine.messages)))


GRANT = {"koordinator", "coordinator"}
REVOKE = {"hapus", "remove", "revoke"}


async def set_role(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/peran <user id or @username> koordinator|hapus"""
    s = services(context)
    message = update.effective_message
    if message is None:
        return
    args = context.args or []
    action = args[1].casefold() if len(args) == 2 else ""
    if action not in GRANT | REVOKE:
        await send_html(message, plain_html(s.text("tg_role_usage")))
        return
    target = args[0]
    user = None
    if target.isdigit():
        user = await users.get_user(s.db, int(target))
    elif target.startswith("@") and len(target) > 1:
        user = await users.find_by_username(s.db, target)
    if user is None:
        await message.reply_html(esc(s.text("tg_role_unknown_user", who=target[:64])))
        return
    grant = action in GRANT
    user = await users.set_coordinator(s.db, user.telegram_id, grant)
    log.info(
        "coordinator role %s for %s by %s",
        "granted" if grant else "revoked", user.telegram_id, update.effective_user.id if update.effective_user else None,
    )  # fmt: skip
    await set_coordinator_menu(context.application, user.telegram_id, grant)
    name = user.first_name or (f"@{user.username}" if user.username else str(user.telegram_id))
    key = "tg_role_granted" if grant else "tg_role_revoked"
    await message.reply_html(esc(s.text(key, name=name, id=user.telegram_id)))


# --- reports -------------------------------------------------------------------------------

MAX_GROUPS_SHOWN = 30
STATS_DAYS = 30
NAMES = {"nama", "names"}


def _report_args(args: list[str]) -> tuple[date | None, bool] | str:
    """``[YYYY-MM-DD] [nama]`` in any order; the offending word when something else is given."""
    since, names = None, False
    for word in args:
        if word.casefold() in NAMES:
            names = True
            continue
        try:
            since = date.fromisoformat(word)
        except ValueError:
            return word[:32]
    return since, names


async def _report_request(update: Update, context: ContextTypes.DEFAULT_TYPE):
    """(services, message, (since, names)) for a report command, or None when there is nothing to do
    (a usage hint has then been sent). The question log is flushed first: reports read the database."""
    s = services(context)
    message = update.effective_message
    if message is None:
        return None
    parsed = _report_args(context.args or [])
    if isinstance(parsed, str):
        await send_html(message, plain_html(s.text("tg_report_usage", text=parsed)))
        return None
    await s.flush_questions()  # reports read the database: the last moments' questions too
    return s, message, parsed


async def unanswered(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/belum_terjawab [YYYY-MM-DD] [nama]: unanswered and disliked questions, grouped."""
    request = await _report_request(update, context)
    if request is None:
        return
    s, message, (since, names) = request
    rows = await report_store.unanswered_questions(s.db, day_start(since) if since else None)
    engine = s.engine
    groups = await asyncio.to_thread(group_with_engine, rows, engine, with_names=names)
    blocks = unanswered_blocks(groups, engine.messages, since=since, limit=MAX_GROUPS_SHOWN)
    await send_html(message, plain_html(*blocks))


async def statistics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/statistik [YYYY-MM-DD]: the chart as a photo, then the summary (default: the last 30 days)."""
    request = await _report_request(update, context)
    if request is None:
        return
    s, message, (since, _) = request
    today = datetime.now(REPORT_TZ).date()
    since = since or today - timedelta(days=STATS_DAYS - 1)
    start = day_start(since)
    questions = await report_store.question_outcomes(s.db, start)
    votes = await report_store.votes(s.db, start)
    people = await report_store.companions(s.db)
    engine = s.engine
    titles = {entry.id: entry.question for entry in engine.entries}
    stats = build_stats(questions, votes, people, today=today, since=since, titles=titles)
    png = await asyncio.to_thread(_chart, stats, engine, since)  # matplotlib takes a while: off the loop
    await message.reply_photo(png, caption=s.text("tg_stats_caption", period=period(engine.messages, since)))
    await send_html(message, plain_html(stats_summary(stats, engine.messages, since)))


def _chart(stats: Stats, engine: Engine, since: date) -> bytes:
    from bot.reports.chart import render_chart  # matplotlib is imported on first use, not at start-up

    return render_chart(stats, engine.messages, since)


COMMANDS = [
    (("muat_ulang", "reload"), reload_content, "tg_command_reload"),
    (("peran", "role"), set_role, "tg_command_role"),
    (("belum_terjawab", "unanswered"), unanswered, "tg_command_unanswered"),
    (("statistik", "stats"), statistics, "tg_command_stats"),
]
