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
from telegram.ext import BaseUpdateProcessor

# The base class's own bound, out of reach (see PerSenderUpdateProcessor).
UNBOUNDED = 1 << 30


class PerSenderUpdateProcessor(BaseUpdateProcessor):
    """At most ``max_concurrent_updates`` updates handled at once, one sender's one at a time.

    PTB's own bound (the base class's semaphore, taken before ``do_process_update``) is set out of
    reach: taken first, a slot would be held by an update only waiting for its sender's lock. The
    bound is applied here instead, after the lock."""

    def __init__(self, max_concurrent_updates: int):
        super().__init__(UNBOUNDED)
        self._slots = asyncio.BoundedSemaphore(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}  # sender → updates holding or awaiting its lock

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        sender = sender_of(update)
        if sender is None:
            async with self._slots:
                await coroutine
            return
        lock = self._locks.setdefault(sender, asyncio.Lock())
        self._waiting[sender] = self._waiting.get(sender, 0) + 1
        try:
            async with lock, self._slots:
                await coroutine
        finally:
            self._waiting[sender] -= 1
            if not self._waiting[sender]:  # nobody else in line: forget the sender
                del self._waiting[sender], self._locks[sender]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def sender_of(update: object) -> int | None:
    """The person an update comes from (their messages, buttons and queries), if any."""
    if not isinstance(update, Update):
        return None
    user = update.effective_user
    return user.id if user is not None else None
