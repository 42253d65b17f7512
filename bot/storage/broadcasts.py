"""Coordinator broadcasts and their per-recipient delivery rows (GUIDE.md section 5).

Life of a broadcast:

* ``create_broadcast`` stores the text and audience and, in the same transaction, snapshots
  the recipients (subscribed and reachable people matching the audience) into ``pending``
  delivery rows. Later profile changes do not change who gets it; ``/berhenti`` still does
  (``claim_next`` re-checks the subscription right before each send).
* The sender (``bot.broadcast.sender``) picks the oldest due broadcast (``next_due``), marks
  it ``sending``, and walks its rows: ``claim_next`` marks one row ``sending`` *before* the
  API call; ``mark_sent`` / ``mark_unreachable`` / ``mark_failed`` record the outcome after.
  Exactly one row is ``sending`` at a time.
* After a crash (even SIGKILL) ``reset_in_flight`` puts rows left ``sending`` back to
  ``pending``. Such a row may or may not have reached Telegram before the crash; we resend it.
  **This is the single possible duplicate per crash** — the honest bound: nothing marked
  ``sent`` is sent again, and nothing is lost.
* ``cancel_broadcast`` turns the remaining ``pending`` rows into ``cancelled``; the one in
  flight (if any) finishes normally.
* ``finish_if_complete`` marks the broadcast ``done`` once no row is pending or sending.

Audience filters combine with AND across kinds and OR within a kind (roles tpk OR tksk, AND
region 64.02 OR 31.71); an empty audience is everyone. A region is an official code and reaches
everyone whose own region lies inside it (a kabupaten: its kecamatan and desa too). The older
kabupaten/kecamatan name filters (letter case ignored) remain for broadcasts stored before codes. All SQL
takes its values as parameters; only placeholder lists (``?, ?, ?``) are spliced in.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, get_args

import aiosqlite

from bot.regions.places import is_code
from bot.storage.database import Database, utc_now
from bot.storage.region_codes import inside_sql
from bot.storage.users import ROLES

BroadcastStatus = Literal["scheduled", "sending", "done", "cancelled"]
DeliveryState = Literal["pending", "sending", "sent", "unreachable", "opted_out", "failed", "cancelled"]
DELIVERY_STATES: tuple[DeliveryState, ...] = get_args(DeliveryState)
MAX_ERROR_LENGTH = 500


class UnknownBroadcastError(LookupError):
    """No broadcast with that id."""


@dataclass(frozen=True)
class Audience:
    """Who gets a broadcast; every empty tuple means "no filter of this kind"."""

    roles: tuple[str, ...] = ()
    kabupaten: tuple[str, ...] = ()
    kecamatan: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()  # Kemendagri codes at any level

    def __post_init__(self) -> None:
        for name in ("roles", "kabupaten", "kecamatan", "regions"):
            values = tuple(dict.fromkeys(v.strip() for v in getattr(self, name) if v and v.strip()))
            object.__setattr__(self, name, values)
        unknown = [role for role in self.roles if role not in ROLES]
        if unknown:
            raise ValueError(f"unknown role {unknown[0]!r}; expected one of {', '.join(ROLES)}")
        bad = [code for code in self.regions if not is_code(code)]
        if bad:
            raise ValueError(f"not a Kemendagri region code: {bad[0]!r}")

    @property
    def everyone(self) -> bool:
        return not (self.roles or self.kabupaten or self.kecamatan or self.regions)

    def to_json(self) -> str:
        return json.dumps(
            {
                "roles": list(self.roles),
                "kabupaten": list(self.kabupaten),
                "kecamatan": list(self.kecamatan),
                "regions": list(self.regions),
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> Audience:
        data = json.loads(text)
        return cls(
            tuple(data.get("roles", ())),
            tuple(data.get("kabupaten", ())),
            tuple(data.get("kecamatan", ())),
            tuple(data.get("regions", ())),
        )

    def describe(self) -> str:
        if self.everyone:
            return "everyone"
        parts = []
        if self.roles:
            parts.append("role " + " or ".join(self.roles))
        if self.kabupaten:
            parts.append("kabupaten " + " or ".join(self.kabupaten))
        if self.kecamatan:
            parts.append("kecamatan " + " or ".join(self.kecamatan))
        if self.regions:
            parts.append("region " + " or ".join(self.regions))
        return ", ".join(parts)


def audience_where(audience: Audience) -> tuple[str, list[object]]:
    """The WHERE clause (without the keyword) and its parameters selecting the recipients."""
    where = ["subscribed = 1", "reachable = 1"]
    params: list[object] = []
    for column, values, collate in (
        ("role", audience.roles, ""),
        ("kabupaten", audience.kabupaten, " COLLATE NOCASE"),
        ("kecamatan", audience.kecamatan, " COLLATE NOCASE"),
    ):
        if values:
            where.append(f"{column}{collate} IN ({', '.join('?' for _ in values)})")
            params.extend(values)
    if audience.regions:
        clause, region_params = inside_sql("region_code", audience.regions)
        where.append(clause)
        params.extend(region_params)
    return " AND ".join(where), params


@dataclass(frozen=True)
class Broadcast:
    id: int
    created_by: int | None
    text: str
    audience: Audience
    status: BroadcastStatus
    send_at: datetime
    created_at: datetime
    finished_at: datetime | None
    progress_chat_id: int | None = None  # the coordinator's progress message (Telegram)
    progress_message_id: int | None = None
    reported_at: datetime | None = None  # when the final report went out
    ack_requested: bool = False  # recipients get a "read" button


@dataclass(frozen=True)
class Delivery:
    broadcast_id: int
    telegram_id: int
    state: DeliveryState
    attempts: int
    message_id: int | None
    error: str | None


@dataclass(frozen=True)
class Report:
    """A broadcast with its row counts per state and the rows that did not arrive, with reasons."""

    broadcast: Broadcast
    counts: dict[str, int]
    problems: list[Delivery] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def remaining(self) -> int:
        return self.counts.get("pending", 0) + self.counts.get("sending", 0)


def _broadcast(row: sqlite3.Row) -> Broadcast:
    return Broadcast(
        id=row["id"],
        created_by=row["created_by"],
        text=row["text"],
        audience=Audience.from_json(row["audience"]),
        status=row["status"],
        send_at=datetime.fromisoformat(row["send_at"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        finished_at=datetime.fromisoformat(row["finished_at"]) if row["finished_at"] else None,
        progress_chat_id=row["progress_chat_id"],
        progress_message_id=row["progress_message_id"],
        reported_at=datetime.fromisoformat(row["reported_at"]) if row["reported_at"] else None,
        ack_requested=bool(row["ack_requested"]),
    )


def _delivery(row: sqlite3.Row) -> Delivery:
    return Delivery(
        broadcast_id=row["broadcast_id"],
        telegram_id=row["telegram_id"],
        state=row["state"],
        attempts=row["attempts"],
        message_id=row["message_id"],
        error=row["error"],
    )


def as_utc_text(moment: datetime) -> str:
    """A timezone-aware moment in the stored format (text order is time order)."""
    if moment.tzinfo is None:
        raise ValueError("the time needs a time zone (e.g. 2026-01-31T08:00+07:00)")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


async def count_recipients(db: Database, audience: Audience) -> int:
    """How many people a broadcast to this audience would reach now (for previews)."""
    where, params = audience_where(audience)
    row = await db.fetch_one(f"SELECT count(*) FROM users WHERE {where}", params)
    return int(row[0]) if row else 0


async def count_by_region(db: Database, audience: Audience) -> dict[str, int]:
    """For each region of the audience, how many of its recipients live there (for previews)."""
    counts: dict[str, int] = {}
    for code in audience.regions:
        one = Audience(audience.roles, audience.kabupaten, audience.kecamatan, (code,))
        counts[code] = await count_recipients(db, one)
    return counts


async def create_broadcast(
    db: Database,
    text: str,
    audience: Audience | None = None,
    send_at: datetime | None = None,
    created_by: int | None = None,
    *,
    progress: tuple[int, int] | None = None,
    ack_requested: bool = False,
    only: Sequence[int] | None = None,
) -> tuple[int, int]:
    """Queue a broadcast and snapshot its recipients; return ``(broadcast id, recipients)``.

    ``send_at`` must be timezone-aware; ``None`` means now. ``progress`` is the (chat id,
    message id) of the coordinator's progress message. ``only`` limits the recipients to these
    Telegram ids (still subscribed and reachable), e.g. a resend to those who did not confirm.
    """
    if not text or not text.strip():
        raise ValueError("the broadcast text is empty")
    audience = audience or Audience()
    now = utc_now()
    when = as_utc_text(send_at) if send_at is not None else now
    where, params = audience_where(audience)
    if only is not None:
        ids = [int(i) for i in only] or [0]
        where += f" AND telegram_id IN ({', '.join('?' for _ in ids)})"
        params = [*params, *ids]
    chat_id, message_id = progress if progress else (None, None)
    async with db.transaction() as conn:
        async with conn.execute(
            "INSERT INTO broadcasts (created_by, text, audience, status, send_at, created_at,"
            " progress_chat_id, progress_message_id, ack_requested)"
            " VALUES (?, ?, ?, 'scheduled', ?, ?, ?, ?, ?) RETURNING id",
            (created_by, text, audience.to_json(), when, now, chat_id, message_id, int(ack_requested)),
        ) as cursor:
            row = await cursor.fetchone()
        assert row is not None
        broadcast_id = int(row[0])
        async with conn.execute(
            "INSERT INTO deliveries (broadcast_id, telegram_id, state, attempts, updated_at)"
            f" SELECT ?, telegram_id, 'pending', 0, ? FROM users WHERE {where} ORDER BY telegram_id",
            [broadcast_id, now, *params],
        ) as cursor:
            recipients = cursor.rowcount
    return broadcast_id, recipients


async def get_broadcast(db: Database, broadcast_id: int) -> Broadcast:
    row = await db.fetch_one("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
    if row is None:
        raise UnknownBroadcastError(f"no broadcast with id {broadcast_id}")
    return _broadcast(row)


async def list_broadcasts(db: Database, limit: int = 50) -> list[Report]:
    """The newest broadcasts first, each with its counts per state (no problem rows)."""
    rows = await db.fetch_all("SELECT * FROM broadcasts ORDER BY id DESC LIMIT ?", (limit,))
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    counts: dict[int, dict[str, int]] = {i: {} for i in ids}
    for row in await db.fetch_all(
        f"SELECT broadcast_id, state, count(*) AS n FROM deliveries"
        f" WHERE broadcast_id IN ({', '.join('?' for _ in ids)}) GROUP BY broadcast_id, state",
        ids,
    ):
        counts[row["broadcast_id"]][row["state"]] = row["n"]
    return [Report(_broadcast(row), counts[row["id"]]) for row in rows]


async def broadcast_report(db: Database, broadcast_id: int, problem_limit: int = 100) -> Report:
    """Counts per state, and the unreachable/failed rows with their reasons."""
    broadcast = await get_broadcast(db, broadcast_id)
    counts = {
        row["state"]: row["n"]
        for row in await db.fetch_all(
            "SELECT state, count(*) AS n FROM deliveries WHERE broadcast_id = ? GROUP BY state", (broadcast_id,)
        )
    }
    problems = await db.fetch_all(
        "SELECT * FROM deliveries WHERE broadcast_id = ? AND state IN ('failed', 'unreachable')"
        " ORDER BY telegram_id LIMIT ?",
        (broadcast_id, problem_limit),
    )
    return Report(broadcast, counts, [_delivery(row) for row in problems])


async def next_due(db: Database, now: datetime | None = None) -> Broadcast | None:
    """The broadcast to work on: already sending first, else the earliest due scheduled one."""
    when = as_utc_text(now) if now is not None else utc_now()
    row = await db.fetch_one(
        "SELECT * FROM broadcasts WHERE status IN ('scheduled', 'sending') AND send_at <= ?"
        " ORDER BY status = 'sending' DESC, send_at, id LIMIT 1",
        (when,),
    )
    return _broadcast(row) if row else None


async def next_send_at(db: Database) -> datetime | None:
    """When the earliest scheduled broadcast is due (for an idle sender)."""
    row = await db.fetch_one("SELECT min(send_at) FROM broadcasts WHERE status IN ('scheduled', 'sending')")
    return datetime.fromisoformat(row[0]) if row and row[0] else None


async def mark_started(db: Database, broadcast_id: int) -> None:
    async with db.transaction() as conn:
        await conn.execute("UPDATE broadcasts SET status = 'sending' WHERE id = ? AND status = 'scheduled'", (broadcast_id,))


async def claim_next(db: Database, broadcast_id: int) -> Delivery | None:
    """Mark the next pending row ``sending`` and return it; ``None`` when none is left.

    Rows of people who unsubscribed or became unreachable since the snapshot are closed on the
    way (``opted_out`` / ``unreachable``) in the same transaction, so ``/berhenti`` takes effect
    at once. A cancelled broadcast has no pending rows left, so it yields ``None``.
    """
    async with db.transaction() as conn:
        while True:
            async with conn.execute(
                "SELECT d.telegram_id, u.subscribed, u.reachable FROM deliveries AS d"
                " LEFT JOIN users AS u ON u.telegram_id = d.telegram_id"
                " WHERE d.broadcast_id = ? AND d.state = 'pending' ORDER BY d.telegram_id LIMIT 1",
                (broadcast_id,),
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return None
            now = utc_now()
            if row["reachable"] == 0 or row["subscribed"] is None:
                state, reason = "unreachable", "marked unreachable before sending"
            elif row["subscribed"] == 0:
                state, reason = "opted_out", None
            else:
                async with conn.execute(
                    "UPDATE deliveries SET state = 'sending', updated_at = ?"
                    " WHERE broadcast_id = ? AND telegram_id = ? RETURNING *",
                    (now, broadcast_id, row["telegram_id"]),
                ) as cursor:
                    claimed = await cursor.fetchone()
                assert claimed is not None
                return _delivery(claimed)
            await conn.execute(
                "UPDATE deliveries SET state = ?, error = ?, updated_at = ? WHERE broadcast_id = ? AND telegram_id = ?",
                (state, reason, now, broadcast_id, row["telegram_id"]),
            )


async def _close_row(
    conn: aiosqlite.Connection,
    broadcast_id: int,
    telegram_id: int,
    state: DeliveryState,
    attempts: int,
    message_id: int | None = None,
    error: str | None = None,
) -> None:
    await conn.execute(
        "UPDATE deliveries SET state = ?, attempts = attempts + ?, message_id = ?, error = ?, updated_at = ?"
        " WHERE broadcast_id = ? AND telegram_id = ? AND state = 'sending'",
        (state, attempts, message_id, error[:MAX_ERROR_LENGTH] if error else None, utc_now(), broadcast_id, telegram_id),
    )


async def mark_sent(db: Database, broadcast_id: int, telegram_id: int, message_id: int | None, attempts: int = 1) -> None:
    async with db.transaction() as conn:
        await _close_row(conn, broadcast_id, telegram_id, "sent", attempts, message_id=message_id)


async def mark_failed(db: Database, broadcast_id: int, telegram_id: int, error: str, attempts: int = 1) -> None:
    async with db.transaction() as conn:
        await _close_row(conn, broadcast_id, telegram_id, "failed", attempts, error=error)


async def mark_unreachable(db: Database, broadcast_id: int, telegram_id: int, error: str, attempts: int = 1) -> None:
    """Blocked or deleted: the row is closed and the person is unreachable and unsubscribed."""
    async with db.transaction() as conn:
        await _close_row(conn, broadcast_id, telegram_id, "unreachable", attempts, error=error)
        await conn.execute(
            "UPDATE users SET reachable = 0, subscribed = 0, updated_at = ? WHERE telegram_id = ?",
            (utc_now(), telegram_id),
        )


async def release(db: Database, broadcast_id: int, telegram_id: int) -> None:
    """Put a claimed row back to ``pending`` (the sender stops before sending it)."""
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE deliveries SET state = 'pending', updated_at = ?"
            " WHERE broadcast_id = ? AND telegram_id = ? AND state = 'sending'",
            (utc_now(), broadcast_id, telegram_id),
        )


async def reset_in_flight(db: Database) -> int:
    """At startup: rows left ``sending`` by a crash go back to ``pending``; returns how many.

    Each may already have reached the person (the crash came after Telegram accepted it but
    before ``mark_sent``), so this is where the single possible duplicate per crash comes from.
    A row of a broadcast cancelled meanwhile is closed as ``cancelled`` instead: nothing will
    send it again, and the broadcast's report can be final. Never call it while a sender is running.
    """
    now = utc_now()
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE deliveries SET state = 'cancelled', updated_at = ? WHERE state = 'sending'"
            " AND broadcast_id IN (SELECT id FROM broadcasts WHERE status = 'cancelled')",
            (now,),
        )
        async with conn.execute(
            "UPDATE deliveries SET state = 'pending', updated_at = ? WHERE state = 'sending'", (now,)
        ) as cursor:
            return cursor.rowcount


async def cancel_broadcast(db: Database, broadcast_id: int) -> int:
    """Stop a broadcast: its pending rows become ``cancelled``; returns how many were cancelled.

    A broadcast already done or cancelled is left as it is (0).
    """
    async with db.transaction() as conn:
        async with conn.execute("SELECT status FROM broadcasts WHERE id = ?", (broadcast_id,)) as cursor:
            row = await cursor.fetchone()
        if row is None:
            raise UnknownBroadcastError(f"no broadcast with id {broadcast_id}")
        if row["status"] in ("done", "cancelled"):
            return 0
        now = utc_now()
        async with conn.execute(
            "UPDATE deliveries SET state = 'cancelled', updated_at = ? WHERE broadcast_id = ? AND state = 'pending'",
            (now, broadcast_id),
        ) as cursor:
            cancelled = cursor.rowcount
        await conn.execute(
            "UPDATE broadcasts SET status = 'cancelled', finished_at = ? WHERE id = ?", (now, broadcast_id)
        )
    return cancelled


async def finish_if_complete(db: Database, broadcast_id: int) -> bool:
    """Mark the broadcast ``done`` when no row is pending or sending; True if it is finished."""
    async with db.transaction() as conn:
        async with conn.execute(
            "SELECT 1 FROM deliveries WHERE broadcast_id = ? AND state IN ('pending', 'sending') LIMIT 1",
            (broadcast_id,),
        ) as cursor:
            if await cursor.fetchone() is not None:
                return False
        await conn.execute(
            "UPDATE broadcasts SET status = 'done', finished_at = ? WHERE id = ? AND status IN ('scheduled', 'sending')",
            (utc_now(), broadcast_id),
        )
    return True


def state_counts(deliveries: Iterable[Delivery]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for delivery in deliveries:
        counts[delivery.state] = counts.get(delivery.state, 0) + 1
    return counts


async def deliveries(db: Database, broadcast_id: int, states: Sequence[DeliveryState] | None = None) -> list[Delivery]:
    """Every row of a broadcast (optionally only some states), by Telegram id."""
    sql = "SELECT * FROM deliveries WHERE broadcast_id = ?"
    params: list[object] = [broadcast_id]
    if states:
        sql += f" AND state IN ({', '.join('?' for _ in states)})"
        params.extend(states)
    return [_delivery(row) for row in await db.fetch_all(sql + " ORDER BY telegram_id", params)]


# --- progress messages, final reports and read confirmations (Telegram side) ----------------


async def to_report(db: Database) -> list[Broadcast]:
    """Broadcasts with a progress message whose final report has not gone out yet, once started."""
    rows = await db.fetch_all(
        "SELECT * FROM broadcasts WHERE reported_at IS NULL AND progress_message_id IS NOT NULL"
        " AND (status != 'scheduled' OR send_at <= ?) ORDER BY id",
        (utc_now(),),
    )
    return [_broadcast(row) for row in rows]


async def mark_reported(db: Database, broadcast_id: int) -> None:
    async with db.transaction() as conn:
        await conn.execute("UPDATE broadcasts SET reported_at = ? WHERE id = ?", (utc_now(), broadcast_id))


async def acknowledge(db: Database, broadcast_id: int, telegram_id: int) -> bool:
    """Record that the person confirmed reading; False if they were not a recipient who got it."""
    async with db.transaction() as conn, conn.execute(
        "UPDATE deliveries SET acknowledged_at = coalesce(acknowledged_at, ?)"
        " WHERE broadcast_id = ? AND telegram_id = ? AND state = 'sent'",
        (utc_now(), broadcast_id, telegram_id),
    ) as cursor:
        return cursor.rowcount > 0


async def acknowledgements(db: Database, broadcast_id: int) -> tuple[list[tuple[int, str | None]], list[int]]:
    """``(confirmed, not_confirmed)``: (Telegram id, first name) of those who confirmed, and the
    Telegram ids of those who got the message but have not confirmed. The sender is neither: a
    coordinator in their own audience confirming their own message says nothing about the others."""
    rows = await db.fetch_all(
        "SELECT d.telegram_id, d.acknowledged_at, u.first_name FROM deliveries AS d"
        " JOIN broadcasts AS b ON b.id = d.broadcast_id"
        " LEFT JOIN users AS u ON u.telegram_id = d.telegram_id"
        " WHERE d.broadcast_id = ? AND d.state = 'sent' AND d.telegram_id IS NOT b.created_by"
        " ORDER BY d.acknowledged_at, d.telegram_id",
        (broadcast_id,),
    )
    confirmed = [(row["telegram_id"], row["first_name"]) for row in rows if row["acknowledged_at"]]
    waiting = [row["telegram_id"] for row in rows if not row["acknowledged_at"]]
    return confirmed, waiting


async def set_progress(db: Database, broadcast_id: int, chat_id: int, message_id: int) -> None:
    """Where the coordinator's progress message is (edited as the broadcast goes)."""
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE broadcasts SET progress_chat_id = ?, progress_message_id = ? WHERE id = ?",
            (chat_id, message_id, broadcast_id),
        )
