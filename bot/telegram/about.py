"""What the bot says about itself on its Telegram profile: the description (shown in an empty chat,
before /start) and the short description (on the profile page and when the bot is shared), both
from content/messages.yaml."""

from __future__ import annotations

import logging

from telegram.error import TelegramError
from telegram.ext import Application

from bot.telegram.services import Services

log = logging.getLogger(__name__)


async def set_description(application: Application) -> None:
    """Best effort, at start-up. Each text is set only when Telegram holds another one: both calls are
    rate-limited, and most restarts change nothing."""
    s: Services = application.bot_data["services"]
    bot = application.bot
    description, short = s.text("tg_bot_description"), s.text("tg_bot_short_description")
    try:
        if (await bot.get_my_description()).description != description:
            await bot.set_my_description(description)
        if (await bot.get_my_short_description()).short_description != short:
            await bot.set_my_short_description(short)
    except TelegramError as exc:
        log.warning("could not set the bot's description: %s", exc)
