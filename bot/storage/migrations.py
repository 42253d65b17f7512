"""The schema as an ordered list of versioned migrations, tracked with ``PRAGMA user_version``.

To change the schema, append a ``Migration`` with the next version; never edit one that has
shipped. Each migration runs in its own ``BEGIN IMMEDIATE`` transaction together with the
``user_version`` bump (a table rebuild sets ``foreign_keys_off``: see ``Migration``), so an
upgrade either lands whole or not at all, and the version is re-read inside that transaction so
two processes opening the same file cannot both apply it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import aiosqlite


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer version of the bot than the one running."""


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    sql: str
    # Rebuilding a table (SQLite's way to change a column or a CHECK: create, copy, drop, rename) with
    # foreign keys on would cascade the DROP to every referencing row (deleted, or its telegram_id
    # nulled). Such a migration runs with foreign keys off, and must leave no dangling reference:
    # ``PRAGMA foreign_key_check`` is run before its COMMIT.
    foreign_keys_off: bool = False

    def __post_init__(self) -> None:
        # The version is spliced into ``PRAGMA user_version = N`` (PRAGMAs take no parameters).
        if type(self.version) is not int or self.version < 1:
            raise ValueError(f"migration version must be a positive int, not {self.version!r}")


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "users, question log, feedback",
        """
        CREATE TABLE users (
            telegram_id   INTEGER PRIMARY KEY,
            first_name    TEXT,
            username      TEXT,
            language_code TEXT,
            role          TEXT NULL CHECK (role IN ('pendamping_pkh', 'tksk', 'tpk', 'kpm_kader', 'lainnya')),
            kabupaten     TEXT NULL,
            kecamatan     TEXT NULL,
            subscribed    INTEGER NOT NULL DEFAULT 1 CHECK (subscribed IN (0, 1)),
            reachable     INTEGER NOT NULL DEFAULT 1 CHECK (reachable IN (0, 1)),
            created_at    TEXT NOT NULL,
            updated_at    TEXT NOT NULL,
            last_seen_at  TEXT NOT NULL
        );
        CREATE INDEX users_role ON users (role);
        CREATE INDEX users_kabupaten ON users (kabupaten);
        CREATE INDEX users_audience ON users (subscribed, reachable);

        CREATE TABLE questions (
            id          INTEGER PRIMARY KEY,
            telegram_id INTEGER NULL REFERENCES users ON DELETE SET NULL,
            chat_type   TEXT,
            text        TEXT NOT NULL,
            status      TEXT NOT NULL CHECK (status IN ('answer', 'suggest', 'none')),
            entry_id    TEXT NULL,
            score       REAL NOT NULL,
            asked_at    TEXT NOT NULL
        );
        CREATE INDEX questions_asked_at ON questions (asked_at);
        CREATE INDEX questions_status_asked_at ON questions (status, asked_at);
        -- a person's latest answered question; also serves ON DELETE SET NULL from users
        CREATE INDEX questions_person ON questions (telegram_id, status);

        CREATE TABLE feedback (
            id          INTEGER PRIMARY KEY,
            question_id INTEGER NULL REFERENCES questions ON DELETE CASCADE,
            telegram_id INTEGER NULL REFERENCES users ON DELETE SET NULL,
            entry_id    TEXT NOT NULL,
            value       INTEGER NOT NULL CHECK (value IN (-1, 1)),
            created_at  TEXT NOT NULL,
            UNIQUE (question_id, telegram_id)
        );
        CREATE INDEX feedback_person ON feedback (telegram_id);
        """,
    ),
    Migration(
        2,
        "coordinator role, broadcasts and per-recipient deliveries",
        """
        ALTER TABLE users ADD COLUMN coordinator INTEGER NOT NULL DEFAULT 0 CHECK (coordinator IN (0, 1));

        CREATE TABLE broadcasts (
            id          INTEGER PRIMARY KEY,
            created_by  INTEGER NULL REFERENCES users ON DELETE SET NULL,
            text        TEXT NOT NULL,
            audience    TEXT NOT NULL,  -- JSON {"roles": [], "kabupaten": [], "kecamatan": []}
            status      TEXT NOT NULL CHECK (status IN ('scheduled', 'sending', 'done', 'cancelled')),
            send_at     TEXT NOT NULL,
            created_at  TEXT NOT NULL,
            finished_at TEXT NULL
        );
        CREATE INDEX broadcasts_due ON broadcasts (status, send_at);
        CREATE INDEX broadcasts_creator ON broadcasts (created_by);

        -- One row per recipient, fixed when the broadcast is created (the audience snapshot).
        CREATE TABLE deliveries (
            broadcast_id INTEGER NOT NULL REFERENCES broadcasts ON DELETE CASCADE,
            telegram_id  INTEGER NOT NULL,
            state        TEXT NOT NULL CHECK (state IN
                             ('pending', 'sending', 'sent', 'unreachable', 'opted_out', 'failed', 'cancelled')),
            attempts     INTEGER NOT NULL DEFAULT 0,
            message_id   INTEGER NULL,
            error        TEXT NULL,
            updated_at   TEXT NOT NULL,
            PRIMARY KEY (broadcast_id, telegram_id)
        );
        -- the sender's "next pending row" is an index seek, not a scan past the sent rows
        CREATE INDEX deliveries_walk ON deliveries (broadcast_id, state, telegram_id);
        CREATE INDEX deliveries_in_flight ON deliveries (state);
        """,
    ),
    Migration(
        3,
        "broadcast progress message, final report, read confirmation; username lookup",
        """
        -- where the coordinator's progress message is (edited as the broadcast goes) and when
        -- the final report went out (NULL: still to report)
        ALTER TABLE broadcasts ADD COLUMN progress_chat_id INTEGER NULL;
        ALTER TABLE broadcasts ADD COLUMN progress_message_id INTEGER NULL;
        ALTER TABLE broadcasts ADD COLUMN reported_at TEXT NULL;
        ALTER TABLE broadcasts ADD COLUMN ack_requested INTEGER NOT NULL DEFAULT 0 CHECK (ack_requested IN (0, 1));
        ALTER TABLE deliveries ADD COLUMN acknowledged_at TEXT NULL;
        CREATE INDEX broadcasts_to_report ON broadcasts (reported_at, progress_message_id);
        CREATE INDEX users_username ON users (username COLLATE NOCASE);
        """,
    ),
    Migration(
        4,
        "official region codes for people; coordinators scoped to regions",
        """
        -- the most specific official region a person chose (Kemendagri code: province, kabupaten/kota,
        -- kecamatan or desa/kelurahan); kabupaten/kecamatan keep the names (official once chosen,
        -- else what was typed before codes existed)
        ALTER TABLE users ADD COLUMN region_code TEXT NULL;
        -- when the free text of older profiles was looked up (bot.storage.region_codes), and when a
        -- person whose text matched no region was asked, once, to choose again
        ALTER TABLE users ADD COLUMN region_checked_at TEXT NULL;
        ALTER TABLE users ADD COLUMN region_asked_at TEXT NULL;
        CREATE INDEX users_region_code ON users (region_code);

        -- a coordinator with rows here may broadcast and see reports only within these regions;
        -- a coordinator without any is national
        CREATE TABLE coordinator_regions (
            telegram_id INTEGER NOT NULL REFERENCES users ON DELETE CASCADE,
            region_code TEXT NOT NULL,
            PRIMARY KEY (telegram_id, region_code)
        );
        """,
    ),
    Migration(
        5,
        "danger-sign referrals flagged on questions",
        """
        -- the question described a danger sign and got the immediate referral (content/urgent.yaml)
        ALTER TABLE questions ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1));
        """,
    ),
    Migration(
        6,
        "questions handed to a person (responders, the queue, notifications)",
        """
        -- people an admin lets answer handed-off questions (without the right to broadcast)
        ALTER TABLE users ADD COLUMN responder INTEGER NOT NULL DEFAULT 0 CHECK (responder IN (0, 1));
        CREATE TABLE handoffs (
            id                INTEGER PRIMARY KEY,
            asker_id          INTEGER NOT NULL REFERENCES users ON DELETE CASCADE,
            asker_role        TEXT,
            region_code       TEXT,             -- the asker's official region when they asked
            text              TEXT NOT NULL,
            candidates        TEXT NOT NULL DEFAULT '[]',  -- JSON: the bot's best entry ids
            urgent            INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1)),
            media_kind        TEXT CHECK (media_kind IN ('voice', 'photo')),
            media_message_id  INTEGER,          -- the asker's own message, forwarded with consent
            parent_id         INTEGER REFERENCES handoffs ON DELETE SET NULL,  -- asked again after this
            question_id       INTEGER UNIQUE REFERENCES questions ON DELETE SET NULL,
            state             TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'answered', 'closed')),
            to_admins         INTEGER NOT NULL DEFAULT 0 CHECK (to_admins IN (0, 1)),
            asked_at          TEXT NOT NULL,
            reminded_at       TEXT,
            escalated_at      TEXT,
            answered_by       INTEGER REFERENCES users ON DELETE SET NULL,
            answerer_name     TEXT,
            answerer_role     TEXT,
            answer            TEXT,
            answered_at       TEXT,
            answer_message_id INTEGER,          -- the asker's copy of the answer (reply to ask again)
            rating            INTEGER CHECK (rating IN (-1, 1)),
            closed_by         INTEGER REFERENCES users ON DELETE SET NULL
        );
        CREATE INDEX handoffs_by_state ON handoffs (state, asked_at);
        CREATE INDEX handoffs_by_asker ON handoffs (asker_id, asked_at);
        -- the notification each responder got, so that it can be updated once the item is taken
        CREATE TABLE handoff_notices (
            handoff_id INTEGER NOT NULL REFERENCES handoffs ON DELETE CASCADE,
            chat_id    INTEGER NOT NULL,
            message_id INTEGER NOT NULL,
            PRIMARY KEY (chat_id, message_id)
        );
        CREATE INDEX handoff_notices_by_item ON handoff_notices (handoff_id);
        """,
    ),
    Migration(
        7,
        "updates kept from arrival until handled (bot.storage.inbox)",
        """
        -- every update as it arrives (getUpdates batch or webhook POST), so a crash loses none of those
        -- fetched but not yet handled; once handled its body is dropped and the id kept a while, so the
        -- same update delivered twice is handled once
        CREATE TABLE inbox (
            update_id   INTEGER PRIMARY KEY,
            body        TEXT,               -- the update as JSON; NULL once handled
            received_at TEXT NOT NULL,
            handled_at  TEXT
        );
        CREATE INDEX inbox_unhandled ON inbox (handled_at, update_id);
        """,
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version


def check_order(migrations: Sequence[Migration]) -> None:
    """Versions must run 1, 2, 3, … with no gaps or repeats."""
    versions = [m.version for m in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise ValueError(f"migration versions must be 1..n in order, got {versions}")


check_order(MIGRATIONS)


async def schema_version(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def migrate(
    conn: aiosqlite.Connection, where: str, migrations: Sequence[Migration] = MIGRATIONS
) -> list[int]:
    """Apply the pending migrations; return the versions applied (empty when up to date).

    ``conn`` must be in autocommit mode (``isolation_level=None``); ``where`` names the
    database in error messages. Raises ``SchemaTooNewError`` if the file is newer than the code.
    """
    check_order(migrations)
    known = migrations[-1].version if migrations else 0
    current = await schema_version(conn)
    _refuse_newer(where, current, known)
    applied: list[int] = []
    for migration in migrations:
        if migration.version <= current:
            continue
        if migration.foreign_keys_off:
            enforced = await _foreign_keys(conn)
            await conn.execute("PRAGMA foreign_keys = OFF")  # outside the transaction: inside it is a no-op
        await conn.execute("BEGIN IMMEDIATE")
        try:
            current = await schema_version(conn)  # another process may have migrated meanwhile
            _refuse_newer(where, current, known)
            if current < migration.version:
                for statement in _statements(migration.sql):
                    await conn.execute(statement)
                if migration.foreign_keys_off:
                    await _check_references(conn, where, migration)
                await conn.execute(f"PRAGMA user_version = {migration.version:d}")
                current = migration.version
                applied.append(migration.version)
            await conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            raise
        finally:
            if migration.foreign_keys_off and enforced:
                await conn.execute("PRAGMA foreign_keys = ON")
    return applied


class BrokenReferencesError(RuntimeError):
    """A migration run with foreign keys off left rows pointing at nothing; it was rolled back."""


async def _foreign_keys(conn: aiosqlite.Connection) -> bool:
    async with conn.execute("PRAGMA foreign_keys") as cursor:
        row = await cursor.fetchone()
    return bool(row and row[0])


async def _check_references(conn: aiosqlite.Connection, where: str, migration: Migration) -> None:
    async with conn.execute("PRAGMA foreign_key_check") as cursor:
        broken = list(await cursor.fetchall())
    if broken:
        tables = sorted({row[0] for row in broken})
        raise BrokenReferencesError(
            f"database {where}: migration {migration.version} ({migration.description}) would leave "
            f"{len(broken)} row(s) in {', '.join(tables)} pointing at nothing; nothing was changed"
        )


def _refuse_newer(where: str, current: int, known: int) -> None:
    if current > known:
        raise SchemaTooNewError(
            f"database {where} has schema version {current}, but this version of the bot only "
            f"knows up to {known}; run a newer bot or restore a backup made by this version"
        )


def _statements(script: str) -> Iterator[str]:
    """Split a script into statements (``executescript`` would commit our transaction)."""
    buffer = ""
    for piece in script.split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \t\r\n;"):
                yield buffer.strip()
            buffer = ""
    if buffer.strip(" \t\r\n;"):
        raise ValueError(f"incomplete SQL statement in migration: {buffer.strip()[:80]!r}")
