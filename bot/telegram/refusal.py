"""Who may use a privileged command, and the one way a person is refused (logged, and told who may)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.telegram.render import esc
from bot.telegram.services import services

log = logging.getLogger(__name__)


def is_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    user = update.effective_user
    return user is not None and user.id in services(context).admin_ids


async def refuse(
    update: Update, context: ContextTypes.DEFAULT_TYPE, key: str = "tg_not_allowed", **values: object
) -> None:
    """Every privileged command not meant for this person ends here, and is logged; the reply (``key``)
    says who may use it: admins and coordinators, admins only (``tg_not_allowed_admin``), or the
    broadcast's own sender."""
    user, message = update.effective_user, update.effective_message
    command = (message.text or "?").split(maxsplit=1)[0] if message else "?"
    if update.callback_query is not None:  # a button: the message is the bot's, not a command
        command = f"button {update.callback_query.data!r}"
    log.warning("refused privileged command %s from user %s", command, user.id if user else None)
    if message:
        shown = command.split("@")[0][:40] if command.startswith("/") else services(context).text("tg_this_command")
        await message.reply_html(esc(services(context).text(key, command=shown, **values)))
