"""The bot's rate limiter: Telegram's limits per bot and per group, and flood waits per chat.

PTB's ``AIORateLimiter`` keeps the overall (30 messages/s) and per-group (20/min) limits, but a
429 "retry after N" for one chat makes it hold back *every* request for N seconds: one person's
flood wait stalled everyone else's answers (issue #13 §4). Telegram's flood waits are per chat, so
here the chat that got the 429 waits and is retried; other chats keep being answered. A 429 on a
request without a chat (getUpdates, setMyCommands …) holds back only such requests.

The overall and per-group limits use ``aiolimiter`` (which PTB's rate-limiter extra installs), as
``AIORateLimiter`` does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram import constants
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.broadcast.sender import retry_after_seconds

log = logging.getLogger(__name__)

# A flood wait is retried after the time Telegram asked for and this much more (its clock and ours).
RETRY_SLACK_S = 0.1
# Chats whose limiter or flood wait is remembered before idle ones are forgotten.
MAX_TRACKED_CHATS = 1024

NO_CHAT = "no chat"  # the key of requests that name no chat


class PerChatRateLimiter(BaseRateLimiter[int]):
    """Overall and per-group limits for every request; a flood wait delays only its own chat.

    ``max_retries``: how often a request refused with 429 is sent again (after the wait Telegram
    asked for) before the ``RetryAfter`` reaches the caller; a request's ``rate_limit_args``
    overrides it."""

    def __init__(
        self,
        max_retries: int = 3,
        overall_per_second: float = constants.FloodLimit.MESSAGES_PER_SECOND,
        group_per_minute: float = constants.FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP,
    ):
        self._max_retries = max_retries
        self._overall = AsyncLimiter(overall_per_second, 1)
        self._group_per_minute = group_per_minute
        self._groups: dict[int | str, AsyncLimiter] = {}
        self._resume_at: dict[int | str, float] = {}  # chat → loop time it may send again

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat = chat_key(data.get("chat_id"))
        retries = self._max_retries if rate_limit_args is None else rate_limit_args
        for attempt in range(retries + 1):
            await self._until_resumed(chat)
            try:
                await self._take_turn(chat)
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt == retries:
                    raise
                wait = retry_after_seconds(exc) + RETRY_SLACK_S
                log.info("flood wait of %.1f s for %s on %s (attempt %d)", wait, _shown(chat), endpoint, attempt + 1)
                self._pause(chat, wait)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def paused(self, chat_id: object) -> float:
        """Seconds the chat still waits for its flood wait (0 when it may send)."""
        resume = self._resume_at.get(chat_key(chat_id))
        return max(0.0, resume - asyncio.get_running_loop().time()) if resume is not None else 0.0

    def _pause(self, chat: int | str, seconds: float) -> None:
        now = asyncio.get_running_loop().time()
        self._resume_at[chat] = max(self._resume_at.get(chat, now), now + seconds)
        if len(self._resume_at) > MAX_TRACKED_CHATS:
            for key, resume in list(self._resume_at.items()):
                if resume <= now:
                    del self._resume_at[key]

    async def _until_resumed(self, chat: int | str) -> None:
        loop = asyncio.get_running_loop()
        while (resume := self._resume_at.get(chat)) is not None and (left := resume - loop.time()) > 0:
            await asyncio.sleep(left)
        self._resume_at.pop(chat, None)

    async def _take_turn(self, chat: int | str) -> None:
        """Wait for the group's and then the bot's rate (messages to a chat count; other calls do not)."""
        if chat == NO_CHAT:
            return
        if _is_group(chat) and self._group_per_minute:
            await self._group(chat).acquire()
        await self._overall.acquire()

    def _group(self, chat: int | str) -> AsyncLimiter:
        if chat not in self._groups:
            if len(self._groups) > MAX_TRACKED_CHATS:  # forget the groups that have their full rate back
                for key, limiter in list(self._groups.items()):
                    if limiter.has_capacity(limiter.max_rate):
                        del self._groups[key]
            self._groups[chat] = AsyncLimiter(self._group_per_minute, 60)
        return self._groups[chat]


def chat_key(chat_id: object) -> int | str:
    """One key per chat whatever form its id came in (12, "12", "@channel"); NO_CHAT for none."""
    if chat_id is None:
        return NO_CHAT
    with contextlib.suppress(ValueError, TypeError):
        return int(chat_id)  # type: ignore[call-overload]
    return str(chat_id)


def _is_group(chat: int | str) -> bool:
    """Group and channel ids are negative (or a @username); a private chat's is the user's id."""
    return isinstance(chat, str) or chat < 0


def _shown(chat: int | str) -> str:
    return "requests without a chat" if chat == NO_CHAT else f"chat {chat}"
