"""Online backup, inspection and restore of the bot's SQLite file.

* ``backup`` copies the live database with SQLite's backup API in one step: the copy is one
  read transaction, so it is a consistent point-in-time snapshot even while the bot keeps writing
  (WAL: readers never block the writer, and the writer never blocks us). The copy goes to a
  temporary file beside the target, is switched to ``journal_mode=DELETE`` (one self-contained
  file, no ``-wal``), checked with ``PRAGMA integrity_check`` and only then renamed into place.
* ``inspect`` opens a file read-only and reports its integrity and schema version.
* ``restore`` puts a checked backup in place of ``BOT_DB_PATH``. It must run with the bot stopped
  and refuses when another process has the database open (SQLite cannot leave WAL mode while
  another connection is open, which is how this is detected). The replaced database is kept
  beside it (``<name>.replaced-<time>``), and stale ``-wal`` / ``-shm`` files are removed so they
  can never be replayed onto the restored file.

Synchronous (``sqlite3``); the CLI calls these directly, an async caller can use ``asyncio.to_thread``.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.storage.migrations import LATEST_VERSION

SIDE_FILES = ("-wal", "-shm", "-journal")


class BackupError(RuntimeError):
    """A backup or restore that was refused or failed; the message is for the operator."""


@dataclass(frozen=True)
class DatabaseInfo:
    path: Path
    size: int  # bytes of the main file
    schema_version: int
    integrity: list[str]  # ``["ok"]`` when sound

    @property
    def ok(self) -> bool:
        return self.integrity == ["ok"]


def _connect(path: Path, mode: str) -> sqlite3.Connection:
    """Open an existing file (``mode`` ``ro`` or ``rw``); never creates one."""
    if not path.is_file():
        raise BackupError(f"{path}: no such database file")
    uri = f"{path.resolve().as_uri()}?mode={mode}"
    return sqlite3.connect(uri, uri=True, isolation_level=None, timeout=5.0)


def _version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _integrity(conn: sqlite3.Connection) -> list[str]:
    return [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]


@contextlib.contextmanager
def _closing(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    try:
        yield conn
    finally:
        conn.close()


def inspect(path: Path) -> DatabaseInfo:
    """Integrity and schema version of a database file, opened read-only."""
    try:
        with _closing(_connect(path, "ro")) as conn:
            return DatabaseInfo(path, path.stat().st_size, _version(conn), _integrity(conn))
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path}: not a readable SQLite database ({exc})") from None


def backup(source: Path, target: Path, *, force: bool = False) -> DatabaseInfo:
    """Copy the live database ``source`` to ``target``; return what was written.

    Refuses to overwrite ``target`` unless ``force``. Safe while the bot runs.
    """
    if target.exists() and not force:
        raise BackupError(f"{target} already exists; choose another name or pass --force to overwrite it")
    if target.exists() and target.resolve() == source.resolve():
        raise BackupError(f"{target} is the database itself; back up to another file")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    temp = Path(temp_name)
    try:
        try:
            with _closing(_connect(source, "rw")) as src, _closing(sqlite3.connect(temp, isolation_level=None)) as dst:
                src.backup(dst)  # pages=-1: the whole database in one step, one consistent snapshot
                dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
                integrity = _integrity(dst)
                version = _version(dst)
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"cannot back up {source}: {exc}") from None
        if integrity != ["ok"]:
            raise BackupError(f"the copy of {source} failed its integrity check: {'; '.join(integrity[:5])}")
        _fsync(temp)
        os.replace(temp, target)
        _fsync_dir(target.parent)
    finally:
        _remove(temp, with_side_files=True)
    return DatabaseInfo(target, target.stat().st_size, version, integrity)


def restore(backup_file: Path, target: Path) -> tuple[DatabaseInfo, Path | None]:
    """Put ``backup_file`` in place of ``target`` (the bot must be stopped).

    Checks the backup first (integrity, a schema version this bot knows: an older one is
    migrated when the bot starts). Returns the backup's info and where the replaced database
    was kept (``None`` if there was none).
    """
    info = inspect(backup_file)
    if not info.ok:
        raise BackupError(f"{backup_file} failed its integrity check: {'; '.join(info.integrity[:5])}")
    if info.schema_version > LATEST_VERSION:
        raise BackupError(
            f"{backup_file} has schema version {info.schema_version}, newer than this bot's "
            f"{LATEST_VERSION}; restore it with the bot version that made it"
        )
    if info.schema_version < 1:
        raise BackupError(f"{backup_file} has schema version 0: it is not a database of this bot")
    kept: Path | None = None
    if target.exists():
        if target.resolve() == backup_file.resolve():
            raise BackupError(f"{backup_file} is the database itself")
        _refuse_if_in_use(target)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = target.with_name(f"{target.name}.replaced-{stamp}")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    temp = Path(temp_name)
    try:
        with _closing(_connect(backup_file, "ro")) as src, _closing(sqlite3.connect(temp, isolation_level=None)) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        _fsync(temp)
        if kept is not None:
            os.replace(target, kept)
        for suffix in SIDE_FILES:  # a stale WAL must never be replayed onto the restored file
            _remove(Path(f"{target}{suffix}"))
        os.replace(temp, target)
        _fsync_dir(target.parent)
    finally:
        _remove(temp, with_side_files=True)
    return DatabaseInfo(target, target.stat().st_size, info.schema_version, info.integrity), kept


def _refuse_if_in_use(target: Path) -> None:
    """BackupError if another connection has ``target`` open (e.g. the running bot).

    Leaving WAL mode needs the only connection to the file; with no busy timeout it fails at
    once when another process holds it open. On success the WAL is checkpointed into the file
    (it is about to be set aside anyway).
    """
    try:
        with _closing(_connect(target, "rw")) as conn:
            conn.execute("PRAGMA busy_timeout=0")
            conn.execute("PRAGMA journal_mode=DELETE").fetchone()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise BackupError(f"{target} is in use (is the bot running?); stop the bot, then restore") from None
        raise BackupError(f"cannot open {target}: {exc}") from None
    except sqlite3.DatabaseError:
        return  # the current file is damaged: that is a reason to restore, not to refuse


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not possible on every platform / file system
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove(path: Path, *, with_side_files: bool = False) -> None:
    for name in [str(path), *([f"{path}{s}" for s in SIDE_FILES] if with_side_files else [])]:
        with contextlib.suppress(FileNotFoundError):
            os.remove(name)
