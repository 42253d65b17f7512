"""Operations: `db backup` / `db restore` / `db migrate`, `health`, JSON logs, and the deploy files."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import aiosqlite
import pytest
import yaml

from bot import logging_setup
from bot.cli import _parser, main
from bot.config import Settings
from bot.storage import Database
from bot.storage.migrations import LATEST_VERSION, MIGRATIONS, migrate
from tests.conftest import CONTENT, REPO
from tests.fake_bot_api import TOKEN
from tests.test_run_process import log_of_a_failed_reply_quoting_the_token

DEPLOY = REPO / "deploy"
EXE = str(Path(sys.executable).parent / "stunting-bot")

# Commits one person and one question per transaction, forever, printing the count after each
# commit: in any consistent snapshot there are exactly as many questions as people.
WRITER = """
import asyncio, sys
from bot.storage import Database, utc_now

async def main(path):
    async with await Database.open(path) as db:
        n = 0
        while True:
            n += 1
            now = utc_now()
            async with db.transaction() as conn:
                await conn.execute(
                    "INSERT INTO users (telegram_id, first_name, created_at, updated_at, last_seen_at)"
                    " VALUES (?, ?, ?, ?, ?)", (n, "orang %d" % n, now, now, now))
                await conn.execute(
                    "INSERT INTO questions (telegram_id, chat_type, text, status, entry_id, score, asked_at)"
                    " VALUES (?, 'private', ?, 'none', NULL, 0, ?)", (n, "pertanyaan " * 20, now))
            print(n, flush=True)

