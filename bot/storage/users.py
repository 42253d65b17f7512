"""The people who talk to the bot: Telegram names, role, region and subscription.

Setters return the updated ``User`` and raise ``UnknownUserError`` for a person never
registered; handlers call ``register_user`` on every update first.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

from bot.regions.places import is_code
from bot.storage.database import Database, storable, utc_now

Role = Literal["pendamping_pkh", "tksk", "tpk", "kpm_kader", "lainnya"]
ROLES: tuple[Role, ...] = get_args(Role)


class UnknownUserError(LookupError):
    """No user with that Telegram id has been registered."""


@dataclass(frozen=True)
class User:
    telegram_id: int
    first_name: str | None
    username: str | None
    language_code: str | None
    role: Role | None
    kabupaten: str | None
    kecamatan: str | None
    subscribed: bool
    reachable: bool
    created_at: datetime
    updated_at: datetime
    last_seen_at: datetime
    coordinator: bool = False
    region_code: str | None = None  # the official region (Kemendagri code) the person chose
    region_asked_at: datetime | None = None  # asked to choose again: their old text matched no region
    responder: bool = False  # may answer questions handed to a person (bot.storage.handoffs)

    @property
    def region_unresolved(self) -> bool:
        """A region typed before codes existed that matched no official region."""
        return self.kabupaten is not None and self.region_code is None


def _user(row: sqlite3.Row) -> User:
    return User(
        telegram_id=row["telegram_id"],
        first_name=row["first_name"],
        username=row["username"],
        language_code=row["language_code"],
        role=row["role"],
        kabupaten=row["kabupaten"],
        kecamatan=row["kecamatan"],
        subscribed=bool(row["subscribed"]),
        reachable=bool(row["reachable"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
        last_seen_at=datetime.fromisoformat(row["last_seen_at"]),
        coordinator=bool(row["coordinator"]),
        region_code=row["region_code"],
        region_asked_at=datetime.fromisoformat(row["region_asked_at"]) if row["region_asked_at"] else None,
        responder=bool(row["responder"]),
    )


async def register_user(
    db: Database, telegram_id: int, first_name: str | None, username: str | None, language_code: str | None
) -> tuple[User, bool]:
    """Insert or refresh a person; return the user and whether they are new.

    Names and ``last_seen_at`` are refreshed (``updated_at`` only if a name changed); role,
    region, subscription and reachability are never touched. A person who writes again after
    being marked unreachable is reachable again, but stays unsubscribed until they opt in.
    """
    now = utc_now()
    # One statement, one trip to the database thread: this runs for every person who writes.
    rows = await db.write_returning(
        """
        INSERT INTO users (telegram_id, first_name, username, language_code, created_at, updated_at, last_seen_at)
        VALUES (:id, :first_name, :username, :language_code, :now, :now, :now)
        ON CONFLICT (telegram_id) DO UPDATE SET
            first_name = excluded.first_name,
            username = excluded.username,
            language_code = excluded.language_code,
            reachable = 1,
            updated_at = CASE
                WHEN (first_name, username, language_code)
                     IS NOT (excluded.first_name, excluded.username, excluded.language_code)
                THEN excluded.updated_at ELSE updated_at END,
            last_seen_at = excluded.last_seen_at
        RETURNING *
        """,
        {"id": telegram_id, "first_name": first_name and storable(first_name), "username": username,
         "language_code": language_code, "now": now},
    )
    row = rows[0] if rows else None
    created = row is not None and row["created_at"] == now  # created_at is only written on insert
    assert row is not None
    return _user(row), created


async def get_user(db: Database, telegram_id: int) -> User | None:
    row = await db.fetch_one("SELECT * FROM users WHERE telegram_id = ?", (telegram_id,))
    return _user(row) if row else None


async def find_by_username(db: Database, username: str) -> User | None:
    """The person with this Telegram @username (letter case and a leading @ ignored)."""
    name = username.strip().lstrip("@")
    if not name:
        return None
    row = await db.fetch_one(
        "SELECT * FROM users WHERE username = ? COLLATE NOCASE ORDER BY last_seen_at DESC LIMIT 1", (name,)
    )
    return _user(row) if row else None


async def set_role(db: Database, telegram_id: int, role: Role | None) -> User:
    """Set (or with ``None`` clear) the person's role; an unknown role raises ``ValueError``."""
    if role is not None and role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    return await _update(db, telegram_id, "role = ?", (role,))


async def set_region(db: Database, telegram_id: int, kabupaten: str | None, kecamatan: str | None = None) -> User:
    """Set the kabupaten/kota and optionally the kecamatan as typed (no official code: without the
    official list, and in tests of older data); ``kabupaten=None`` clears both.

    Surrounding spaces are trimmed and blank text counts as not given.
    """
    kabupaten = (kabupaten or "").strip() or None
    kecamatan = (kecamatan or "").strip() or None
    if kecamatan is not None and kabupaten is None:
        raise ValueError("a kecamatan needs its kabupaten")
    return await _update(db, telegram_id, "kabupaten = ?, kecamatan = ?, region_code = NULL", (kabupaten, kecamatan))


async def set_region_code(
    db: Database, telegram_id: int, code: str | None, kabupaten: str | None = None, kecamatan: str | None = None
) -> User:
    """Store the official region the person chose (``None`` clears it) with its official names."""
    if code is not None and not is_code(code):
        raise ValueError(f"not a Kemendagri region code: {code!r}")
    return await _update(
        db, telegram_id, "region_code = ?, kabupaten = ?, kecamatan = ?", (code, kabupaten, kecamatan)
    )


async def mark_region_asked(db: Database, telegram_id: int) -> User:
    """The person was asked to choose their region again (asked once, never again)."""
    return await _update(db, telegram_id, "region_asked_at = ?", (utc_now(),))


