"""The broadcast sender: one asyncio task in the bot process that walks pending delivery rows.

Started from the Application's ``post_init`` and stopped in ``post_shutdown``. It polls the
database at least once a second for due broadcasts (the CLI queues them from another process),
works on one broadcast at a time and on **one row at a time**: the row is marked ``sending``
before the API call and ``sent`` after, so a crash leaves at most one row in doubt (see
``bot.storage.broadcasts``). On start it puts such a row back to ``pending``.

Which Bot sends: a separate ``telegram.Bot`` without PTB's ``AIORateLimiter``, not the
Application's bot. Reasons:

* The sender paces itself (``Pacer``: default 25 msg/s, ``BOT_BROADCAST_RATE``; 1 msg/s per
  chat) and must see a 429 itself to retry *the same row* and lower the pace. Through the
  AIORateLimiter a 429 would be retried inside the limiter (``rate_limit_args=0`` cannot turn
  that off: it falls back to the default) and would pause every answer to every person too.
* Answers keep their own connection pool and their own limiter queue, so a person's question
  never waits behind a queue of broadcast sends: the broadcast sends one message at a time and
  awaits between sends; the answer goes out on the Application's bot at once.
* The price: the two limiters do not share one budget. The default 25/s leaves about 5/s of
  Telegram's ~30/s for answers; if answers ever push the total over, Telegram's 429 reaches
  both — the sender backs off (halves its pace) and the AIORateLimiter retries the answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from datetime import timedelta

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.broadcast.pacing import DEFAULT_RATE, Pacer, backoff_delay
from bot.storage import broadcasts
from bot.storage.broadcasts import Broadcast, Delivery
from bot.storage.database import Database

log = logging.getLogger(__name__)

NETWORK_RETRIES = 3  # after the first attempt; then the row is 'failed' with the reason
UNREACHABLE_MARKERS = ("chat not found", "user not found", "peer_id_invalid", "chat_id is empty")

# A broadcast as the messages that carry it: (HTML text, keyboard or None) each, sent in order. The
# Telegram layer composes them (its ``broadcast_messages``); the sender only sends them.
Compose = Callable[[Broadcast], Sequence[tuple[str, InlineKeyboardMarkup | None]]]


def retry_after_seconds(exc: RetryAfter) -> float:
    """``retry_after`` in seconds without PTB's deprecation warning about its type."""
    value = getattr(exc, "_retry_after", None)
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, int | float):
        return float(value)
    retry_after = exc.retry_after  # pragma: no cover - older PTB
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)


def is_unreachable(exc: TelegramError) -> bool:
    """Blocked, deactivated or deleted: never retry this person."""
    if isinstance(exc, Forbidden):
        return True
    return isinstance(exc, BadRequest) and any(marker in exc.message.lower() for marker in UNREACHABLE_MARKERS)


