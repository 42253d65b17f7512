"""Retention prunes by the stored UTC times whatever the server's local time zone is.

Found by the mutation run (docs/benchmarks.md, "Mutation testing"): the suite runs on machines whose
local zone is UTC, so nothing noticed when the cut-off was not converted to UTC before comparing it
with the stored text. On a server set to WIB (UTC+7), a question 179 days and 23 hours old must
still be kept by a 180-day retention, and one just over 180 days old deleted.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.storage import Database
from bot.storage.privacy import prune_questions

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


@pytest.fixture
def server_in_wib(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Asia/Jakarta")
    time.tzset()
    assert time.localtime(0).tm_gmtoff == 7 * 3600
    yield
    monkeypatch.undo()
    time.tzset()


async def add_question(db: Database, asked_at: datetime) -> int:
    return await db.insert(
        "INSERT INTO questions (telegram_id, chat_type, text, status, entry_id, score, asked_at)"
        " VALUES (NULL, 'private', 'apa itu stunting', 'answer', 'stunting-definisi', 90.0, ?)",
        (asked_at.astimezone(UTC).isoformat(timespec="milliseconds"),),  # the format utc_now() writes
    )


async def test_retention_keeps_the_questions_inside_it_on_a_server_in_wib(server_in_wib, tmp_path):
    async with await Database.open(tmp_path / "bot.sqlite3") as db:
        too_old = await add_question(db, NOW - timedelta(days=180, seconds=1))
        inside = await add_question(db, NOW - timedelta(days=179, hours=23))
        recent = await add_question(db, NOW - timedelta(hours=3))

        pruned = await prune_questions(db, 180, now=NOW)

        remaining = [row["id"] for row in await db.fetch_all("SELECT id FROM questions ORDER BY id")]
        assert remaining == [inside, recent]
        assert too_old not in remaining
        assert pruned.questions == 1
