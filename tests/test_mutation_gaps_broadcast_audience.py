"""A queued broadcast keeps the audience it was queued for, every kind of filter.

Found by the mutation run (docs/benchmarks.md, "Mutation testing"): reading a broadcast back could
drop its kecamatan filter and no test noticed. `stunting-bot broadcast list` / `status` show the
audience read back from the database, so the coordinator would see "kabupaten Bandung" for a
broadcast that went to one kecamatan only.
"""

from __future__ import annotations

from bot.storage import Database
from bot.storage import broadcasts as store
from bot.storage.broadcasts import Audience


async def test_every_filter_of_the_audience_survives_the_database(tmp_path):
    audience = Audience(
        roles=("tksk",), kabupaten=("Bandung",), kecamatan=("Cibeunying Kidul",), regions=("32.73",)
    )
    async with await Database.open(tmp_path / "bot.sqlite3") as db:
        broadcast_id, _ = await store.create_broadcast(db, "Halo", audience)
        stored = await store.get_broadcast(db, broadcast_id)
    assert stored.audience == audience
    assert "kecamatan Cibeunying Kidul" in stored.audience.describe()


async def test_a_kecamatan_only_broadcast_is_not_read_back_as_everyone(tmp_path):
    async with await Database.open(tmp_path / "bot.sqlite3") as db:
        broadcast_id, _ = await store.create_broadcast(db, "Halo", Audience(kecamatan=("Coblong",)))
        stored = await store.get_broadcast(db, broadcast_id)
    assert stored.audience.describe() == "kecamatan Coblong"