class BroadcastSender:
    """``await sender.start()`` … ``await sender.stop()``; ``wake()`` after queueing in-process."""

    def __init__(
        self,
        db: Database,
        bot: Bot,
        rate: float = DEFAULT_RATE,
        *,
        compose: Compose,
        poll_interval: float = 1.0,
        per_chat_interval: float = 1.0,
        backoff_base: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.bot = bot
        self.pacer = Pacer(rate=rate, per_chat_interval=per_chat_interval)
        self.poll_interval = min(poll_interval, 1.0)
        self.backoff_base = backoff_base
        self.clock = clock
        self.compose = compose
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Put rows a crash left in flight back to pending, then start walking."""
        resumed = await broadcasts.reset_in_flight(self.db)
        if resumed:
            log.warning("broadcast: %d message(s) were in flight at the last stop; sending again", resumed)
        self._stop.clear()
        self._task = asyncio.create_task(self._run(), name="broadcast-sender")

    async def stop(self, timeout: float = 10.0) -> None:
        """Finish the send in flight (up to ``timeout``), then stop."""
        if self._task is None:
            return
        self._stop.set()
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None

    def wake(self) -> None:
        """Look for due broadcasts now instead of at the next poll."""
        self._wake.set()

    async def _sleep(self, seconds: float) -> bool:
        """Sleep unless stopping (or woken); True if the sender should stop."""
        if seconds > 0 and not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), seconds)
        if not self._stop.is_set():
            self._wake.clear()
        return self._stop.is_set()

    async def _pause(self, seconds: float) -> bool:
        """Like ``_sleep`` but not shortened by ``wake()`` (pacing, 429, backoff)."""
        if seconds > 0 and not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), seconds)
        return self._stop.is_set()

    async def _run(self) -> None:
        while not self._stop.is_set():
            try:
                worked = await self.step()
            except Exception:
                log.exception("broadcast sender: unexpected error; retrying shortly")
                if await self._pause(self.poll_interval):
                    return
                # The row in flight may or may not have gone out; treat it like a crash.
                with contextlib.suppress(Exception):
                    await broadcasts.reset_in_flight(self.db)
                continue
            if not worked and await self._sleep(self.poll_interval):
                return

    async def step(self) -> bool:
        """Deliver one row of the current broadcast; False when nothing is due."""
        broadcast = await broadcasts.next_due(self.db)
        if broadcast is None:
            return False
        if broadcast.status == "scheduled":
            await broadcasts.mark_started(self.db, broadcast.id)
            log.info("broadcast %d: started", broadcast.id)
        row = await broadcasts.claim_next(self.db, broadcast.id)
        if row is None:
            if await broadcasts.finish_if_complete(self.db, broadcast.id):
                log.info("broadcast %d: no messages left to send", broadcast.id)
            return True
        await self._deliver(broadcast, row)
        return True

    async def _deliver(self, broadcast: Broadcast, row: Delivery) -> None:
        chat_id = row.telegram_id
        parts = self.compose(broadcast)
        first_message_id: int | None = None
        attempts = 0
        network_failures = 0
        index = 0
        while index < len(parts):
            wait = self.pacer.wait(self.clock(), chat_id)
            if index > 0:
                await asyncio.sleep(wait)  # a long text partly sent is finished even when stopping
            elif await self._pause(wait):
                # Stopping before any part went out: the row goes back to pending for the next start.
                await broadcasts.release(self.db, broadcast.id, chat_id)
                return
            self.pacer.record(self.clock(), chat_id)
            attempts += 1
            try:
                try:
                    text, markup = parts[index]
                    message = await self.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup)
                finally:
                    self.pacer.finished(self.clock(), chat_id)
            except RetryAfter as exc:
                wait = retry_after_seconds(exc)
                self.pacer.flood_wait(self.clock(), wait)
                log.warning(
                    "broadcast %d: 429, waiting %.1fs; pace now %.1f msg/s",
                    broadcast.id, wait, self.pacer.current_rate(self.clock()),
                )  # fmt: skip
                continue
            except TelegramError as exc:
                if is_unreachable(exc):
                    await broadcasts.mark_unreachable(self.db, broadcast.id, chat_id, exc.message, attempts)
                    return
                if isinstance(exc, NetworkError) and not isinstance(exc, BadRequest):  # TimedOut too
                    network_failures += 1
                    if network_failures <= NETWORK_RETRIES:
                        delay = backoff_delay(network_failures, self.backoff_base)
                        log.info("broadcast %d: %s to %s; retry in %.1fs", broadcast.id, exc, chat_id, delay)
                        await self._pause(delay)
                        continue
                await broadcasts.mark_failed(self.db, broadcast.id, chat_id, f"{type(exc).__name__}: {exc.message}", attempts)
                return
            if first_message_id is None:
                first_message_id = message.message_id
            index += 1
        await broadcasts.mark_sent(self.db, broadcast.id, chat_id, first_message_id, attempts)
