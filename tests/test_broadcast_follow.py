"""`stunting-bot broadcast status ID --follow`: a progress bar read from the database until the
broadcast ends (done or cancelled, by another process), then the usual table; Ctrl-C stops
following quietly (exit 0)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from bot.cli import main
from bot.storage import Database, register_user
from bot.storage import broadcasts as store
from tests.conditions import until
from tests.conftest import REPO
from tests.test_run_process import EXE, bot_env


async def queue_broadcast(db: Database, recipients: int) -> int:
    for telegram_id in range(1001, 1001 + recipients):
        await register_user(db, telegram_id, f"Orang {telegram_id}", None, "id")
    broadcast_id, _ = await store.create_broadcast(db, "Rapat koordinasi Senin")
    return broadcast_id


def count_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every progress read of an in-process follower (store.broadcast_report with problem_limit=0)
    appends the broadcast id to the list returned."""
    reads: list[int] = []
    real = store.broadcast_report

    async def counted(db, broadcast_id, *args, **kwargs):
        if kwargs.get("problem_limit") == 0:
            reads.append(broadcast_id)
        return await real(db, broadcast_id, *args, **kwargs)

    monkeypatch.setattr(store, "broadcast_report", counted)
    return reads


def count_in_table(out: str, state: str) -> int:
    """The count of one state in the "Deliveries per state" table."""
    match = re.search(rf"│ {state}\s*│\s*(\d+) │", out)
    assert match, f"no row {state!r} in:\n{out}"
    return int(match.group(1))


async def test_follow_ends_when_the_broadcast_is_done_and_prints_the_final_counts(tmp_path, monkeypatch, capsys):
    path = tmp_path / "bot.sqlite3"
    monkeypatch.setenv("BOT_DB_PATH", str(path))
    reads = count_reads(monkeypatch)
    async with await Database.open(path) as db:
        broadcast_id = await queue_broadcast(db, 5)
        follower = asyncio.create_task(asyncio.to_thread(main, ["broadcast", "status", str(broadcast_id), "--follow"]))
        await until(lambda: len(reads) >= 2, what="the follower to read the broadcast twice")  # drawn, still going
        assert not follower.done()
        # What the bot's sender does, row by row: four arrive, one person blocked the bot.
        await store.mark_started(db, broadcast_id)
        for n in range(5):
            row = await store.claim_next(db, broadcast_id)
            assert row is not None
            if n == 2:
                await store.mark_unreachable(db, broadcast_id, row.telegram_id, "Forbidden: bot was blocked by the user")
            else:
                await store.mark_sent(db, broadcast_id, row.telegram_id, 100 + n)
            await asyncio.sleep(0.2)
        assert await store.finish_if_complete(db, broadcast_id)
        assert await asyncio.wait_for(follower, 10) == 0
    out = capsys.readouterr().out
    assert f"broadcast {broadcast_id}: done; 4 sent, 5/5 done" in out
    assert count_in_table(out, "sent") == 4 and count_in_table(out, "unreachable") == 1
    assert count_in_table(out, "pending") == 0 and count_in_table(out, "total") == 5
    assert "1003" in out and "blocked" in out  # the reason, as in `status`


def test_follow_of_an_unknown_broadcast_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BOT_DB_PATH", str(tmp_path / "bot.sqlite3"))
    assert main(["broadcast", "status", "42", "--follow"]) == 2
    err = capsys.readouterr().err
    assert "no broadcast with id 42" in err and len(err.strip().splitlines()) == 1


async def start_follower(db_path: Path, broadcast_id: int) -> asyncio.subprocess.Process:
    """The real command, piped (no terminal), as an operator's `| tee` or a cron job would run it."""
    return await asyncio.create_subprocess_exec(
        EXE, "broadcast", "status", str(broadcast_id), "--follow",
        cwd=REPO, env=bot_env(BOT_DB_PATH=str(db_path)), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def open_files(fds: Path) -> list[str]:
    targets = []
    for fd in list(fds.iterdir()):
        with contextlib.suppress(OSError):  # closed in between
            targets.append(os.readlink(fd))
    return targets


async def wait_until_reading(db_path: Path, process: asyncio.subprocess.Process) -> None:
    """Wait until the child has the database open (it follows from then on), Python start-up included."""
    fds = Path(f"/proc/{process.pid}/fd")
    deadline = time.monotonic() + 30
    while fds.exists():
        if any(str(db_path) in target for target in open_files(fds)):
            break
        assert process.returncode is None and time.monotonic() < deadline, "the follower never opened the database"
        await asyncio.sleep(0.05)
    else:  # no /proc: give it time
        await asyncio.sleep(3)
    await asyncio.sleep(0.5)  # its first read and the Ctrl-C handler
    assert process.returncode is None


async def test_piped_follow_ends_when_the_broadcast_is_cancelled_elsewhere(tmp_path):
    path = tmp_path / "bot.sqlite3"
    async with await Database.open(path) as db:
        broadcast_id = await queue_broadcast(db, 6)
        await store.mark_started(db, broadcast_id)
        for n in range(2):
            row = await store.claim_next(db, broadcast_id)
            await store.mark_sent(db, broadcast_id, row.telegram_id, 100 + n)
        process = await start_follower(path, broadcast_id)
        try:
            await wait_until_reading(path, process)
            assert await store.cancel_broadcast(db, broadcast_id) == 4
            stdout, stderr = await asyncio.wait_for(process.communicate(), 20)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    out = stdout.decode()
    assert process.returncode == 0, stderr.decode()
    assert "Traceback" not in stderr.decode()
    assert f"broadcast {broadcast_id}: cancelled; 2 sent, 6/6 done" in out
    assert count_in_table(out, "sent") == 2 and count_in_table(out, "cancelled") == 4


@pytest.mark.parametrize("signal_number", [signal.SIGINT])
async def test_ctrl_c_stops_following_with_exit_0_and_the_current_counts(tmp_path, signal_number):
    path = tmp_path / "bot.sqlite3"
    async with await Database.open(path) as db:
        broadcast_id = await queue_broadcast(db, 3)  # never sent: no bot is running
        process = await start_follower(path, broadcast_id)
        try:
            await wait_until_reading(path, process)
            process.send_signal(signal_number)
            stdout, stderr = await asyncio.wait_for(process.communicate(), 20)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    out, err = stdout.decode(), stderr.decode()
    assert process.returncode == 0, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert "stopped following" in out
    assert count_in_table(out, "pending") == 3 and count_in_table(out, "total") == 3
