"""The inbox in the running bot (bot.storage.inbox): what a crash left unhandled is handled first,
and the ids of handled updates are forgotten once they are too old to come again.

Telegram re-sends an unconfirmed update for at most 24 hours, and the inbox keeps handled ids for
``inbox.KEEP_HANDLED`` (48 h) to recognise one delivered twice; past that they are pruned every
``PRUNE_INTERVAL_S``, so a bot that runs for months keeps a day or two of ids, not every update.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import Application, ContextTypes

from bot.storage import Database, inbox

log = logging.getLogger(__name__)

PRUNE_INTERVAL_S = 3600.0


async def handle_leftovers(application: Application, db: Database) -> None:
    """Queue the updates a crash left unhandled, oldest first, before any new one; forget the ids of
    updates handled long ago; then keep forgetting them every PRUNE_INTERVAL_S."""
    updates, stale = await inbox.leftovers(db)
    for raw in updates:
        await application.update_queue.put(Update.de_json(raw, application.bot))
    if updates or stale:
        log.warning("inbox: %d update(s) left unhandled by the last run queued again, %d too old dropped",
                    len(updates), stale)
    await inbox.prune(db)
    if application.job_queue is not None:
        application.job_queue.run_repeating(_prune, interval=PRUNE_INTERVAL_S, first=PRUNE_INTERVAL_S,
                                            name="inbox-prune")


async def _prune(context: ContextTypes.DEFAULT_TYPE) -> None:
    services = context.application.bot_data.get("services")
    if services is not None:
        forgotten = await inbox.prune(services.db)
        if forgotten:
            log.info("inbox: forgot %d handled update id(s)", forgotten)
