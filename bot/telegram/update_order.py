"""Updates from one person are handled one after another; different people's, side by side.

PTB handles up to ``CONCURRENT_UPDATES`` updates at once, in any order. For one person that is a
race: two answers to the profile's "Di kabupaten/kota mana?" typed back to back were both read as
the kabupaten, because the second was handled before the first had moved the profile on to the
kecamatan (issue #13 §4). ``PerSenderUpdateProcessor`` takes a lock per sender before a slot: the
second message waits for the first to be handled, in the order they arrived (asyncio's locks are
first come, first served), without holding one of the slots other people's updates need.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import SimpleUpdateProcessor


class PerSenderUpdateProcessor(SimpleUpdateProcessor):
    def __init__(self, max_concurrent_updates: int):
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}  # sender → updates holding or awaiting its lock

    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        sender = sender_of(update)
        if sender is None:
            await super().process_update(update, coroutine)
            return
        lock = self._locks.setdefault(sender, asyncio.Lock())
        self._waiting[sender] = self._waiting.get(sender, 0) + 1
        try:
            async with lock:
                await super().process_update(update, coroutine)
        finally:
            self._waiting[sender] -= 1
            if not self._waiting[sender]:  # nobody else in line: forget the sender
                del self._waiting[sender], self._locks[sender]

    def senders_in_line(self) -> int:
        """How many senders have an update being handled or waiting (for tests and health)."""
        return len(self._locks)


def sender_of(update: object) -> int | None:
    """The person an update comes from (their messages, buttons and queries), if any."""
    if not isinstance(update, Update):
        return None
    user = update.effective_user
    return user.id if user is not None else None
