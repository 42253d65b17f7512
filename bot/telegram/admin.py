"""Admin commands. Each is checked on every call; everyone else is refused, and the refusal logged."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import ContextTypes

from bot.content.problems import ContentError
from bot.engine import Engine
from bot.telegram.handlers import is_admin, refuse, send_html, services
from bot.telegram.keyboards import content_version
from bot.telegram.render import plain_html

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


COMMANDS = [
    (("muat_ulang", "reload"), reload_content, "tg_command_reload"),
]
