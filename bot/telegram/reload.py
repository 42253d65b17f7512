"""Hot reload of the content set: `/muat_ulang`, SIGHUP and (with BOT_CONTENT_WATCH) a file watcher.

A reload reads, checks (exactly what `stunting-bot content check` checks) and indexes the content in
a worker thread, off the event loop; then ``Services.use`` swaps the new set in with one assignment
and no await in between. Handlers pin the set in use when they start (``bot.telegram.services.services``), so
every update is served wholly from the old set or wholly from the new one. If anything is wrong,
the old set keeps serving and the problems (file, entry, field) are reported: to the admin who
sent `/muat_ulang`, or to every admin for SIGHUP and the watcher.

The check has a time limit (``RELOAD_TIMEOUT_S``): a load that takes longer is reported as failed
and abandoned, the old set keeps serving. A thread cannot be stopped, so the abandoned one runs on
(a daemon thread: it never holds up the bot's exit) and its result is thrown away; until it ends,
every reload is refused with "still running", so a stuck load never piles up more stuck threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram.error import TelegramError
from telegram.ext import Application

from bot.content.changes import ContentChanges, compare
from bot.content.models import Messages
from bot.content.problems import ContentError, Problem
from bot.engine import Engine
from bot.telegram.render import plain_html

log = logging.getLogger(__name__)

MAX_PROBLEMS_SHOWN = 20
WATCH_DEBOUNCE_MS = 800  # an editor's save is often several writes; wait for them to settle
RELOAD_TIMEOUT_S = 30.0  # the shipped content loads in well under a second


def load_engine(content_dir: Path, seeds_dir: Path | None) -> Engine:
    """What a reload runs in its worker thread (a seam for the tests)."""
    return Engine.from_directory(content_dir, seeds_dir)


def _in_daemon_thread(function: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
    """Run ``function(*args)`` in a new daemon thread; the future settles on the running loop.

    Not ``asyncio.to_thread``: the default executor's threads are joined when the loop and the
    interpreter shut down, so one stuck load would keep the bot from ever exiting.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()

    def settle(result: Any, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    def work() -> None:
        result, error = None, None
        try:
            result = function(*args)
        except BaseException as exc:  # noqa: BLE001 (handed to the awaiting coroutine)
            error = exc
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=work, name="content-reload", daemon=True).start()
    return future


@dataclass(frozen=True)
class ReloadOutcome:
    changes: ContentChanges | None  # None: refused, the old content keeps serving
    problems: tuple[Problem, ...] = ()  # the errors that refused it

    @property
    def ok(self) -> bool:
        return self.changes is not None


def outcome_text(outcome: ReloadOutcome, messages: Messages) -> str:
    """What the admin reads: the counts, or the problems (at most MAX_PROBLEMS_SHOWN of them)."""
    if outcome.changes is not None:
        c = outcome.changes
        return messages.get(
            "tg_reload_done", entries=c.entries, added=len(c.added), changed=len(c.changed), removed=len(c.removed)
        )
    lines = [str(p) for p in outcome.problems]
    text = messages.get(
        "tg_reload_failed", count=len(lines), problems="\n".join(f"• {line}" for line in lines[:MAX_PROBLEMS_SHOWN])
    )
    if len(lines) > MAX_PROBLEMS_SHOWN:
        text += "\n" + messages.get("tg_reload_more", count=len(lines) - MAX_PROBLEMS_SHOWN)
    return text