async def set_subscribed(db: Database, telegram_id: int, subscribed: bool) -> User:
    return await _update(db, telegram_id, "subscribed = ?", (int(subscribed),))


async def mark_unreachable(db: Database, telegram_id: int) -> User:
    """The person blocked the bot (Telegram 403): stop sending and drop the subscription."""
    return await _update(db, telegram_id, "reachable = 0, subscribed = 0", ())


async def set_coordinator(db: Database, telegram_id: int, coordinator: bool, regions: Sequence[str] = ()) -> User:
    """Grant (``True``) or revoke the coordinator role, who may send broadcasts.

    Granting with ``regions`` (Kemendagri codes) scopes the role to them, replacing any earlier
    scope; granting without makes a national coordinator. Revoking drops the scope too.
    """
    for code in regions:
        if not is_code(code):
            raise ValueError(f"not a Kemendagri region code: {code!r}")
    now = utc_now()
    async with db.transaction() as conn:
        async with conn.execute(
            "UPDATE users SET coordinator = ?, updated_at = ? WHERE telegram_id = ? RETURNING *",
            (int(coordinator), now, telegram_id),
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            raise UnknownUserError(f"no registered user with Telegram id {telegram_id}")
        await conn.execute("DELETE FROM coordinator_regions WHERE telegram_id = ?", (telegram_id,))
        if coordinator:
            await conn.executemany(
                "INSERT INTO coordinator_regions (telegram_id, region_code) VALUES (?, ?)",
                [(telegram_id, code) for code in dict.fromkeys(regions)],
            )
    return _user(row)


async def set_responder(db: Database, telegram_id: int, responder: bool) -> User:
    """Grant (``True``) or revoke the responder role: answering questions handed to a person,
    wherever the asker lives, without the right to broadcast."""
    return await _update(db, telegram_id, "responder = ?", (int(responder),))


async def responders(db: Database) -> list[int]:
    """The Telegram ids of everyone with the responder role."""
    return [row[0] for row in await db.fetch_all("SELECT telegram_id FROM users WHERE responder = 1 ORDER BY telegram_id")]


async def covering_coordinators(db: Database, code: str | None) -> tuple[list[int], list[int]]:
    """Coordinators whose regions include ``code`` (the region itself or one above it), and the
    national coordinators (no regions), each by Telegram id. Without a code only the national ones."""
    regional: list[int] = []
    if code is not None:
        rows = await db.fetch_all(
            """
            SELECT DISTINCT u.telegram_id FROM users AS u JOIN coordinator_regions AS r USING (telegram_id)
            WHERE u.coordinator = 1 AND (r.region_code = :code OR :code LIKE r.region_code || '.%')
            ORDER BY u.telegram_id
            """,
            {"code": code},
        )
        regional = [row[0] for row in rows]
    rows = await db.fetch_all(
        """
        SELECT telegram_id FROM users AS u WHERE coordinator = 1
          AND NOT EXISTS (SELECT 1 FROM coordinator_regions AS r WHERE r.telegram_id = u.telegram_id)
        ORDER BY telegram_id
        """
    )
    return regional, [row[0] for row in rows]


async def coordinator_regions(db: Database, telegram_id: int) -> list[str]:
    """The regions a coordinator is scoped to (empty: national, or not a coordinator)."""
    rows = await db.fetch_all(
        "SELECT region_code FROM coordinator_regions WHERE telegram_id = ? ORDER BY region_code", (telegram_id,)
    )
    return [row[0] for row in rows]


async def unresolved_regions(db: Database) -> list[User]:
    """People whose region, typed before codes existed, matched no official region."""
    rows = await db.fetch_all(
        "SELECT * FROM users WHERE kabupaten IS NOT NULL AND region_code IS NULL ORDER BY telegram_id"
    )
    return [_user(row) for row in rows]


async def list_users(
    db: Database,
    *,
    role: Role | None = None,
    kabupaten: str | None = None,
    coordinator: bool | None = None,
    limit: int | None = None,
) -> list[User]:
    """People matching every filter given, by Telegram id; the kabupaten ignores letter case."""
    if role is not None and role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    where: list[str] = []
    params: list[object] = []
    if role is not None:
        where.append("role = ?")
        params.append(role)
    if kabupaten is not None:
        where.append("kabupaten = ? COLLATE NOCASE")
        params.append(kabupaten.strip())
    if coordinator is not None:
        where.append("coordinator = ?")
        params.append(int(coordinator))
    sql = "SELECT * FROM users" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY telegram_id"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    return [_user(row) for row in await db.fetch_all(sql, params)]


async def count_users(
    db: Database, *, subscribed: bool | None = None, role: Role | None = None, kabupaten: str | None = None
) -> int:
    """How many people match every filter given (none: everyone)."""
    where: list[str] = []
    params: list[object] = []
    if subscribed is not None:
        where.append("subscribed = ?")
        params.append(int(subscribed))
    if role is not None:
        where.append("role = ?")
        params.append(role)
    if kabupaten is not None:
        where.append("kabupaten = ?")
        params.append(kabupaten)
    sql = "SELECT count(*) FROM users" + (" WHERE " + " AND ".join(where) if where else "")
    row = await db.fetch_one(sql, params)
    return int(row[0]) if row else 0


async def _update(db: Database, telegram_id: int, assignments: str, params: tuple[object, ...]) -> User:
    # ``assignments`` is always a literal from this module; every value goes in ``params``.
    async with db.transaction() as conn, conn.execute(
        f"UPDATE users SET {assignments}, updated_at = ? WHERE telegram_id = ? RETURNING *",
        (*params, utc_now(), telegram_id),
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        raise UnknownUserError(f"no registered user with Telegram id {telegram_id}")
    return _user(row)
