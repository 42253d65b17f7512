"""Admin commands. Each is checked on every call; everyone else is refused, and the refusal logged."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import ContextTypes

from bot.content.problems import ContentError
from bot.engine import Engine
from bot.storage import users
from bot.telegram.broadcast import set_coordinator_menu
from bot.telegram.handlers import is_admin, refuse, send_html, services
from bot.telegram.keyboards import content_version
from bot.telegram.render import esc, plain_html

log = logging.getLogger(__name__)
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]
MAX_PROBLEMS_SHOWN = 20


def guarded(callback: Handler) -> Handler:
    async def check_then_run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not is_admin(update, context):
            await refuse(update, context)
            return
        await callback(update, context)

    check_then_run.__name__ = callback.__name__
    return check_then_run


async def reload_content(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Validate and index the content off the event loop, then swap it in; keep the old on error."""
    s = services(context)
    message = update.effective_message
    if message is None or s.content_dir is None:
        return
    old = s.engine
    try:
        new = await asyncio.to_thread(Engine.from_directory, s.content_dir, s.seeds_dir)
    except ContentError as exc:
        errors = [str(p) for p in exc.problems if p.severity == "error"]
        shown = "\n".join(f"• {line}" for line in errors[:MAX_PROBLEMS_SHOWN])
        more = len(errors) - MAX_PROBLEMS_SHOWN
        text = s.text("tg_reload_failed", count=len(errors), problems=shown)
        if more > 0:
            text += "\n" + s.text("tg_reload_more", count=more)
        log.warning("content reload refused: %d problem(s)", len(errors))
        await send_html(message, plain_html(text))
        return
    s.engine, s.version = new, content_version(new.entries)
    before = {e.id: e for e in old.entries}
    after = {e.id: e for e in new.entries}
    changed = sum(1 for i in before.keys() & after.keys() if before[i] != after[i])
    summary = s.text(
        "tg_reload_done",
        entries=len(after),
        added=len(after.keys() - before.keys()),
        changed=changed,
        removed=len(before.keys() - after.keys()),
    )
    log.info("content reloaded: %s", summary.replace("\n", " "))
    await send_html(message, plain_html(summary))


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


COMMANDS = [
    (("muat_ulang", "reload"), reload_content, "tg_command_reload"),
    (("peran", "role"), set_role, "tg_command_role"),
]
