"""Broadcasts end to end: sender capacity, time to 40,000 recipients, answers during a broadcast (a script, not a test).

    .venv/bin/python benchmarks/bench_broadcast.py [--quick]

Harness as in bench_telegram.py: tests/fake_bot_api.FakeBotApi (real aiohttp HTTP on 127.0.0.1) in a
child process, so its CPU is not charged to the bot; the real Application (build_application, with its
BroadcastSender and ProgressReporter) in this process, started as run_polling would. A fresh fake and
a fresh database file for every part.

(a) Capacity: BOT_BROADCAST_RATE lifted to 1,000,000/s; one broadcast to 5,000 recipients (each a
    different chat, so the 1/s per-chat floor never applies); messages/s from the first to the last
    send the fake recorded. Then one more run (2,000) with wall-clock timers around each step of the
    sender (next_due, claim_next, send_message, mark_sent) and one (2,000) under cProfile.
(b) The default rate (25/s): one broadcast to 2,500 recipients; the measured rate, extrapolated to
    40,000 (an extrapolation, not a run), beside the bound 40,000 / rate.
(c) During (b): 20 people ask dev questions at 2 questions/s (open loop); latency = the fake's time of
    the bot's first sendMessage to that chat minus the injection time. Idle: the same, for 30 s
    before the broadcast starts. The issue asks p95 during a broadcast to stay within 2x idle.

Prints a summary and writes benchmarks/results/broadcast.json. See docs/benchmarks.md ("Broadcasts").
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import json
import pstats
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from unittest import mock

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # for tests.fake_bot_api and benchmarks.bench_matching

import telegram  # noqa: E402
import yaml  # noqa: E402

from benchmarks import bench_telegram  # noqa: E402
from benchmarks.bench_matching import machine  # noqa: E402
from bot.broadcast.pacing import DEFAULT_RATE  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.storage import Database  # noqa: E402
from bot.storage import broadcasts as store  # noqa: E402
from bot.storage.database import utc_now  # noqa: E402
from bot.telegram.app import build_application, polling  # noqa: E402
from tests.fake_bot_api import TOKEN, FakeBotApi  # noqa: E402

RESULTS = REPO / "benchmarks" / "results" / "broadcast.json"
DEV = yaml.safe_load((REPO / "tests" / "dev_questions.yaml").read_text(encoding="utf-8"))
QUESTIONS = [item["q"] for item in DEV["in_scope"]]
TEXT = "Rapat koordinasi pendamping PKH dan TPK hari Senin pukul 08.00 WIB di aula kecamatan. Mohon hadir tepat waktu."
LIFTED_RATE = 1_000_000.0
ASKERS = [900_000 + i for i in range(20)]  # not recipients: their chats only ever get answers
RECIPIENT_BASE = 100_000


# --- the fake Bot API, in a child process --------------------------------------------------------
def fake_process(conn) -> None:
    asyncio.run(fake_main(conn))


async def fake_main(conn) -> None:
    """Serve; answer commands from the parent:
    ("ask", [(chat, text)], interval, timeout): inject one message every `interval` s (open loop) and
        wait for the first sendMessage to each chat after its injection -> [(chat, injected, replied)];
    ("sends", text): the recorded times of every sendMessage with this text;
    ("quit",)."""
    loop = asyncio.get_running_loop()
    async with FakeBotApi() as api:
        conn.send(api.url)
        while (command := await loop.run_in_executor(None, conn.recv))[0] != "quit":
            if command[0] == "sends":
                conn.send([r["time"] for r in api.sent if r["method"] == "sendMessage" and r["text"] == command[1]])
                continue
            _, messages, interval, timeout = command
            asked: list[tuple[int, float, int]] = []  # chat, injection time, index in api.sent then
            start = time.monotonic()
            for k, (chat, text) in enumerate(messages):
                await asyncio.sleep(max(0.0, start + k * interval - time.monotonic()))
                asked.append((chat, time.monotonic(), len(api.sent)))
                api.user_message(chat, text)
            deadline = time.monotonic() + timeout
            results: list[tuple[int, float, float | None]] = []
            for chat, injected, index in asked:
                while True:
                    reply = next((r for r in api.sent[index:] if r["chat_id"] == chat and r["method"] == "sendMessage"), None)
                    if reply is not None or time.monotonic() > deadline:
                        break
                    await api._wait("sent", 0.2)
                results.append((chat, injected, reply["time"] if reply else None))
            conn.send(results)


def fake_server():
    """Yields (url, call): await call(*command) -> the child's answer. A fresh fake each time."""
    return bench_telegram.fake_server(fake_process)


