"""Is this installation fit to serve? The checks behind ``stunting-bot health`` and ``/healthz``.

Healthy means: the database file exists, opens, and is migrated to exactly the schema version
this code knows (health never migrates: the bot does that when it starts), and the content set
loads and passes ``content check`` without errors. Each failure is one line in ``problems``.

``check`` reads everything from disk (the CLI, a process of its own); ``live_check`` asks the
running bot's own database connection and its loaded content set instead (``/healthz`` in webhook
mode: cheap enough to be polled every few seconds, and it reports what the bot actually serves).
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import aiosqlite

from bot.engine import Engine, load_and_check
from bot.storage.database import Database
from bot.storage.migrations import LATEST_VERSION


@dataclass(frozen=True)
class Health:
    problems: list[str] = field(default_factory=list)
    schema_version: int | None = None
    faq_entries: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


LIVE_TIMEOUT_S = 5.0


def _version_problems(where: object, version: int) -> list[str]:
    if version < LATEST_VERSION:
        return [
            f"database {where}: schema version {version}, expected {LATEST_VERSION} "
            "(start the bot or run `stunting-bot db migrate`)"
        ]
    if version > LATEST_VERSION:
        return [
            f"database {where}: schema version {version} is newer than this bot's {LATEST_VERSION} "
            "(run the newer bot or restore a backup made by this version)"
        ]
    return []


async def database_problems(db_path: Path) -> tuple[list[str], int | None]:
    """Problems with the database (empty when reachable and current) and its schema version."""
    if not db_path.is_file():
        return [f"database {db_path}: no such file (the bot creates it when it first starts)"], None
    uri = f"{db_path.resolve().as_uri()}?mode=rw"  # never creates a file
    try:
        async with aiosqlite.connect(uri, uri=True, timeout=5.0) as conn:
            async with conn.execute("PRAGMA user_version") as cursor:
                row = await cursor.fetchone()
            async with conn.execute("SELECT count(*) FROM sqlite_master") as cursor:
                await cursor.fetchone()  # reads the schema: fails on a file that is not a database
    except sqlite3.Error as exc:
        return [f"database {db_path}: cannot read it ({exc})"], None
    version = int(row[0]) if row else 0
    return _version_problems(db_path, version), version


def content_problems(content_dir: Path, seeds_dir: Path | None) -> tuple[list[str], int | None]:
    """Errors from loading and checking the content (warnings do not count) and the FAQ size."""
    try:
        content, problems = load_and_check(content_dir, seeds_dir)
    except OSError as exc:
        return [f"content {content_dir}: cannot read it ({exc})"], None
    # whole-file problems first (a missing or unparsable file): they explain the rest
    errors = sorted((p for p in problems if p.severity == "error"), key=lambda p: p.entry is not None)
    lines = [f"content: {problem}" for problem in errors[:10]]
    if len(errors) > 10:
        lines.append(f"content: … and {len(errors) - 10} more error(s); run `stunting-bot content check`")
    if content is None and not lines:
        lines.append(f"content {content_dir}: could not be loaded")
    return lines, (len(content.faq) if content is not None and not errors else None)


async def check(db_path: Path, content_dir: Path, seeds_dir: Path | None = None) -> Health:
    """Both checks; the content is read in a thread so an event loop (a web server) is not blocked."""
    db, version = await database_problems(db_path)
    content, entries = await asyncio.to_thread(content_problems, content_dir, seeds_dir)
    return Health(problems=db + content, schema_version=version, faq_entries=entries)


async def live_check(db: Database | None, engine: Engine | None, timeout: float = LIVE_TIMEOUT_S) -> Health:
    """The running bot's health, from its own open database and loaded content set: the database
    answers a query within ``timeout`` and is at ``LATEST_VERSION``, its file is still in place, and
    a content set with FAQ entries is loaded (a reload that fails keeps the old one serving)."""
    problems: list[str] = []
    version = None
    if db is None:
        problems.append("database: not open (the bot is starting or stopping)")
    else:
        try:
            row = await asyncio.wait_for(db.fetch_one("PRAGMA user_version"), timeout)
        except TimeoutError:
            problems.append(f"database {db.path}: no answer within {timeout:g} s")
        except (sqlite3.Error, ValueError) as exc:  # ValueError: aiosqlite's "Connection closed"
            problems.append(f"database {db.path}: cannot read it ({exc})")
        else:
            version = int(row[0]) if row else 0
            problems += _version_problems(db.path, version)
        if (moved := db.file_problem()) is not None:
            problems.append(moved)
    entries = len(engine.content.faq) if engine is not None else 0
    if not entries:
        problems.append("content: no FAQ entries loaded")
    return Health(problems=problems, schema_version=version, faq_entries=entries or None)
