"""The command menu a person sees in their own chat with the bot: public, coordinator or responder
(the menus themselves are built at start-up, ``bot.telegram.app.set_command_menus``)."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat
from telegram.error import TelegramError
from telegram.ext import Application

from bot.telegram.services import Services

log = logging.getLogger(__name__)

MENUS = "menus"  # bot_data: the menus by kind ("public", "coordinator", "responder")


async def set_coordinator_menu(
    application: Application, telegram_id: int, coordinator: bool, responder: bool = False
) -> None:
    """Best effort: a chat-scoped menu with /siaran for a coordinator, with /antrian and /jawab for a
    responder, the public one otherwise."""
    menus: dict[str, list[BotCommand]] = application.bot_data.get(MENUS, {})
    s: Services = application.bot_data["services"]
    if telegram_id in s.admin_ids:
        return  # admins keep the admin menu, which has /siaran already
    menu = menus.get("coordinator" if coordinator else "responder" if responder else "public")
    if not menu:
        return
    try:
        await application.bot.set_my_commands(menu, scope=BotCommandScopeChat(telegram_id))
    except TelegramError as exc:
        log.warning("could not set the command menu for %s: %s", telegram_id, exc)
