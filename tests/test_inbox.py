"""The inbox (bot.storage.inbox): updates kept from arrival until handled, each handled once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.storage import Database, inbox


def update(update_id: int, text: str = "apa itu pkh") -> dict:
    return {"update_id": update_id, "message": {"message_id": update_id, "text": text, "chat": {"id": 7}}}


async def test_an_update_arrives_once_and_is_left_over_until_handled():
    async with await Database.open(":memory:") as db:
        batch = [update(1), update(2, "siapa sasaran 1000 hpk")]
        assert await inbox.receive(db, batch) == batch
        assert await inbox.receive(db, [update(2), update(3)]) == [update(3)]  # 2 came before
        await inbox.mark_handled(db, 1)
        left, stale = await inbox.leftovers(db)
        assert [u["update_id"] for u in left] == [2, 3] and stale == 0
        assert left[0]["message"]["text"] == "siapa sasaran 1000 hpk"  # as it arrived
        assert await inbox.receive(db, [update(1)]) == []  # handled: still not handled again
        rows = await db.fetch_all("SELECT update_id, body FROM inbox WHERE handled_at IS NOT NULL")
        assert [(r["update_id"], r["body"]) for r in rows] == [(1, None)]  # no message text kept


async def test_a_leftover_older_than_a_day_is_dropped_and_handled_ids_are_forgotten_after_two():
    async with await Database.open(":memory:") as db:
        await inbox.receive(db, [update(1), update(2)])
        await inbox.mark_handled(db, 2)
        tomorrow = datetime.now(UTC) + inbox.STALE_AFTER + timedelta(minutes=1)
        left, stale = await inbox.leftovers(db, now=tomorrow)
        assert (left, stale) == ([], 1)
        assert await db.fetch_all("SELECT update_id FROM inbox WHERE body IS NOT NULL") == []
        assert await inbox.prune(db, now=datetime.now(UTC) + timedelta(hours=1)) == 0  # too recent
        assert await inbox.prune(db, now=datetime.now(UTC) + inbox.KEEP_HANDLED + timedelta(minutes=1)) == 2


async def test_an_update_without_a_usable_id_is_passed_on_unstored():
    async with await Database.open(":memory:") as db:
        odd = {"update_id": "x", "message": {}}
        assert await inbox.receive(db, [odd]) == [odd]
        assert await db.fetch_all("SELECT * FROM inbox") == []


async def test_the_running_bot_forgets_old_handled_ids_as_it_goes(fake_api, engine, tmp_path, monkeypatch):
    """A bot running for months must not keep every update id it ever handled."""
    from bot.telegram import recovery
    from tests.conditions import until
    from tests.conftest import running_bot

    monkeypatch.setattr(recovery, "PRUNE_INTERVAL_S", 0.2)
    async with running_bot(fake_api, engine, tmp_path) as application:
        db = application.bot_data["services"].db
        old = (datetime.now(UTC) - inbox.KEEP_HANDLED - timedelta(hours=1)).isoformat(timespec="milliseconds")
        async with db.transaction() as conn:  # handled three days ago, long after start-up's prune
            await conn.execute("INSERT INTO inbox (update_id, received_at, handled_at) VALUES (1, ?, ?)", (old, old))

        async def forgotten() -> bool:
            return not await db.fetch_all("SELECT 1 FROM inbox WHERE update_id = 1")

        await until(forgotten, what="the old id to be pruned")
