"""Updates kept from their arrival until they are handled, so that a crash loses none.

python-telegram-bot confirms a ``getUpdates`` batch to Telegram when it fetches the next one, before
the batch is handled, and a webhook answers 200 as soon as the update is queued: either way a crash
(SIGKILL, power loss) used to lose every update fetched but not yet handled — 210 of 300 in one test
(issue #13 §4). Each update is stored here as it arrives, its body dropped once it is handled; on
start the bot handles the ones left over, oldest first. The ids of handled updates are kept for
``KEEP_HANDLED`` so that an update Telegram delivers twice (a webhook retry, an unconfirmed batch
after a restart) is handled once.

Handled rows keep no message content. Unhandled ones hold it only as long as they are unhandled.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.storage.database import Database, storable, utc_now

KEEP_HANDLED = timedelta(hours=48)
# Leftovers older than this at start-up are not handled any more: the question is stale and the
# asker long gone (they are logged by count and dropped).
STALE_AFTER = timedelta(hours=24)


async def receive(db: Database, updates: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Store the updates that arrived; return those not seen before, in their order (an update
    already stored, handled or not, is left out: it is being or has been handled)."""
    fresh: list[dict[str, Any]] = []
    now = utc_now()
    async with db.transaction() as conn:
        for update in updates:
            update_id = update.get("update_id")
            if type(update_id) is not int:
                fresh.append(update)  # nothing to key it by: handled, never stored
                continue
            body = storable(json.dumps(update, ensure_ascii=False))
            cursor = await conn.execute(
                "INSERT OR IGNORE INTO inbox (update_id, body, received_at) VALUES (?, ?, ?)", (update_id, body, now)
            )
            if cursor.rowcount:
                fresh.append(update)
    return fresh


async def mark_handled(db: Database, update_id: int) -> None:
    """The update has been handled (answered, or failed with its error reported): drop its body."""
    await db.write_returning(  # one trip to the database thread: this runs for every update
        "UPDATE inbox SET body = NULL, handled_at = ? WHERE update_id = ? AND handled_at IS NULL RETURNING update_id",
        (utc_now(), update_id),
    )


async def leftovers(db: Database, now: datetime | None = None) -> tuple[list[dict[str, Any]], int]:
    """The updates received but never handled (a crash), oldest first, and how many of them were
    too old to handle (marked handled, their content dropped)."""
    now = now or datetime.now(UTC)
    stale_before = (now - STALE_AFTER).isoformat(timespec="milliseconds")
    async with db.transaction() as conn:
        stale = await conn.execute(
            "UPDATE inbox SET body = NULL, handled_at = ? WHERE handled_at IS NULL AND received_at < ?",
            (utc_now(), stale_before),
        )
        cursor = await conn.execute("SELECT body FROM inbox WHERE handled_at IS NULL ORDER BY update_id")
        rows = await cursor.fetchall()
    return [json.loads(row["body"]) for row in rows if row["body"]], stale.rowcount


async def prune(db: Database, now: datetime | None = None) -> int:
    """Forget the ids of updates handled more than KEEP_HANDLED ago; returns how many."""
    before = ((now or datetime.now(UTC)) - KEEP_HANDLED).isoformat(timespec="milliseconds")
    async with db.transaction() as conn:
        cursor = await conn.execute("DELETE FROM inbox WHERE handled_at IS NOT NULL AND handled_at < ?", (before,))
    return cursor.rowcount