# --- helpers -------------------------------------------------------------------------------------
async def add_people(path: Path, recipients: int) -> None:
    """Recipients (subscribed, reachable) and the askers (unsubscribed), written directly in one transaction."""
    async with await Database.open(path) as db, db.transaction() as conn:
        now = utc_now()
        rows = [(RECIPIENT_BASE + i, f"Kader {i}", "tpk", "Garut", 1) for i in range(recipients)]
        rows += [(chat, f"Penanya {chat}", None, None, 0) for chat in ASKERS]  # not subscribed: no broadcasts
        await conn.executemany(
            "INSERT INTO users (telegram_id, first_name, username, language_code, role, kabupaten, subscribed,"
            " created_at, updated_at, last_seen_at) VALUES (?, ?, NULL, 'id', ?, ?, ?, ?, ?, ?)",
            [(*row, now, now, now) for row in rows],
        )


def settings(url: str, db: Path, rate: float | None = None) -> Settings:
    extra = {"BOT_BROADCAST_RATE": rate} if rate is not None else {}
    return Settings(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=url, BOT_DB_PATH=db, **extra)


async def run_broadcast(application, call, recipients: int) -> dict:
    """Queue one broadcast in the bot's own database and wait until the sender has finished it."""
    db = application.bot_data["services"].db
    created = time.monotonic()
    broadcast_id, count = await store.create_broadcast(db, TEXT)
    assert count == recipients, (count, recipients)
    application.bot_data["broadcast_sender"].wake()
    while (await store.get_broadcast(db, broadcast_id)).status != "done":
        await asyncio.sleep(0.2)
    done = time.monotonic()
    report = await store.broadcast_report(db, broadcast_id)
    sends = sorted(await call("sends", TEXT))
    span = sends[-1] - sends[0]
    windows = defaultdict(int)
    for t in sends:
        windows[int(t - sends[0])] += 1
    return {"recipients": recipients, "sent": report.counts.get("sent", 0), "fake_sends": len(sends),
            "first_to_last_send_s": round(span, 3), "messages_per_s": round((len(sends) - 1) / span, 1),
            "queued_to_done_s": round(done - created, 3), "queued_to_first_send_s": round(sends[0] - created, 3),
            "max_sends_in_one_wall_second": max(windows.values()), "_sends": (sends[0], sends[-1])}


def percentiles(samples: list[float]) -> dict:
    ms = sorted(1000 * s for s in samples)
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return {"n": len(ms), "p50_ms": round(statistics.median(ms), 1), "p95_ms": round(q[94], 1),
            "p99_ms": round(q[98], 1), "max_ms": round(ms[-1], 1), "mean_ms": round(statistics.fmean(ms), 1)}


def questions(n: int, offset: int = 0) -> list[tuple[int, str]]:
    return [(ASKERS[(offset + k) % len(ASKERS)], QUESTIONS[(offset + k) % len(QUESTIONS)]) for k in range(n)]


async def ask(call, n: int, interval: float, offset: int = 0) -> tuple[list[tuple[float, float]], int]:
    """(injection time, latency) of each answered question, and how many got no answer."""
    results = await call("ask", questions(n, offset), interval, 30.0)
    answered = [(injected, replied - injected) for _, injected, replied in results if replied is not None]
    return answered, sum(replied is None for _, _, replied in results)


# --- (a) capacity --------------------------------------------------------------------------------
STEP_TIMES: dict[str, list[float]] = defaultdict(list)


def wall_timed(function, name: str):
    async def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return await function(*args, **kwargs)
        finally:
            STEP_TIMES[name].append(time.perf_counter() - start)
    return timed


