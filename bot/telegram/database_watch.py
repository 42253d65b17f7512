"""Stopping the bot when its database file disappears under it.

SQLite keeps writing to an open file that was deleted (or replaced by a restore done with the bot
running): every answer, profile and broadcast from then on goes to a file no one can open again,
silently lost at the next restart (issue #13 §4). Every ``CHECK_INTERVAL_S`` the open file is compared
with the one at BOT_DB_PATH (``Database.file_problem``); when they differ the bot logs why and stops
with exit status 1, so systemd starts it again on the file now at that path (a new, empty database if
none) — nothing more is lost.
"""

from __future__ import annotations

import logging

from telegram.ext import Application, ContextTypes

from bot.telegram.webhook import STOP_WEBHOOK

log = logging.getLogger(__name__)

CHECK_INTERVAL_S = 30.0
DATABASE_LOST = "database_lost"  # bot_data: the bot stopped because its database file went away


def start(application: Application, interval: float = CHECK_INTERVAL_S) -> None:
    """Check every ``interval`` seconds; call from ``post_init``."""
    if application.job_queue is not None:
        application.job_queue.run_repeating(_check, interval=interval, first=interval, name="database-watch")


async def _check(context: ContextTypes.DEFAULT_TYPE) -> None:
    application = context.application
    services = application.bot_data.get("services")
    problem = services.db.file_problem() if services is not None else None
    if problem is None or application.bot_data.get(DATABASE_LOST):
        return
    application.bot_data[DATABASE_LOST] = True
    log.error("%s; stopping so that nothing more is lost (restore the file, or start the bot to create a new one)",
              problem)
    if (stop_webhook := application.bot_data.get(STOP_WEBHOOK)) is not None:
        stop_webhook()
    else:
        application.stop_running()