asyncio.run(main(sys.argv[1]))
"""


def counts(path: Path) -> tuple[int, int, int, str]:
    """(people, questions, schema version, integrity) of a database file."""
    with sqlite3.connect(path) as conn:
        people = conn.execute("SELECT count(*) FROM users").fetchone()[0]
        questions = conn.execute("SELECT count(*) FROM questions").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    conn.close()
    return people, questions, version, integrity


def read_until(process: subprocess.Popen[str], at_least: int) -> int:
    assert process.stdout is not None
    while True:
        line = process.stdout.readline()
        assert line, "the writer stopped"
        if int(line) >= at_least:
            return int(line)


# --- backup and restore ---------------------------------------------------------------------


def test_backup_while_another_process_writes_restores_to_a_consistent_database(env, tmp_path, capsys):
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(env)], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    try:
        read_until(writer, 200)
        assert main(["db", "backup", str(tmp_path / "backup.sqlite3")]) == 0
        out = capsys.readouterr().out
        assert f"schema version {LATEST_VERSION}, integrity ok" in out and "B," in out
        people, questions, version, integrity = counts(tmp_path / "backup.sqlite3")
        after = read_until(writer, people + 100)  # the writer goes on writing after the backup

        # The bot (here: the writer) has the database open: restore refuses and changes nothing.
        assert main(["db", "restore", str(tmp_path / "backup.sqlite3")]) == 2
        assert "in use" in capsys.readouterr().err
    finally:
        writer.send_signal(signal.SIGKILL)  # a crash: its WAL is left behind with committed rows
        writer.wait()

    assert integrity == "ok" and version == LATEST_VERSION
    assert people == questions >= 200  # one point in time, never half a transaction
    assert not Path(f"{tmp_path / 'backup.sqlite3'}-wal").exists()  # one self-contained file
    assert Path(f"{env}-wal").exists()  # the killed writer's last commits are still in its WAL

    # With the writer stopped, restore puts the backup in place and keeps the replaced file.
    assert main(["db", "restore", str(tmp_path / "backup.sqlite3")]) == 0
    out = capsys.readouterr().out
    assert "restored" in out and "replaced database is kept as" in out
    assert counts(env) == (people, questions, LATEST_VERSION, "ok")  # the stale WAL was not replayed
    kept = [p for p in env.parent.iterdir() if ".replaced-" in p.name]
    assert len(kept) == 1 and counts(kept[0])[0] >= after > people  # nothing the writer committed is lost
    assert main(["health"]) == 0


def _stale_wal(database: Path, extra_people: int, work: Path) -> bytes:
    """The -wal a crashed bot leaves: ``database``'s content plus ``extra_people`` committed rows
    that were never checkpointed into the main file."""
    copy = work / "crashed.sqlite3"
    shutil.copy(database, copy)
    conn = sqlite3.connect(copy, isolation_level=None)
    try:
        assert conn.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
        conn.execute("PRAGMA wal_autocheckpoint=0")
        for number in range(extra_people):
            conn.execute(
                "INSERT INTO users (telegram_id, first_name, created_at, updated_at, last_seen_at) VALUES (?, ?, ?, ?, ?)",
                (1000 + number, "stale", "2026-01-02T00:00:00.000+00:00", "2026-01-02T00:00:00.000+00:00",
                 "2026-01-02T00:00:00.000+00:00"),
            )  # fmt: skip
        wal = Path(f"{copy}-wal").read_bytes()  # taken while the writer still has it open: a crash
    finally:
        conn.close()
    assert wal
    return wal


@pytest.mark.parametrize("target", ["missing", "damaged"])
def test_restore_removes_a_stale_wal_beside_the_target_so_it_is_never_replayed(env, tmp_path, capsys, target):
    """The database file is gone (or damaged) but the -wal of its last run is still beside it,
    with rows the backup does not have: they must not appear in the restored database."""
    asyncio.run(_create(env))
    backup_file = tmp_path / "backup.sqlite3"
    assert main(["db", "backup", str(backup_file)]) == 0
    wal = _stale_wal(backup_file, 5, tmp_path)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{env}{suffix}").unlink(missing_ok=True)
    if target == "damaged":
        env.write_bytes(b"not a database, the disk was full" * 100)
    Path(f"{env}-wal").write_bytes(wal)
    capsys.readouterr()

    assert main(["db", "restore", str(backup_file)]) == 0, capsys.readouterr().err
    assert counts(env) == (1, 0, LATEST_VERSION, "ok")  # the backup's one person, not five more
    with sqlite3.connect(env) as conn:
        assert conn.execute("SELECT count(*) FROM users WHERE first_name = 'stale'").fetchone()[0] == 0
    conn.close()
    assert not Path(f"{env}-wal").exists()
    assert main(["health"]) == 0


def test_backup_refuses_to_overwrite_without_force(env, tmp_path, capsys):
    asyncio.run(_create(env))
    target = tmp_path / "backup.sqlite3"
    target.write_text("precious")
    assert main(["db", "backup", str(target)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert target.read_text() == "precious"
    assert main(["db", "backup", "--force", str(target)]) == 0
    assert counts(target)[2:] == (LATEST_VERSION, "ok")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp files left


def test_restore_refuses_a_damaged_or_newer_backup(env, tmp_path, capsys):
    asyncio.run(_create(env))
    before = env.read_bytes()
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    assert main(["db", "restore", str(damaged)]) == 2
    assert "damaged.sqlite3" in capsys.readouterr().err
    newer = tmp_path / "newer.sqlite3"
    assert main(["db", "backup", str(newer)]) == 0
    with sqlite3.connect(newer) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.close()
    assert main(["db", "restore", str(newer)]) == 2
    assert "newer than this bot" in capsys.readouterr().err
    assert env.read_bytes() == before


def test_restore_of_an_older_backup_is_migrated_by_db_migrate(env, tmp_path, capsys):
    old = tmp_path / "old.sqlite3"
    asyncio.run(_create(old, upto=2))
    assert main(["db", "restore", str(old)]) == 0
    assert f"migrated to version {LATEST_VERSION} when the bot starts" in capsys.readouterr().out
    assert main(["health"]) == 1
    assert main(["db", "migrate"]) == 0
    assert f"migrated from schema version 2 to {LATEST_VERSION}" in capsys.readouterr().out
    assert main(["db", "migrate"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert main(["health"]) == 0


# --- health ---------------------------------------------------------------------------------


def test_health_passes_on_a_migrated_database_and_good_content(env, capsys):
    asyncio.run(_create(env))
    assert main(["health"]) == 0
    assert f"schema version {LATEST_VERSION}" in capsys.readouterr().out


def test_health_fails_without_a_database_and_does_not_create_one(env, capsys):
    assert main(["health"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no such file" in err[0]
    assert not env.exists()


def test_health_fails_on_an_old_schema_and_does_not_migrate_it(env, capsys):
    asyncio.run(_create(env, upto=2))
    assert main(["health"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"database {env}: schema version 2, expected {LATEST_VERSION} (start the bot or run `stunting-bot db migrate`)"]
    assert counts(env)[2] == 2


def test_health_fails_on_a_file_that_is_not_a_database(env, capsys):
    env.parent.mkdir(parents=True)
    env.write_text("not a database " * 100)
    assert main(["health"]) == 1
    assert "cannot read it" in capsys.readouterr().err


def test_health_fails_on_broken_content_with_one_line_per_problem(env, tmp_path, monkeypatch, capsys):
    asyncio.run(_create(env))
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (content / "topics.yaml").unlink()
    (content / "glossary.yaml").write_text("- term: [unclosed\n", encoding="utf-8")
    monkeypatch.setenv("BOT_CONTENT_DIR", str(content))
    assert main(["health"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) >= 2 and all(line.startswith("content:") for line in err)
    assert any("topics.yaml" in line for line in err) and any("glossary.yaml" in line for line in err)


def test_health_as_the_container_runs_it(tmp_path):
    """The HEALTHCHECK command, as a process: exit status and one line per problem on stderr."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    env |= {"BOT_DB_PATH": str(tmp_path / "bot.sqlite3"), "BOT_CONTENT_DIR": str(CONTENT)}
    result = subprocess.run([EXE, "health"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "no such file" in result.stderr
    asyncio.run(_create(tmp_path / "bot.sqlite3"))
    result = subprocess.run([EXE, "health"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok:")


async def _create(path: Path, upto: int = LATEST_VERSION) -> None:
    """A database migrated to ``upto``, with a person in it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if upto == LATEST_VERSION:
        async with await Database.open(path):
            pass
    else:
        async with aiosqlite.connect(path, isolation_level=None) as conn:
            await migrate(conn, str(path), MIGRATIONS[:upto])
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO users (telegram_id, first_name, created_at, updated_at, last_seen_at) VALUES (?, ?, ?, ?, ?)",
            (1, "Siti", "2026-01-01T00:00:00.000+00:00", "2026-01-01T00:00:00.000+00:00", "2026-01-01T00:00:00.000+00:00"),
        )
    conn.close()


# --- logging --------------------------------------------------------------------------------


def test_json_log_lines_parse_carry_extra_fields_and_never_the_token():
    stream = io.StringIO()
    handler = logging_setup.configure("json", "INFO", TOKEN, stream=stream)
    log = logging.getLogger("bot.test")
    try:
        log.info("update handled", extra={"update_id": 42, "duration_ms": 3.5})
        log.warning("GET https://api.telegram.org/bot%s/getMe failed", TOKEN)
        log.info("retrying", extra={"url": f"https://api.telegram.org/bot{TOKEN}/sendMessage"})
        try:
            raise RuntimeError(f"boom at /bot{TOKEN.replace(':', '%3A')}/getUpdates")
        except RuntimeError:
            log.exception("polling failed")
        log.debug("not shown at INFO")
    finally:
        logging.getLogger().removeHandler(handler)
    text = stream.getvalue()
    assert TOKEN not in text and TOKEN.split(":")[1] not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert len(lines) == 4
    first = lines[0]
    assert first["level"] == "INFO" and first["logger"] == "bot.test" and first["message"] == "update handled"
    assert first["update_id"] == 42 and first["duration_ms"] == 3.5
    assert first["timestamp"].endswith("+00:00")
    assert "<token>" in lines[1]["message"] and "<token>" in lines[2]["url"]
    assert "RuntimeError" in lines[3]["exception"]


def test_the_default_text_log_redacts_the_token_in_a_traceback():
    """The message is clean; the exception's text (as httpx and PTB errors do) quotes the Bot API
    URL: only the formatter sees it, in the traceback."""
    stream = io.StringIO()
    handler = logging_setup.configure(token=TOKEN, stream=stream)  # the defaults: text, INFO
    log = logging.getLogger("bot.test")
    try:
        try:
            raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/sendMessage failed")
        except RuntimeError:
            log.exception("sending failed")
        try:
            raise ConnectionError(f"boom at /bot{TOKEN.replace(':', '%3A')}/getUpdates")
        except ConnectionError:
            log.error("polling failed", exc_info=True)
    finally:
        logging.getLogger().removeHandler(handler)
    text = stream.getvalue()
    assert "Traceback" in text and "RuntimeError" in text and "ConnectionError" in text
    assert TOKEN not in text and TOKEN.split(":")[1] not in text
    assert "https://api.telegram.org/bot<token>/sendMessage failed" in text
    assert "/bot123456%3A<token>/getUpdates" in text


def test_a_lower_cased_token_in_a_telegram_error_is_redacted_too():
    """PTB capitalises an error description ("Bad Request: post https://…/bot123:abc…"), lower-casing the token."""
    from telegram.error import BadRequest

    stream = io.StringIO()
    handler = logging_setup.configure(token=TOKEN, stream=stream)
    try:
        try:
            raise BadRequest(f"Bad Request: POST https://api.telegram.org/bot{TOKEN}/sendMessage")
        except BadRequest:
            logging.getLogger("bot.test").exception("sending failed")
    finally:
        logging.getLogger().removeHandler(handler)
    assert TOKEN.split(":")[1].casefold() not in stream.getvalue().casefold()


def test_log_settings_are_read_case_insensitively_and_bad_values_are_refused(monkeypatch, capsys):
    monkeypatch.setenv("BOT_LOG_FORMAT", "JSON")
    monkeypatch.setenv("BOT_LOG_LEVEL", "debug")
    settings = Settings()
    assert (settings.log_format, settings.log_level) == ("json", "DEBUG")
    monkeypatch.setenv("BOT_LOG_FORMAT", "xml")
    assert main(["health"]) == 2
    assert "BOT_LOG_FORMAT" in capsys.readouterr().err


async def test_run_with_json_logs_writes_only_json_lines_without_token_or_questions(fake_api, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    env |= {
        "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake_api.url, "BOT_DB_PATH": str(tmp_path / "bot.sqlite3"),
        "BOT_LOG_FORMAT": "json", "BOT_LOG_LEVEL": "INFO",
    }  # fmt: skip
    log = await log_of_a_failed_reply_quoting_the_token(fake_api, env, 778)
    lines = [json.loads(line) for line in log.splitlines() if line.strip()]
    assert lines, "the bot logged nothing"
    assert all({"timestamp", "level", "logger", "message"} <= line.keys() for line in lines)
    errors = [line for line in lines if line["message"].startswith("error while handling update")]
    assert len(errors) == 1 and "/bot<token>/sendMessage" in errors[0]["exception"]
    assert TOKEN not in log and TOKEN.split(":")[1] not in log
    assert "diklat fds" not in log  # what people ask is not logged at INFO


# --- deploy files ---------------------------------------------------------------------------


def _env_example_names() -> set[str]:
    names = set()
    for line in (DEPLOY / ".env.example").read_text(encoding="utf-8").splitlines():
        line = line.strip().lstrip("#").strip()
        name, sep, _ = line.partition("=")
        if sep and name.isupper() and " " not in name:
            names.add(name)
    return names


def test_env_example_documents_every_setting():
    documented = _env_example_names()
    aliases = {str(field.validation_alias) for field in Settings.model_fields.values()}
    assert aliases <= documented, f"add to deploy/.env.example: {sorted(aliases - documented)}"
    coming = {"BOT_WEBHOOK_URL", "BOT_WEBHOOK_LISTEN", "BOT_WEBHOOK_SECRET", "BOT_QUESTION_RETENTION_DAYS"}
    assert coming <= documented


def _cli_accepts(command: list[str]) -> None:
    assert command[0] == "stunting-bot", command
    try:
        _parser().parse_args(command[1:])
    except SystemExit as exc:  # argparse exits on an unknown command
        raise AssertionError(f"not a stunting-bot command: {shlex.join(command)}") from exc


def test_dockerfile_runs_real_commands_as_a_non_root_user():
    lines = (DEPLOY / "Dockerfile").read_text(encoding="utf-8").splitlines()
    instructions = {line.split()[0]: line for line in lines if line and not line.startswith(("#", " "))}
    assert instructions["FROM"].startswith("FROM python:3.11-slim")
    assert "USER" in instructions and instructions["USER"].split()[1] not in ("root", "0")
    healthcheck = json.loads(instructions["HEALTHCHECK"].split(" CMD ", 1)[1])
    _cli_accepts(healthcheck)
    entrypoint = json.loads(instructions["ENTRYPOINT"].split(None, 1)[1])
    command = json.loads(instructions["CMD"].split(None, 1)[1])
    _cli_accepts(entrypoint + command)


def test_compose_and_systemd_run_real_commands():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    service = compose["services"]["bot"]
    _cli_accepts(service["healthcheck"]["test"][1:])  # ["CMD", "stunting-bot", "health"]
    unit = (DEPLOY / "stunting-bot.service").read_text(encoding="utf-8")
    settings = dict(line.split("=", 1) for line in unit.splitlines() if "=" in line and not line.startswith("#"))
    assert settings["Restart"] == "on-failure" and settings["NoNewPrivileges"] == "yes"
    assert "EnvironmentFile" in settings and "ProtectSystem" in settings
    command = shlex.split(settings["ExecStart"])
    _cli_accepts(["stunting-bot", *command[1:]])
    assert command[0].endswith("/stunting-bot")