async def capacity(engine: Engine, recipients: int, mode: str = "plain") -> dict:
    """mode: plain | steps (wall timers per sender step) | profile (cProfile of this thread)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bot.sqlite3"
        await add_people(path, recipients)
        async with fake_server() as (url, call):
            with contextlib.ExitStack() as patches:
                if mode == "steps":
                    STEP_TIMES.clear()
                    for name in ("next_due", "claim_next", "mark_sent", "finish_if_complete"):
                        patches.enter_context(mock.patch.object(store, name, wall_timed(getattr(store, name), name)))
                    patches.enter_context(mock.patch.object(telegram.Bot, "send_message",
                                                            wall_timed(telegram.Bot.send_message, "send_message (HTTP round trip)")))
                application = build_application(settings(url, path, LIFTED_RATE), engine)
                async with polling(application):
                    profiler = cProfile.Profile() if mode == "profile" else None
                    cpu, main_cpu = time.process_time(), time.thread_time()
                    if profiler:
                        profiler.enable()
                    result = await run_broadcast(application, call, recipients)
                    result.pop("_sends")
                    if profiler:
                        profiler.disable()
                    result["bot_cpu_ms_per_message"] = round(1000 * (time.process_time() - cpu) / recipients, 2)
                    result["bot_main_thread_cpu_ms_per_message"] = round(1000 * (time.thread_time() - main_cpu) / recipients, 2)
    if mode == "steps":
        result["wall_ms_per_message_by_step"] = {
            name: round(1000 * sum(times) / recipients, 3) for name, times in STEP_TIMES.items()
        }
        result["wall_ms_per_message_by_step"]["sum"] = round(sum(result["wall_ms_per_message_by_step"].values()), 3)
        result["wall_ms_per_message_total"] = round(1000 * result["first_to_last_send_s"] / recipients, 3)
    if mode == "profile":
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(15)
        result["cprofile_top_tottime"] = [line for line in out.getvalue().splitlines() if line.strip()][-16:]
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(r"bot/|telegram/_bot|httpx/_client|aiosqlite", 25)
        result["cprofile_top_cumulative"] = [line for line in out.getvalue().splitlines() if line.strip()][-26:]
    return result


# --- (b) + (c) the default rate, and answers during it --------------------------------------------
async def default_rate(engine: Engine, recipients: int, idle_questions: int, interval: float) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bot.sqlite3"
        await add_people(path, recipients)
        async with fake_server() as (url, call):
            application = build_application(settings(url, path), engine)
            async with polling(application):
                await ask(call, len(ASKERS), 0.05)  # warm-up: every asker registered once
                idle, idle_lost = await ask(call, idle_questions, interval, offset=7)
                broadcast = asyncio.create_task(run_broadcast(application, call, recipients))
                during: list[tuple[float, float]] = []
                lost, offset = 0, 1000
                while not broadcast.done():  # batches of 10 s, until the broadcast is over
                    batch, missing = await ask(call, int(10 / interval), interval, offset)
                    during, lost, offset = during + batch, lost + missing, offset + 97
                result = await broadcast
    rate = float(Settings.model_fields["broadcast_rate"].default)
    assert rate == DEFAULT_RATE
    per_s = result["messages_per_s"]
    first, last = result.pop("_sends")
    inside = [latency for injected, latency in during if first <= injected <= last]  # asked while it ran
    idle_p, during_p = percentiles([latency for _, latency in idle]), percentiles(inside)
    return {
        "rate_setting": rate, "broadcast": result,
        "time_to_40000": {
            "lower_bound_s": round(40_000 / rate, 1), "lower_bound_min": round(40_000 / rate / 60, 1),
            "extrapolated_s": round(40_000 / per_s, 1), "extrapolated_min": round(40_000 / per_s / 60, 1),
            "note": f"extrapolated from a real run of {recipients} recipients at {per_s} messages/s; not a 40,000 run",
        },
        "answer_latency": {"interval_s": interval, "askers": len(ASKERS), "idle": idle_p, "during_broadcast": during_p,
                           "asked_after_the_broadcast_ended_not_counted": len(during) - len(inside),
                           "unanswered": {"idle": idle_lost, "during_broadcast": lost},
                           "p50_ratio": round(during_p["p50_ms"] / idle_p["p50_ms"], 2),
                           "p95_ratio": round(during_p["p95_ms"] / idle_p["p95_ms"], 2)},
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 / 400 / 500 recipients instead of 5,000 / 2,000 / 2,500")
    quick = parser.parse_args().quick
    n_capacity, n_detail, n_default = (1000, 400, 500) if quick else (5000, 2000, 2500)
    engine = Engine.from_directory(REPO / "content")
    facts = machine() | {"python-telegram-bot": telegram.__version__}
    print(f"{facts['cpu']}, {facts['cores']} cores, load {facts['loadavg_1m']:.2f}", flush=True)
    started = time.monotonic()
    results: dict = {"machine": facts, "quick": quick}
    results["capacity"] = await capacity(engine, n_capacity)
    print(f"(a) capacity, {n_capacity}: {results['capacity']['messages_per_s']} messages/s", flush=True)
    results["capacity_steps"] = await capacity(engine, n_detail, "steps")
    print(f"    steps, {n_detail}: {results['capacity_steps']['messages_per_s']} messages/s; ms per message: "
          f"{results['capacity_steps']['wall_ms_per_message_by_step']}", flush=True)
    results["capacity_profile"] = await capacity(engine, n_detail, "profile")
    print(f"    cProfile, {n_detail}: {results['capacity_profile']['messages_per_s']} messages/s (profiled)", flush=True)
    print("\n".join("      " + line for line in results["capacity_profile"]["cprofile_top_tottime"]), flush=True)
    results["default_rate"] = await default_rate(engine, n_default, 30 if quick else 60, 0.5)
    d = results["default_rate"]
    print(f"(b) default rate {d['rate_setting']}/s, {n_default}: {d['broadcast']['messages_per_s']} messages/s; "
          f"40,000 in ≥ {d['time_to_40000']['lower_bound_min']} min (bound), "
          f"~{d['time_to_40000']['extrapolated_min']} min (extrapolated)", flush=True)
    a = d["answer_latency"]
    print(f"(c) answers: idle p50 {a['idle']['p50_ms']} / p95 {a['idle']['p95_ms']} ms; during p50 "
          f"{a['during_broadcast']['p50_ms']} / p95 {a['during_broadcast']['p95_ms']} ms; p95 ratio {a['p95_ratio']}", flush=True)
    results["wall_s"] = round(time.monotonic() - started, 1)
    results["leftover_tasks"] = len(asyncio.all_tasks()) - 1
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(REPO)} in {results['wall_s']} s; leftover tasks: {results['leftover_tasks']}")


if __name__ == "__main__":
    asyncio.run(main())
