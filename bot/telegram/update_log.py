"""One log line per update: update_id, kind, outcome and how long its handling took.

``TimedApplication`` (the Application class ``build_application`` uses) wraps PTB's
``process_update``: it starts a clock, lets the handlers run, then logs at INFO, with the fields
also passed as ``extra`` so that JSON lines carry them (``update_id``, ``kind``, ``status``,
``duration_ms``). Handlers report what happened with ``note_outcome`` — the answer path notes the
reply status (``answer``, ``suggest``, ``none``), the error handler ``error``; anything
else is ``handled``. The outcome travels in a context variable: PTB runs each update's handlers
and its error handler inside the one task that calls ``process_update``, so what a handler sets
is what the wrapper reads afterwards, and concurrent updates never see each other's.

Never the message text or who sent it: those are personal data and stay out of INFO logs.
Cost per update (10,000 calls of the wrapper's work and ``log_update``, 2-vCPU VM, written to
/dev/null): about 0.03-0.04 ms as a JSON line, 0.02 ms as text, under 0.001 ms when INFO is off.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from contextvars import ContextVar
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.storage import inbox

log = logging.getLogger("bot.telegram.updates")

HANDLED = "handled"
_MESSAGE = "update %s %s: %s in %.1f ms"
_outcome: ContextVar[str] = ContextVar("update_outcome", default=HANDLED)


def note_outcome(status: str) -> None:
    """What handling the current update came to; the last note wins."""
    _outcome.set(status)


def kind_of(update: object) -> str:
    if not isinstance(update, Update):
        return "other"
    if update.message is not None:
        text = update.message.text
        return "command" if text is not None and text.startswith("/") else "message"
    if update.callback_query is not None:
        return "callback"
    if update.inline_query is not None:
        return "inline"
    if update.edited_message is not None:
        return "edited_message"
    if update.my_chat_member is not None:
        return "member"
    return "other"


def log_update(update: object, status: str, started: float) -> None:
    """The line for one handled update (``started``: ``time.perf_counter()`` before handling)."""
    if not log.isEnabledFor(logging.INFO):
        return
    duration_ms = round((time.perf_counter() - started) * 1000, 2)
    update_id = update.update_id if isinstance(update, Update) else None
    kind = kind_of(update)
    fields: dict[str, Any] = {"update_id": update_id, "kind": kind, "status": status, "duration_ms": duration_ms}
    # log.info(...) without its caller lookup (a stack walk that is most of logging's own cost here)
    args = (update_id, kind, status, duration_ms)
    log.handle(log.makeRecord(log.name, logging.INFO, __file__, 0, _MESSAGE, args, None, "log_update", fields))


class TimedApplication(Application):
    """PTB's Application, logging each update it processes (``log_update``) and marking it handled in
    the inbox (bot.storage.inbox), where it was stored when it arrived."""

    async def process_update(self, update: object) -> None:
        started = time.perf_counter()
        reset = _outcome.set(HANDLED)
        try:
            await super().process_update(update)
        finally:
            status = _outcome.get()
            _outcome.reset(reset)
            log_update(update, status, started)
            if isinstance(update, Update):
                await _mark_handled(self, update.update_id)


async def _mark_handled(application: Application, update_id: int) -> None:
    services = application.bot_data.get("services")
    if services is None:
        return
    try:
        await inbox.mark_handled(services.db, update_id)
    except (sqlite3.Error, OSError, ValueError) as exc:  # ValueError: the database was closed (shutdown)
        log.error("could not mark update %s handled (%s): it may be handled again after a restart",
                  update_id, type(exc).__name__)
