"""The per-chat pace of a broadcast (the mutation run, docs/benchmarks.md "Mutation testing", found
only the global rate asserted): a text longer than one Telegram message (4096 characters) goes to a
person as several messages, and Telegram asks for about one message a second per chat, so the parts
one person gets arrive at least a second apart, while the next person need not wait for that second.

The real Application (with its broadcast sender) runs against the local fake Bot API, whose own
clock stamps each request as it arrives.
"""

from __future__ import annotations

from bot.storage import Database, register_user
from bot.storage import broadcasts as store
from tests.conditions import until
from tests.conftest import running_bot
from tests.fake_bot_api import FakeBotApi

FIRST, SECOND = 1001, 1002
LONG_TEXT = ("Kabar program pendampingan keluarga. " * 250).strip()  # about 9,200 characters: three messages


def arrivals(api: FakeBotApi, chat_id: int) -> list[float]:
    """When each sendMessage to ``chat_id`` reached the fake API (its clock), in order."""
    return [c["time"] for c in api.calls if c["method"] == "sendMessage" and c["params"].get("chat_id") == chat_id]


async def done(db: Database, broadcast_id: int) -> bool:
    return (await store.get_broadcast(db, broadcast_id)).status == "done"


async def test_the_parts_of_a_long_broadcast_reach_one_person_at_least_a_second_apart(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        db = application.bot_data["services"].db
        for telegram_id in (FIRST, SECOND):
            await register_user(db, telegram_id, f"Orang {telegram_id}", None, "id")
        broadcast_id, recipients = await store.create_broadcast(db, LONG_TEXT)
        assert recipients == 2
        await until(lambda: done(db, broadcast_id), timeout=20, what="the broadcast to finish")
        report = await store.broadcast_report(db, broadcast_id)
        assert report.counts == {"sent": 2}

    first, second = arrivals(fake_api, FIRST), arrivals(fake_api, SECOND)
    assert len(first) == len(second) == 3, fake_api.dump()
    for times in (first, second):
        gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
        assert all(gap >= 1.0 for gap in gaps), (gaps, fake_api.dump())
    # the floor is per chat: the second person's first part does not wait out the first person's second
    # (one row at a time, so it follows the first person's last part at the global pace, 25 a second)
    assert second[0] - first[-1] < 1.0, fake_api.dump()


async def test_the_second_counts_from_when_telegram_answered_the_previous_part(fake_api, engine, tmp_path):
    """Telegram saw a request somewhere between its start and its answer: a part answered late (a
    slow network) is followed by the next one a full second after the answer, not after the start."""
    late = 0.6
    async with running_bot(fake_api, engine, tmp_path) as application:
        db = application.bot_data["services"].db
        await register_user(db, FIRST, "Orang", None, "id")
        fake_api.delay_next("sendMessage", late, chat_id=FIRST)  # the first part is answered 0.6 s late
        broadcast_id, _ = await store.create_broadcast(db, LONG_TEXT)
        await until(lambda: done(db, broadcast_id), timeout=20, what="the broadcast to finish")

    times = arrivals(fake_api, FIRST)
    assert len(times) == 3, fake_api.dump()
    # the fake API answered the first part no earlier than `late` after it arrived
    assert times[1] - times[0] >= 1.0 + late, fake_api.dump()
    assert times[2] - times[1] >= 1.0, fake_api.dump()
