"""Coordinator broadcasts: pacing arithmetic, storage, the sender, the CLI, and the real
Application delivering broadcasts against the local fake Bot API."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.broadcast import BroadcastSender, Pacer, backoff_delay, max_in_window
from bot.cli import main
from bot.storage import (
    Database,
    get_user,
    list_users,
    mark_unreachable,
    register_user,
    set_coordinator,
    set_region,
    set_role,
    set_subscribed,
)
from bot.storage import broadcasts as store
from bot.storage.broadcasts import Audience, UnknownBroadcastError
from bot.storage.users import set_region_code
from bot.telegram.broadcast_commands import broadcast_messages
from tests.conditions import until
from tests.conftest import running_bot
from tests.fake_bot_api import FakeBotApi

TEXT = "Pelatihan gelombang II dimulai Senin <08.00> & wajib hadir."
ESCAPED = "Pelatihan gelombang II dimulai Senin &lt;08.00&gt; &amp; wajib hadir."


# --- pacing (pure) -------------------------------------------------------------------------


def simulate(pacer: Pacer, chats: list[int], start: float = 0.0) -> list[float]:
    """Send to each chat as early as the pacer allows; return the send times."""
    now, times = start, []
    for chat in chats:
        now += pacer.wait(now, chat)
        pacer.record(now, chat)
        times.append(now)
    return times


def test_pacer_never_exceeds_the_rate_in_any_one_second_window():
    for rate in (1, 7.5, 25, 30):
        times = simulate(Pacer(rate=rate), list(range(200)))
        assert max_in_window(times) <= rate
        assert times[-1] <= 199 / int(rate) + 1e-6  # and it does not go slower than needed


def test_pacer_keeps_one_second_between_messages_to_one_chat():
    pacer = Pacer(rate=25)
    times = simulate(pacer, [1, 1, 2, 1])
    assert times[1] - times[0] == pytest.approx(1.0)
    assert times[2] - times[1] == pytest.approx(1 / 25)  # another chat need not wait
    assert times[3] - times[1] == pytest.approx(1.0)


def test_the_window_counts_from_when_a_call_returned():
    pacer = Pacer(rate=2, per_chat_interval=1.0)
    pacer.record(0.0, 1)
    pacer.finished(0.3, 1)  # a slow call: Telegram may have seen it as late as 0.3
    pacer.record(0.5, 2)
    pacer.finished(0.5, 2)
    assert pacer.wait(0.5, 3) == pytest.approx(0.8)  # 0.3 + 1 s, not 0 + 1 s
    assert pacer.wait(0.5, 1) == pytest.approx(0.8)  # the per-chat floor too


def test_a_429_pauses_everything_then_halves_the_pace_for_a_while():
    pacer = Pacer(rate=20, slow_hold=10)
    pacer.record(0.0, 1)
    pacer.flood_wait(0.0, retry_after=3)
    assert pacer.wait(0.0, 2) == pytest.approx(3.0)
    assert pacer.current_rate(3.0) == 10
    pacer.flood_wait(3.0, retry_after=0)
    assert pacer.current_rate(3.0) == 5  # a second 429 halves again
    assert pacer.current_rate(14.0) == 20  # the slow spell ends slow_hold after the last 429
    many = Pacer(rate=4, min_rate=1)
    for _ in range(10):
        many.flood_wait(0.0, 1)
    assert many.current_rate(1.0) == 1  # never below min_rate


def test_backoff_doubles_up_to_a_cap():
    assert [backoff_delay(n) for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert backoff_delay(10, base=0.5, cap=5) == 5


def test_max_in_window_counts_half_open_windows():
    assert max_in_window([]) == 0
    assert max_in_window([0, 0.5, 0.99, 1.0, 1.5]) == 3
    assert max_in_window([0, 1, 2, 3]) == 1


def test_a_rate_of_zero_is_refused():
    with pytest.raises(ValueError, match="positive"):
        Pacer(rate=0)


# --- storage -------------------------------------------------------------------------------


async def people(db: Database, ids, role=None, kabupaten=None, kecamatan=None) -> list[int]:
    for telegram_id in ids:
        await register_user(db, telegram_id, f"Orang {telegram_id}", None, "id")
        if role:
            await set_role(db, telegram_id, role)
        if kabupaten:
            await set_region(db, telegram_id, kabupaten, kecamatan)
    return list(ids)


@pytest.fixture
async def db(tmp_path: Path):
    async with await Database.open(tmp_path / "bot.sqlite3") as database:
        yield database


async def test_the_audience_snapshot_takes_subscribed_reachable_matching_people(db):
    await people(db, [1, 2], role="tpk", kabupaten="Garut", kecamatan="Cibatu")
    await people(db, [3], role="tksk", kabupaten="garut")
    await people(db, [4], role="tpk", kabupaten="Bandung")
    await people(db, [5, 6, 7])
    await set_subscribed(db, 5, False)
    await mark_unreachable(db, 6)
    cases = {
        Audience(): [1, 2, 3, 4, 7],
        Audience(roles=("tpk",)): [1, 2, 4],
        Audience(kabupaten=("GARUT",)): [1, 2, 3],
        Audience(roles=("tpk", "tksk"), kabupaten=("Garut",)): [1, 2, 3],  # OR within, AND across
        Audience(kecamatan=("cibatu",)): [1, 2],
        Audience(roles=("tksk",), kecamatan=("Cibatu",)): [],
    }
    for audience, expected in cases.items():
        assert await store.count_recipients(db, audience) == len(expected)
        broadcast_id, count = await store.create_broadcast(db, "Halo", audience)
        assert count == len(expected)
        assert [d.telegram_id for d in await store.deliveries(db, broadcast_id)] == expected
    # The snapshot is fixed: someone registering later is not added.
    broadcast_id, _ = await store.create_broadcast(db, "Halo")
    await people(db, [8])
    assert 8 not in [d.telegram_id for d in await store.deliveries(db, broadcast_id)]


async def test_audience_validation_and_json_round_trip():
    with pytest.raises(ValueError, match="unknown role"):
        Audience(roles=("camat",))
    audience = Audience(roles=("tpk", "tpk"), kabupaten=(" Garut ", ""), kecamatan=())
    assert audience == Audience(("tpk",), ("Garut",))
    assert Audience.from_json(audience.to_json()) == audience
    assert Audience().everyone and Audience().describe() == "everyone"


async def test_empty_text_and_naive_times_are_refused(db):
    with pytest.raises(ValueError, match="empty"):
        await store.create_broadcast(db, "  ")
    with pytest.raises(ValueError, match="time zone"):
        await store.create_broadcast(db, "x", send_at=datetime(2030, 1, 1))


async def test_rows_walk_claim_mark_resume_and_finish(db):
    await people(db, [10, 11, 12, 13])
    broadcast_id, _ = await store.create_broadcast(db, "Halo")
    assert (await store.next_due(db)).id == broadcast_id
    await store.mark_started(db, broadcast_id)
    first = await store.claim_next(db, broadcast_id)
    assert (first.telegram_id, first.state) == (10, "sending")
    await store.mark_sent(db, broadcast_id, 10, message_id=77)
    # A crash with 11 in flight: on restart it goes back to pending (the one possible duplicate).
    assert (await store.claim_next(db, broadcast_id)).telegram_id == 11
    assert await store.reset_in_flight(db) == 1
    assert (await store.claim_next(db, broadcast_id)).telegram_id == 11
    await store.mark_failed(db, broadcast_id, 11, "TimedOut: x" * 100, attempts=4)
    assert (await store.claim_next(db, broadcast_id)).telegram_id == 12
    await store.mark_unreachable(db, broadcast_id, 12, "Forbidden: bot was blocked by the user")
    user = await get_user(db, 12)
    assert not user.reachable and not user.subscribed
    assert not await store.finish_if_complete(db, broadcast_id)
    await store.claim_next(db, broadcast_id)
    await store.mark_sent(db, broadcast_id, 13, message_id=5)
    assert await store.claim_next(db, broadcast_id) is None
    assert await store.finish_if_complete(db, broadcast_id)
    report = await store.broadcast_report(db, broadcast_id)
    assert report.broadcast.status == "done" and report.broadcast.finished_at is not None
    assert report.counts == {"sent": 2, "failed": 1, "unreachable": 1}
    assert [(p.telegram_id, p.state, p.attempts) for p in report.problems] == [(11, "failed", 4), (12, "unreachable", 1)]
    assert len(report.problems[0].error) == store.MAX_ERROR_LENGTH
    assert await store.next_due(db) is None


async def test_unsubscribing_after_the_snapshot_is_honoured_at_claim_time(db):
    await people(db, [1, 2, 3])
    broadcast_id, _ = await store.create_broadcast(db, "Halo")
    await set_subscribed(db, 1, False)
    await set_subscribed(db, 2, False)
    assert (await store.claim_next(db, broadcast_id)).telegram_id == 3
    states = {d.telegram_id: d.state for d in await store.deliveries(db, broadcast_id)}
    assert states == {1: "opted_out", 2: "opted_out", 3: "sending"}


async def test_cancel_stops_the_remaining_rows(db):
    await people(db, range(1, 6))
    broadcast_id, _ = await store.create_broadcast(db, "Halo")
    await store.claim_next(db, broadcast_id)
    assert await store.cancel_broadcast(db, broadcast_id) == 4
    await store.mark_sent(db, broadcast_id, 1, 9)  # the one in flight finishes
    assert await store.claim_next(db, broadcast_id) is None
    assert await store.next_due(db) is None
    report = await store.broadcast_report(db, broadcast_id)
    assert report.broadcast.status == "cancelled" and report.counts == {"sent": 1, "cancelled": 4}
    assert await store.cancel_broadcast(db, broadcast_id) == 0
    with pytest.raises(UnknownBroadcastError):
        await store.cancel_broadcast(db, 999)


async def test_a_crash_with_a_row_in_flight_of_a_cancelled_broadcast_closes_that_row(db):
    await people(db, [1, 2, 3])
    running, _ = await store.create_broadcast(db, "Tetap jalan")
    cancelled, _ = await store.create_broadcast(db, "Dibatalkan")
    assert (await store.claim_next(db, running)).telegram_id == 1
    assert (await store.claim_next(db, cancelled)).telegram_id == 1
    await store.cancel_broadcast(db, cancelled)
    # The bot dies with both rows in flight; at the restart only the live broadcast's row is retried.
    assert await store.reset_in_flight(db) == 1
    assert (await store.claim_next(db, running)).telegram_id == 1
    assert await store.claim_next(db, cancelled) is None
    report = await store.broadcast_report(db, cancelled)
    assert report.counts == {"cancelled": 3}


async def test_scheduled_broadcasts_are_due_only_at_their_time(db):
    await people(db, [1])
    later = datetime.now(UTC) + timedelta(hours=1)
    broadcast_id, _ = await store.create_broadcast(db, "Nanti", send_at=later)
    assert await store.next_due(db) is None
    assert (await store.next_due(db, later + timedelta(seconds=1))).id == broadcast_id
    assert await store.next_send_at(db) == later.replace(microsecond=later.microsecond // 1000 * 1000)


async def test_coordinator_flag_and_user_listing(db):
    await people(db, [1, 2], role="tpk", kabupaten="Garut")
    await people(db, [3], role="tksk", kabupaten="Bandung")
    assert not (await get_user(db, 1)).coordinator
    assert (await set_coordinator(db, 1, True)).coordinator
    assert [u.telegram_id for u in await list_users(db, coordinator=True)] == [1]
    assert [u.telegram_id for u in await list_users(db, role="tpk", kabupaten="garut")] == [1, 2]
    assert [u.telegram_id for u in await list_users(db, kabupaten="Bandung")] == [3]
    assert not (await set_coordinator(db, 1, False)).coordinator


# --- the sender, with a stub Bot (fast fault cases) -----------------------------------------


COMPOSE = broadcast_messages("✅")  # as the bot sends broadcasts


class StubBot:
    """send_message records the call; ``faults[chat_id]`` lists exceptions to raise first."""

    def __init__(self, faults: dict[int, list[Exception]] | None = None):
        self.faults = faults or {}
        self.calls: list[tuple[int, str]] = []

    async def send_message(self, chat_id: int, text: str, parse_mode=None, reply_markup=None):
        self.calls.append((chat_id, text))
        pending = self.faults.get(chat_id)
        if pending:
            raise pending.pop(0)
        return SimpleNamespace(message_id=len(self.calls))


async def run_until_done(sender: BroadcastSender, broadcast_id: int, timeout: float = 10) -> store.Report:
    await sender.start()
    try:
        deadline = time.monotonic() + timeout
        while (await store.get_broadcast(sender.db, broadcast_id)).status not in ("done", "cancelled"):
            assert time.monotonic() < deadline, "the broadcast did not finish"
            await asyncio.sleep(0.02)
    finally:
        await sender.stop()
    return await store.broadcast_report(sender.db, broadcast_id)


async def test_sender_outcomes_for_each_kind_of_error(db):
    await people(db, range(1, 8))
    bot = StubBot({
        2: [TimedOut(), NetworkError("connection reset")],          # recovers on the 3rd try
        3: [NetworkError("down")] * 4,                               # 1 + 3 retries, then failed
        4: [Forbidden("Forbidden: bot was blocked by the user")],   # unreachable, never retried
        5: [BadRequest("Chat not found")],                          # unreachable too
        6: [BadRequest("Can't parse entities")],                    # failed at once, no retry
        7: [RetryAfter(timedelta(milliseconds=200))],               # waits, then the same row
    })  # fmt: skip
    broadcast_id, _ = await store.create_broadcast(db, TEXT)
    sender = BroadcastSender(db, bot, compose=COMPOSE, rate=100, poll_interval=0.05, per_chat_interval=0.05, backoff_base=0.01)
    report = await run_until_done(sender, broadcast_id)
    states = {d.telegram_id: (d.state, d.attempts) for d in await store.deliveries(db, broadcast_id)}
    assert states == {
        1: ("sent", 1), 2: ("sent", 3), 3: ("failed", 4), 4: ("unreachable", 1),
        5: ("unreachable", 1), 6: ("failed", 1), 7: ("sent", 2),
    }  # fmt: skip
    reasons = {p.telegram_id: p.error for p in report.problems}
    assert reasons[3] == "NetworkError: down" and "blocked" in reasons[4] and "parse" in reasons[6]
    assert Counter(chat for chat, _ in bot.calls) == {1: 1, 2: 3, 3: 4, 4: 1, 5: 1, 6: 1, 7: 2}
    assert all(text == ESCAPED for _, text in bot.calls)
    for blocked in (4, 5):
        user = await get_user(db, blocked)
        assert not user.reachable and not user.subscribed
    assert sender.pacer.current_rate(time.monotonic()) == 50  # halved by the 429


async def test_sender_resumes_rows_left_in_flight_and_sends_long_text_in_parts(db):
    await people(db, [1, 2])
    long_text = ("Kabar program. " * 400).strip()  # about 6,000 characters: two messages
    broadcast_id, _ = await store.create_broadcast(db, long_text)
    await store.mark_started(db, broadcast_id)
    await store.claim_next(db, broadcast_id)  # as if the process died while sending to 1
    bot = StubBot()
    await run_until_done(BroadcastSender(db, bot, compose=COMPOSE, rate=100, poll_interval=0.05, per_chat_interval=0.05), broadcast_id)
    assert Counter(chat for chat, _ in bot.calls) == {1: 2, 2: 2}
    assert all(len(text) <= 4096 for _, text in bot.calls)


async def test_stopping_while_waiting_leaves_the_row_pending(db):
    await people(db, [1])
    broadcast_id, _ = await store.create_broadcast(db, "Halo")
    bot = StubBot({1: [RetryAfter(30)]})
    sender = BroadcastSender(db, bot, compose=COMPOSE, rate=10, poll_interval=0.05)
    await sender.start()
    await until(lambda: bot.calls, what="the first send")
    started = time.monotonic()
    await sender.stop()
    assert time.monotonic() - started < 1  # the 30 s wait does not hold up the shutdown
    assert [d.state for d in await store.deliveries(db, broadcast_id)] == ["pending"]


# --- the CLI -------------------------------------------------------------------------------


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "bot.sqlite3"
    monkeypatch.setenv("BOT_DB_PATH", str(path))

    async def setup() -> None:
        async with await Database.open(path) as database:
            await people(database, [1, 2], role="tpk")
            await people(database, [3], role="tksk")
            for telegram_id, code in {1: "32.05", 2: "32.05", 3: "32.04"}.items():  # Kabupaten Garut, Bandung
                await set_region_code(database, telegram_id, code)

    asyncio.run(setup())
    return path


def test_cli_users_grant_list_revoke(cli_db, capsys):
    assert main(["users", "grant", "1", "coordinator"]) == 0
    assert "1 (Orang 1) is now a coordinator" in capsys.readouterr().out
    assert main(["users", "list", "--role", "tpk", "--region", "garut"]) == 0
    out = capsys.readouterr().out
    assert "2 people" in out and "Orang 2" in out and "Orang 3" not in out
    assert main(["users", "list", "--coordinators"]) == 0
    assert "1 people" in capsys.readouterr().out
    assert main(["users", "revoke", "1", "coordinator"]) == 0
    assert main(["users", "grant", "99", "coordinator"]) == 2
    assert "no registered user with Telegram id 99" in capsys.readouterr().err


def test_cli_broadcast_send_status_list_cancel(cli_db, capsys):
    assert main(["broadcast", "send", "--text", TEXT, "--role", "tpk", "--region", "Garut", "--yes"]) == 0
    assert "broadcast 1: 2 recipient(s) (role tpk, region 32.05), sending now" in capsys.readouterr().out
    later = (datetime.now(UTC) + timedelta(days=200)).replace(hour=1, minute=0, second=0, microsecond=0)
    at = later.astimezone(timezone(timedelta(hours=7))).isoformat(timespec="minutes")  # 08:00+07:00
    assert main(["broadcast", "send", "--text", "Nanti", "--at", at, "--yes"]) == 0
    assert f"broadcast 2: 3 recipient(s) (everyone), sending at {later:%Y-%m-%d} 01:00:00 UTC" in capsys.readouterr().out
    assert main(["broadcast", "send", "--text", "x", "--at", "2030-01-01T08:00+07:00", "--yes"]) == 2  # beyond a year
    assert main(["broadcast", "status", "1"]) == 0
    out = capsys.readouterr().out
    assert "broadcast 1: scheduled" in out and "pending" in out
    assert main(["broadcast", "list"]) == 0
    assert "Nanti" in capsys.readouterr().out
    assert main(["broadcast", "cancel", "2"]) == 0
    assert "3 message(s) will not be sent" in capsys.readouterr().out
    assert main(["broadcast", "cancel", "2"]) == 0
    assert "already cancelled" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["broadcast", "status", "42"], "no broadcast with id 42"),
        (["broadcast", "cancel", "42"], "no broadcast with id 42"),
        (["broadcast", "send", "--text", "x", "--at", "besok"], "is not an ISO-8601 time"),
        (["broadcast", "send", "--text", "x", "--at", "2030-01-01T08:00"], "has no time zone"),
        (["broadcast", "send", "--text", "   "], "empty"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(cli_db, capsys, argv, expected):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert expected in err and len(err.strip().splitlines()) == 1


# --- end to end: the real Application against the fake Bot API -----------------------------


def broadcast_sends(api: FakeBotApi, text: str = ESCAPED) -> list[dict]:
    return [c for c in api.sent if c["method"] == "sendMessage" and c["text"] == text]


async def no_row_in_flight(db: Database, broadcast_id: int) -> bool:
    return all(d.state != "sending" for d in await store.deliveries(db, broadcast_id))


def cli(*argv: str) -> asyncio.Future:
    """The CLI in a thread (it runs its own event loop), as an operator on the server would."""
    return asyncio.to_thread(main, list(argv))


async def wait_status(db: Database, broadcast_id: int, status: str, timeout: float = 10) -> store.Report:
    deadline = time.monotonic() + timeout
    while (await store.get_broadcast(db, broadcast_id)).status != status:
        assert time.monotonic() < deadline, f"broadcast {broadcast_id} never became {status}"
        await asyncio.sleep(0.05)
    return await store.broadcast_report(db, broadcast_id)


@pytest.fixture
def bot_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_DB_PATH", str(tmp_path / "bot.sqlite3"))  # the CLI uses the bot's DB


async def test_a_broadcast_queued_from_the_cli_is_delivered_within_5_seconds(fake_api, engine, tmp_path, bot_env):
    async with running_bot(fake_api, engine, tmp_path) as application:
        db = application.bot_data["services"].db
        ids = await people(db, range(1001, 1011), role="tpk", kabupaten="Garut")
        await people(db, [2001], role="tksk")
        queued = time.monotonic()
        assert await cli("broadcast", "send", "--text", TEXT, "--role", "tpk", "--yes") == 0
        for chat in ids:
            await fake_api.wait_for(lambda c, chat=chat: c["chat_id"] == chat and c["text"] == ESCAPED, timeout=5)
        assert time.monotonic() - queued < 5
        report = await wait_status(db, 1, "done")
        assert report.counts == {"sent": 10}
        assert sorted(c["chat_id"] for c in broadcast_sends(fake_api)) == ids  # once each, not 2001
        assert all(c["parse_mode"] == "HTML" for c in broadcast_sends(fake_api))


async def test_a_429_is_waited_out_and_everyone_gets_the_message_once(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        db = application.bot_data["services"].db
        ids = await people(db, range(1001, 1031))
        # retry_after well above the per-chat floor (1 s), which alone would space the retry out
        fake_api.fail_next("sendMessage", 429, retry_after=2, chat_id=1010)
        broadcast_id, _ = await store.create_broadcast(db, TEXT)
        report = await wait_status(db, broadcast_id, "done")
        assert report.counts == {"sent": 30}
        assert Counter(c["chat_id"] for c in broadcast_sends(fake_api)) == dict.fromkeys(ids, 1)
        refused = next(c for c in fake_api.calls if c["status"] == 429)
        retried = [c for c in fake_api.calls if c["params"].get("chat_id") == 1010]
        assert len(retried) == 2 and retried[1]["time"] - refused["time"] >= 2.0  # the fake API's own clock
        # … and it paused everything: no send to anyone until the wait was over
        later = [c for c in fake_api.calls if c["method"] == "sendMessage" and c["time"] > refused["time"]]
        assert len(later) == 30 - 9 and all(c["time"] - refused["time"] >= 2.0 for c in later)


async def test_blocked_and_deleted_people_become_unreachable_and_are_not_retried(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        db = application.bot_data["services"].db
        await people(db, range(1001, 1011))
        fake_api.block_chat(1003)
        fake_api.missing_chat(1007)
        broadcast_id, _ = await store.create_broadcast(db, TEXT)
        report = await wait_status(db, broadcast_id, "done")
        assert report.counts == {"sent": 8, "unreachable": 2}
        assert {p.telegram_id: p.error for p in report.problems} == {
            1003: "Forbidden: bot was blocked by the user", 1007: "Chat not found"
        }
        for chat in (1003, 1007):
            assert len([c for c in fake_api.calls if c["params"].get("chat_id") == chat]) == 1
            user = await get_user(db, chat)
            assert not user.reachable and not user.subscribed
        # The next broadcast does not even try them.
        _, recipients = await store.create_broadcast(db, "Lagi")
        assert recipients == 8


async def test_berhenti_during_a_broadcast_skips_the_person(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path, BOT_BROADCAST_RATE="5") as application:
        db = application.bot_data["services"].db
        ids = await people(db, range(1001, 1011))
        broadcast_id, _ = await store.create_broadcast(db, TEXT)
        await fake_api.wait_for(lambda c: c["chat_id"] == 1001 and c["text"] == ESCAPED)
        fake_api.user_message(1009, "/berhenti")
        await fake_api.wait_for(lambda c: c["chat_id"] == 1009 and "tidak akan menerima" in c["text"])
        report = await wait_status(db, broadcast_id, "done")
        assert report.counts == {"sent": 9, "opted_out": 1}
        assert sorted(c["chat_id"] for c in broadcast_sends(fake_api)) == [i for i in ids if i != 1009]


async def test_cancel_from_the_cli_stops_the_remaining_messages(fake_api, engine, tmp_path, bot_env):
    async with running_bot(fake_api, engine, tmp_path, BOT_BROADCAST_RATE="5") as application:
        db = application.bot_data["services"].db
        await people(db, range(1001, 1021))
        broadcast_id, _ = await store.create_broadcast(db, TEXT)
        await fake_api.wait_for(lambda c: c["chat_id"] == 1003 and c["text"] == ESCAPED)
        assert await cli("broadcast", "cancel", str(broadcast_id)) == 0
        report = await store.broadcast_report(db, broadcast_id)
        # the send in flight at the cancel (if any) ends and is recorded ...
        await until(lambda: no_row_in_flight(db, broadcast_id), what="the send in flight to finish")
        # ... and then nothing more goes out: one second is five send slots at this rate
        await asyncio.sleep(1.0)
        sent = len(broadcast_sends(fake_api))
        assert 3 <= sent < 20
        assert report.broadcast.status == "cancelled"
        final = await store.broadcast_report(db, broadcast_id)
        assert final.counts["sent"] == sent and final.counts["sent"] + final.counts["cancelled"] == 20


async def test_a_scheduled_broadcast_waits_for_its_time_even_across_a_restart(fake_api, engine, tmp_path, bot_env):
    async with running_bot(fake_api, engine, tmp_path) as application:
        await people(application.bot_data["services"].db, [1001, 1002])
    send_at = datetime.now(UTC) + timedelta(seconds=3)
    assert await cli("broadcast", "send", "--text", TEXT, "--at", send_at.isoformat(), "--yes") == 0
    async with running_bot(fake_api, engine, tmp_path):
        await asyncio.sleep(1)  # the bot runs (its sender looks at the queue at once) before the time
    assert datetime.now(UTC) < send_at
    assert broadcast_sends(fake_api) == []  # the bot ran (and stopped) before the time
    async with running_bot(fake_api, engine, tmp_path) as application:
        first = await fake_api.wait_for(lambda c: c["text"] == ESCAPED, timeout=6)
        assert datetime.now(UTC) >= send_at
        assert first["chat_id"] == 1001
        report = await wait_status(application.bot_data["services"].db, 1, "done")
        assert report.counts == {"sent": 2}


async def test_the_rate_limit_holds_in_every_one_second_window(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path, BOT_BROADCAST_RATE="20") as application:
        db = application.bot_data["services"].db
        await people(db, range(1001, 1071))
        broadcast_id, _ = await store.create_broadcast(db, TEXT)
        await wait_status(db, broadcast_id, "done")
        times = [c["time"] for c in broadcast_sends(fake_api)]
        assert len(times) == 70
        assert max_in_window(times) <= 20, fake_api.dump()
        assert times[-1] - times[0] < 70 / 20 + 1  # and it does not crawl


async def test_a_question_is_answered_promptly_while_a_broadcast_runs(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path, BOT_BROADCAST_RATE="5") as application:
        db = application.bot_data["services"].db
        await people(db, range(1001, 1021))
        broadcast_id, _ = await store.create_broadcast(db, TEXT)
        await fake_api.wait_for(lambda c: c["chat_id"] == 1002 and c["text"] == ESCAPED)
        asked = time.monotonic()
        fake_api.user_message(777, "brp peserta diklat fds di lembang")
        answer = await fake_api.wait_for(lambda c: c["chat_id"] == 777 and "120" in c["text"], timeout=5)
        assert answer["time"] - asked < 1.5
        assert (await store.get_broadcast(db, broadcast_id)).status == "sending"  # it was still running


@pytest.mark.parametrize("rate", ["abc", "0", "-5"])
def test_a_bad_broadcast_rate_is_one_line_and_exit_2(cli_db, capsys, monkeypatch, rate):
    monkeypatch.setenv("BOT_BROADCAST_RATE", rate)
    assert main(["broadcast", "list"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("bad setting: BOT_BROADCAST_RATE") and len(err.strip().splitlines()) == 1


async def test_stopping_between_the_parts_of_a_long_text_finishes_the_text(db):
    await people(db, [1, 2])
    broadcast_id, _ = await store.create_broadcast(db, ("Kabar program. " * 400).strip())
    bot = StubBot()
    sender = BroadcastSender(db, bot, compose=COMPOSE, rate=100, poll_interval=0.05, per_chat_interval=0.3)
    await sender.start()
    await until(lambda: bot.calls, what="the first send")
    await sender.stop()
    assert bot.calls[0][0] == bot.calls[1][0] == 1 and len(bot.calls) == 2  # both parts to 1, no more
    states = {d.telegram_id: d.state for d in await store.deliveries(db, broadcast_id)}
    assert states == {1: "sent", 2: "pending"}
