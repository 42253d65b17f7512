"""Operations commands: database backup / restore / migrate, and the health check.

    stunting-bot db backup PATH [--force]   consistent copy of BOT_DB_PATH, safe while the bot runs
    stunting-bot db restore BACKUP          put a checked backup in place (stop the bot first)
    stunting-bot db migrate                 apply pending schema migrations, report the version
    stunting-bot db info [PATH]             integrity and schema version of a database file
    stunting-bot db prune [--days N]        delete logged questions older than the retention (and their feedback)
    stunting-bot health                     exit 0 when database and content are fit to serve

Refusals and failures are one line on stderr: exit 2 for a refused command (file exists, bot
running), exit 1 for a failed check.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from bot import health
from bot.config import Settings
from bot.content import loader
from bot.regions.catalogue import Catalogue
from bot.storage import backup as backups
from bot.storage.database import Database
from bot.storage.migrations import LATEST_VERSION, SchemaTooNewError, schema_version
from bot.storage.privacy import Pruned, prune_questions
from bot.storage.region_codes import Mapped, map_free_text

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def add_commands(commands: Any) -> None:
    db = commands.add_parser("db", help="the SQLite database: backup, restore, migrate, info, prune")
    db_commands = db.add_subparsers(title="db commands", metavar="ACTION", required=True)
    take = db_commands.add_parser("backup", help="copy the live database to PATH (safe while the bot runs)")
    take.add_argument("path", type=Path, metavar="PATH", help="the backup file to write")
    take.add_argument("--force", action="store_true", help="overwrite PATH if it exists")
    take.set_defaults(handler=_backup)
    put = db_commands.add_parser("restore", help="replace the database with a backup (the bot must be stopped)")
    put.add_argument("backup", type=Path, metavar="BACKUP", help="a file made by `db backup`")
    put.set_defaults(handler=_restore)
    migrate = db_commands.add_parser("migrate", help="apply pending schema migrations")
    migrate.set_defaults(handler=_migrate)
    info = db_commands.add_parser("info", help="integrity and schema version of a database file")
    info.add_argument("path", type=Path, nargs="?", metavar="PATH", help="default: BOT_DB_PATH")
    info.set_defaults(handler=_info)
    prune = db_commands.add_parser("prune", help="delete logged questions (and their feedback) older than the retention")
    prune.add_argument(
        "--days", type=int, metavar="N", help="older than N days (default: BOT_QUESTION_RETENTION_DAYS, 180 unless set)"
    )
    prune.set_defaults(handler=_prune)

    check = commands.add_parser("health", help="exit 0 only if the database is current and the content loads")
    check.set_defaults(handler=_health)


def _size(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.1f} kB"


def _refused(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    try:
        info = backups.backup(settings.db_path, args.path, force=args.force)
    except (backups.BackupError, OSError) as exc:  # OSError: a directory we may not write to
        return _refused(str(exc))
    print(f"✓ backed up {settings.db_path} to {info.path}: {_size(info.size)}, schema version {info.schema_version}, integrity ok")
    return EXIT_OK


def _restore(args: argparse.Namespace, settings: Settings) -> int:
    try:
        info, kept = backups.restore(args.backup, settings.db_path)
    except (backups.BackupError, OSError) as exc:  # OSError: a directory we may not write to
        return _refused(str(exc))
    print(f"✓ restored {args.backup} to {settings.db_path}: {_size(info.size)}, schema version {info.schema_version}")
    if kept is not None:
        print(f"  the replaced database is kept as {kept}")
    if info.schema_version < LATEST_VERSION:
        print(f"  it will be migrated to version {LATEST_VERSION} when the bot starts (or run `stunting-bot db migrate`)")
    return EXIT_OK


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    content, _ = loader.parse(loader.read_files(settings.content_dir, settings.seeds_dir))
    catalogue = Catalogue.from_content(content) if content is not None else None

    async def run() -> tuple[int, int, Mapped | None]:
        before = 0
        if settings.db_path.is_file():
            before = backups.inspect(settings.db_path).schema_version
        async with await Database.open(settings.db_path) as db:  # opening applies the migrations
            async with db.transaction() as conn:
                after = await schema_version(conn)
            mapped = await map_free_text(db, catalogue.profile_code) if catalogue is not None else None
        return before, after, mapped

    try:
        before, after, mapped = asyncio.run(run())
    except (backups.BackupError, SchemaTooNewError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if before == after:
        print(f"✓ {settings.db_path}: schema version {after}, up to date")
    else:
        print(f"✓ {settings.db_path}: migrated from schema version {before} to {after}")
    if mapped is not None and mapped.checked:
        unresolved = mapped.checked - mapped.mapped
        print(f"  regions typed before official codes: {mapped.mapped} of {mapped.checked} matched an official region"
              + (f"; {unresolved} did not (`stunting-bot users list --unresolved-region`)" if unresolved else ""))
    return EXIT_OK


def _info(args: argparse.Namespace, settings: Settings) -> int:
    path = args.path or settings.db_path
    try:
        info = backups.inspect(path)
    except backups.BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    state = "ok" if info.ok else "FAILED: " + "; ".join(info.integrity[:5])
    print(f"{path}: {_size(info.size)}, schema version {info.schema_version} (this bot: {LATEST_VERSION}), integrity {state}")
    return EXIT_OK if info.ok else EXIT_FAILED


def _prune(args: argparse.Namespace, settings: Settings) -> int:
    """The same pruning the running bot does every 6 hours; safe while it runs (short batches)."""
    days = settings.question_retention_days if args.days is None else args.days
    if days <= 0:
        return _refused(f"--days must be a positive number of days, not {days}")

    async def run() -> Pruned:
        async with await Database.open(settings.db_path) as db:
            return await prune_questions(db, days)

    try:
        pruned = asyncio.run(run())
    except SchemaTooNewError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(
        f"✓ deleted {pruned.questions} question(s), {pruned.feedback} feedback row(s) and {pruned.handoffs}"
        f" handed-off question(s) older than {days} days"
        f" (asked before {pruned.cutoff:%Y-%m-%d %H:%M} UTC)"
    )
    return EXIT_OK


def _health(args: argparse.Namespace, settings: Settings) -> int:
    content_dir = args.content or settings.content_dir
    result = asyncio.run(health.check(settings.db_path, content_dir, args.seeds or settings.seeds_dir))
    if result.ok:
        print(f"ok: database schema version {result.schema_version}, {result.faq_entries} FAQ entries")
        return EXIT_OK
    for problem in result.problems:
        print(problem, file=sys.stderr)
    return EXIT_FAILED
