"""Storage filters the mutation run (docs/benchmarks.md, "Mutation testing") left unchecked:

* a resend to a list of people (``create_broadcast(only=...)``, e.g. "those who did not confirm")
  goes to exactly those people who are also in the audience and still subscribed, and an empty list
  reaches nobody (not everyone);
* ``handoffs.answered_items(since=...)`` keeps the items asked at or after ``since`` only;
* a question logged as urgent is read back as urgent (and a normal one as not urgent).

Everything runs against a real SQLite database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage import Database, get_question, handoffs, log_question, register_user, set_role, set_subscribed
from bot.storage import broadcasts as store
from bot.storage.broadcasts import Audience

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    async with await Database.open(tmp_path / "bot.sqlite3") as database:
        yield database


async def people(db: Database, ids, role: str | None = None) -> None:
    for telegram_id in ids:
        await register_user(db, telegram_id, f"Orang {telegram_id}", None, "id")
        if role:
            await set_role(db, telegram_id, role)


async def recipients(db: Database, broadcast_id: int) -> list[int]:
    return sorted(d.telegram_id for d in await store.deliveries(db, broadcast_id))


# --- a resend to some people --------------------------------------------------------------------


async def test_a_resend_goes_only_to_the_people_listed(db: Database) -> None:
    await people(db, range(1, 7))
    broadcast_id, count = await store.create_broadcast(db, "Ulang: rapat besok", only=[2, 5])
    assert (count, await recipients(db, broadcast_id)) == (2, [2, 5])


async def test_a_resend_to_nobody_reaches_nobody(db: Database) -> None:
    await people(db, range(1, 4))
    broadcast_id, count = await store.create_broadcast(db, "Ulang: rapat besok", only=[])
    assert (count, await recipients(db, broadcast_id)) == (0, [])


async def test_a_resend_keeps_the_audience_and_the_subscription(db: Database) -> None:
    await people(db, [1, 2, 3], role="tpk")
    await people(db, [4], role="tksk")
    await set_subscribed(db, 3, False)
    # 4 is listed but not in the audience (TPK only); 3 is listed but unsubscribed since
    broadcast_id, count = await store.create_broadcast(
        db, "Ulang: rapat TPK", audience=Audience(roles=("tpk",)), only=[1, 3, 4]
    )
    assert (count, await recipients(db, broadcast_id)) == (1, [1])


async def test_without_a_list_everyone_in_the_audience_gets_it(db: Database) -> None:
    await people(db, [1, 2, 3])
    broadcast_id, count = await store.create_broadcast(db, "Rapat besok")
    assert (count, await recipients(db, broadcast_id)) == (3, [1, 2, 3])


# --- answered items since a moment ------------------------------------------------------------


async def test_answered_items_since_keeps_those_asked_at_or_after_it(db: Database) -> None:
    await people(db, [1001, 2001])
    asked = {"lama": NOW - timedelta(days=8), "tepat": NOW - timedelta(days=7), "baru": NOW - timedelta(days=1)}
    ids = {}
    for text, moment in asked.items():
        item = await handoffs.open_handoff(db, 1001, f"pertanyaan {text}", now=moment)
        await handoffs.answer_handoff(db, item.id, 2001, "Rina", "pendamping", f"jawaban {text}")
        ids[text] = item.id
    await handoffs.open_handoff(db, 1001, "pertanyaan terbuka", now=NOW - timedelta(hours=1))  # not answered

    since = NOW - timedelta(days=7)
    assert sorted(h.id for h in await handoffs.answered_items(db, since=since)) == sorted([ids["tepat"], ids["baru"]])
    assert sorted(h.id for h in await handoffs.answered_items(db)) == sorted(ids.values())
    assert await handoffs.answered_items(db, since=NOW) == []


# --- urgent questions read back -----------------------------------------------------------------


async def test_an_urgent_question_is_read_back_as_urgent(db: Database) -> None:
    await people(db, [1001])
    urgent = await log_question(db, 1001, "private", "balita kejang dan demam tinggi", "none", None, 0.0, urgent=True)
    normal = await log_question(db, 1001, "private", "jadwal posyandu kapan", "none", None, 0.0)
    urgent_row, normal_row = await get_question(db, urgent), await get_question(db, normal)
    assert urgent_row is not None and normal_row is not None
    assert (urgent_row.urgent, normal_row.urgent) == (True, False)