class ContentReloader:
    """One per Application (``application.bot_data['reloader']``); reloads run one at a time."""

    def __init__(
        self, application: Application, content_dir: Path, seeds_dir: Path | None = None,
        timeout_s: float = RELOAD_TIMEOUT_S,
    ):  # fmt: skip
        self.application = application
        self.content_dir = content_dir
        self.seeds_dir = seeds_dir
        self.timeout_s = timeout_s  # longer than this: the reload fails, the old content keeps serving
        self._lock = asyncio.Lock()
        self._abandoned: asyncio.Future[Any] | None = None  # a load past its time limit, still running
        self._abandoned_since = 0.0
        self._watcher: asyncio.Task[None] | None = None
        self._stop_watching = asyncio.Event()
        self._signal_installed = False

    @property
    def services(self):  # the shared Services, not a handler's pinned copy
        return self.application.bot_data["services"]

    @property
    def busy(self) -> bool:
        """A load that went past its time limit is still running (every reload is refused meanwhile)."""
        return self._abandoned is not None and not self._abandoned.done()

    def _failed(self, message: str) -> ReloadOutcome:
        log.warning("content reload refused, the old content keeps serving: %s", message)
        return ReloadOutcome(None, (Problem(str(self.content_dir), None, None, message),))

    def _abandon(self, load: asyncio.Future[Any]) -> None:
        self._abandoned, self._abandoned_since = load, time.monotonic()

        def finished(done: asyncio.Future[Any]) -> None:
            error = None if done.cancelled() else done.exception()  # retrieved: no "never retrieved" noise
            log.warning("the abandoned content load has ended after %.0f s (%s); its result is discarded",
                        time.monotonic() - self._abandoned_since + self.timeout_s, "failed" if error else "loaded")

        load.add_done_callback(finished)

    async def reload(self) -> ReloadOutcome:
        async with self._lock:  # a second request waits, then reloads again and sees the later edits
            if self.busy:
                running = time.monotonic() - self._abandoned_since + self.timeout_s
                return self._failed(
                    f"an earlier reload is still running ({running:.0f} s so far; it went past the "
                    f"{self.timeout_s:g} s limit); try again when it has ended"
                )
            load = _in_daemon_thread(load_engine, self.content_dir, self.seeds_dir)
            try:
                new = await asyncio.wait_for(asyncio.shield(load), self.timeout_s)
            except asyncio.CancelledError:  # the bot is stopping: the thread runs on regardless
                self._abandon(load)
                raise
            except TimeoutError:
                self._abandon(load)
                return self._failed(
                    f"reading and checking the content took longer than {self.timeout_s:g} s and was "
                    "abandoned (a huge or endless file?)"
                )
            except ContentError as exc:
                errors = tuple(p for p in exc.problems if p.severity == "error")
                log.warning("content reload refused, the old content keeps serving: %d problem(s)", len(errors))
                return ReloadOutcome(None, errors)
            except (OSError, UnicodeError) as exc:  # an unreadable file, bytes that are not UTF-8 …
                return self._failed(str(exc))
            services = self.services
            changes = compare(services.engine.entries, new.entries)
            services.use(new)
            log.info("content reloaded: %d entries, %d added, %d changed, %d removed",
                     changes.entries, len(changes.added), len(changes.changed), len(changes.removed))
            return ReloadOutcome(changes)

    async def reload_and_notify(self, trigger_key: str) -> ReloadOutcome:
        """A reload nobody asked for in a chat (SIGHUP, the watcher): every admin gets the outcome."""
        outcome = await self.reload()
        services = self.services
        text = services.text(trigger_key) + "\n" + outcome_text(outcome, services.engine.messages)
        for admin_id in sorted(services.admin_ids):
            with contextlib.suppress(TelegramError):  # the admin never opened the bot: the log has it
                for chunk in plain_html(text):
                    await self.application.bot.send_message(admin_id, chunk)
        return outcome

    # --- SIGHUP -----------------------------------------------------------------------------

    def install_signal(self) -> None:
        """Reload on SIGHUP (`kill -HUP <pid>`, `systemctl reload`). Main thread, Unix only."""
        loop = asyncio.get_running_loop()
        try:
            loop.add_signal_handler(signal.SIGHUP, self._on_signal)
        except (NotImplementedError, RuntimeError, AttributeError):  # Windows, or not the main thread
            log.warning("SIGHUP reload is not available here; use /muat_ulang")
            return
        self._signal_installed = True

    def _on_signal(self) -> None:
        log.info("SIGHUP: reloading the content")
        self.application.create_task(self.reload_and_notify("tg_reload_by_signal"), name="reload-sighup")

    # --- the file watcher -------------------------------------------------------------------

    def start_watching(self) -> None:
        self._watcher = asyncio.create_task(self._watch(), name="content-watcher")

    async def _watch(self) -> None:
        # imported here: only when BOT_CONTENT_WATCH is on
        from watchfiles import awatch

        paths = [self.content_dir] + ([self.seeds_dir] if self.seeds_dir else [])
        log.info("watching %s for content changes", ", ".join(str(p) for p in paths))
        async for changes in awatch(*paths, debounce=WATCH_DEBOUNCE_MS, stop_event=self._stop_watching):
            log.info("content files changed (%d): reloading", len(changes))
            try:
                await self.reload_and_notify("tg_reload_by_watcher")
            except Exception:  # never let one bad reload stop the watching
                log.exception("content reload after a file change failed")

    async def stop(self) -> None:
        if self._signal_installed:
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
            self._signal_installed = False
        if self._watcher is not None:
            self._stop_watching.set()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._watcher, 5)
            self._watcher = None
