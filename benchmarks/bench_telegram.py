"""Telegram end to end: the real bot against a bare python-telegram-bot echo bot (a script, not a test).

    .venv/bin/python benchmarks/bench_telegram.py [--quick]

Harness: tests/fake_bot_api.FakeBotApi (real aiohttp HTTP on 127.0.0.1) in a child process, so its CPU
is not charged to the bot; the bot in this process, started as run_polling would (initialize,
post_init, start_polling, start). (1) updates/s and reply latency for N private messages from 200
users injected at once: without a rate limiter, with the production PerChatRateLimiter, and (for
information) against an echo bot on the real bot's own HTTP client (aiohttp, bot.telegram.transport)
instead of PTB's default httpx; 3 alternating runs of each bot, medians. (2) 200 users asking at once
each get their own answer. (3) CPU per update by part (timers), and how long storage holds its lock.
Prints a summary and writes benchmarks/results/telegram.json. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
import types
from collections import defaultdict
from pathlib import Path
from unittest import mock

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # for tests.fake_bot_api and benchmarks.bench_matching

import aiohttp  # noqa: E402
import httpx  # noqa: E402
import telegram  # noqa: E402
import yaml  # noqa: E402
from telegram.ext import ApplicationBuilder, MessageHandler, filters  # noqa: E402

from benchmarks.bench_matching import machine  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.storage import questions, users  # noqa: E402
from bot.telegram.app import CONCURRENT_UPDATES, build_application, polling  # noqa: E402
from bot.telegram.rate_limit import PerChatRateLimiter  # noqa: E402
from bot.telegram.render import answer_html, esc  # noqa: E402
from bot.telegram.transport import AiohttpRequest  # noqa: E402
from tests.fake_bot_api import TOKEN, FakeBotApi  # noqa: E402

RESULTS = REPO / "benchmarks" / "results" / "telegram.json"
DEV = yaml.safe_load((REPO / "tests" / "dev_questions.yaml").read_text(encoding="utf-8"))
QUESTIONS = [item["q"] for item in DEV["in_scope"] + DEV["out_of_scope"]]
USERS, RUNS = 200, 3


def workload(n: int) -> list[tuple[int, str]]:  # user i % 200 asks dev question i % 348
    return [(100_000 + i % USERS, QUESTIONS[i % len(QUESTIONS)]) for i in range(n)]


# --- the fake Bot API, in a child process --------------------------------------------------------
def fake_process(conn) -> None:
    asyncio.run(fake_main(conn))


async def fake_main(conn) -> None:
    """Serve; on ("run", messages, timeout) inject every message at once, then wait for as many replies."""
    loop = asyncio.get_running_loop()
    async with FakeBotApi() as api:
        conn.send(api.url)
        while (command := await loop.run_in_executor(None, conn.recv))[0] == "run":
            _, messages, timeout = command
            first, cpu, injected = len(api.sent), time.process_time(), []
            for chat_id, text in messages:  # as fast as possible: all are pending before the next poll
                injected.append(time.monotonic())
                api.user_message(chat_id, text)
            seen, replies, deadline = first, 0, time.monotonic() + timeout
            while replies < len(messages) and time.monotonic() < deadline:
                await api._wait("sent", 0.2)  # each record's own timestamp is used, not this wake-up
                replies, seen = replies + sum(r["method"] == "sendMessage" for r in api.sent[seen:]), len(api.sent)
            await asyncio.sleep(0.3)  # let extra replies (there should be none) arrive
            conn.send({"injected": injected, "cpu_s": time.process_time() - cpu,
                       "failed_calls": sum(c["status"] != 200 for c in api.calls),
                       "replies": [(r["chat_id"], r["text"], r["time"]) for r in api.sent[first:] if r["method"] == "sendMessage"]})


@contextlib.asynccontextmanager
async def fake_server(target=None):
    """Yields (url, call): await call(*command) -> the child's answer. A fresh fake each time, served by
    ``target(conn)`` (default: fake_process) in a spawned child process."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=target or fake_process, args=(child,), daemon=True)
    process.start()
    child.close()  # so that recv() fails instead of hanging if the child dies
    loop = asyncio.get_running_loop()
    lock = asyncio.Lock()

    async def call(*command):
        async with lock:
            parent.send(command)
            return await loop.run_in_executor(None, parent.recv)

    try:
        yield await loop.run_in_executor(None, parent.recv), call
    finally:
        parent.send(("quit",))
        await loop.run_in_executor(None, process.join, 10)


# --- the two bots --------------------------------------------------------------------------------
def real_bot(url: str, limiter: bool, db: Path, engine: Engine, concurrency: bool | int = CONCURRENT_UPDATES):
    """build_application itself; without the limiter its PerChatRateLimiter(...) becomes None, and a
    what-if concurrency replaces the argument of its .concurrent_updates(CONCURRENT_UPDATES)."""
    settings = Settings(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=url, BOT_DB_PATH=db)
    with contextlib.ExitStack() as patches:
        if not limiter:
            patches.enter_context(mock.patch("bot.telegram.app.PerChatRateLimiter", lambda **_: None))
        if concurrency != CONCURRENT_UPDATES:
            original = ApplicationBuilder.concurrent_updates
            patches.enter_context(mock.patch.object(ApplicationBuilder, "concurrent_updates",
                                                    lambda self, _: original(self, concurrency)))
        return build_application(settings, engine)


def echo_bot(url: str, limiter: bool, concurrency: bool | int = CONCURRENT_UPDATES, transport: bool = False):
    """The builder settings of build_application (concurrent_updates, limiter, URLs); one handler.
    ``transport``: also the real bot's HTTP client (AiohttpRequest) instead of PTB's default."""
    builder = ApplicationBuilder().token(TOKEN).concurrent_updates(concurrency)
    if transport:
        builder = builder.request(AiohttpRequest(connection_pool_size=CONCURRENT_UPDATES + 4))
    builder = builder.base_url(f"{url}/bot").base_file_url(f"{url}/file/bot")
    if limiter:
        builder = builder.rate_limiter(PerChatRateLimiter(max_retries=3))  # the real bot's limiter
    application = builder.build()

    async def echo(update, context) -> None:
        await update.effective_message.reply_text(update.effective_message.text)

    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, echo))
    return application




async def measure(kind: str, limiter: bool, messages: list, engine: Engine, concurrency: bool | int = CONCURRENT_UPDATES) -> dict:
    """One run, on a fresh fake and (real bot) a fresh database file. Wall time runs from the first
    injection to the N-th recorded reply; a chat's k-th message is paired with its k-th reply."""
    with tempfile.TemporaryDirectory() as tmp:
        async with fake_server() as (url, call):
            app = (real_bot(url, limiter, Path(tmp) / "bot.sqlite3", engine, concurrency) if kind == "real"
                   else echo_bot(url, limiter, concurrency, transport=kind == "echo_aiohttp"))
            async with polling(app):
                cpu, main_cpu = time.process_time(), time.thread_time()
                result = await call("run", messages, 60 + len(messages) / (10 if limiter else 50))
                cpu, main_cpu = time.process_time() - cpu, time.thread_time() - main_cpu
    n, injected, replies = len(messages), result["injected"], result["replies"]
    sent, received = defaultdict(list), defaultdict(list)
    for (chat, _), t in zip(messages, injected):
        sent[chat].append(t)
    for chat, _, t in replies:
        received[chat].append(t)
    latency = [1000 * (r - s) for chat in sent for s, r in zip(sent[chat], sorted(received[chat]))]
    times = sorted(t for _, _, t in replies)
    wall = times[n - 1] - injected[0] if len(times) >= n else float("nan")
    return {"replies": len(replies), "failed_calls": result["failed_calls"], "wall_s": round(wall, 3),
            "updates_per_s": round(n / wall, 1), "p50_ms": round(statistics.median(latency), 1),
            "p99_ms": round(statistics.quantiles(latency, n=100)[98], 1), "max_ms": round(max(latency), 1),
            "bot_cpu_ms_per_update": round(1000 * cpu / n, 2), "bot_main_thread_cpu_ms_per_update": round(1000 * main_cpu / n, 2),
            "fake_cpu_s": round(result["cpu_s"], 2), "_replies": replies}


# --- the three parts -----------------------------------------------------------------------------
async def throughput(engine: Engine, n: int, limiter: bool, concurrency: bool | int = CONCURRENT_UPDATES,
                     echo: str = "echo") -> dict:
    """RUNS runs of each bot, alternating (real, echo, echo, real, ...); medians and real/echo.
    ``echo``: "echo" (bare PTB) or "echo_aiohttp" (the echo on the real bot's HTTP client)."""
    error_text = esc(engine.messages.get("tg_error"))
    runs: dict[str, list] = {"real": [], "echo": []}
    for rep in range(RUNS):
        for kind in ("real", "echo") if rep % 2 == 0 else ("echo", "real"):
            run = await measure(echo if kind == "echo" else kind, limiter, workload(n), engine, concurrency)
            run["error_replies"] = sum(text == error_text for _, text, _ in run.pop("_replies"))
            runs[kind].append(run)
            print(f"  {'limiter' if limiter else 'no limiter'}, concurrent_updates={concurrency}, {kind}: "
                  f"{run['updates_per_s']:.0f} updates/s, p50 {run['p50_ms']:.0f} ms, p99 {run['p99_ms']:.0f} ms, "
                  f"{run['bot_cpu_ms_per_update']:.1f} ms CPU/update, {run['replies']}/{n} replies", flush=True)
    median = {kind: {key: statistics.median(r[key] for r in rs) for key in rs[0]} for kind, rs in runs.items()}
    return {"n": n, "users": USERS, "limiter": limiter, "concurrent_updates": concurrency, "median": median,
            "real_over_echo": round(median["real"]["updates_per_s"] / median["echo"]["updates_per_s"], 3), "runs": runs}


async def correctness(engine: Engine, limiter: bool) -> dict:
    """200 users, one distinct answered dev question each, all at once: each must get exactly its own answer."""
    answered = [(q, r.entry) for q in (i["q"] for i in DEV["in_scope"]) if (r := engine.ask(q)).status == "answer"]
    cases = {200_000 + k: (q, answer_html(entry, engine.messages)) for k, (q, entry) in enumerate(answered[:200])}
    run = await measure("real", limiter, [(chat, q) for chat, (q, _) in cases.items()], engine)
    got = defaultdict(list)
    for chat, text, _ in run.pop("_replies"):
        got[chat].append(text)
    wrong = [chat for chat, (_, expected) in cases.items() if got[chat] != expected]
    return {"users": len(cases), "distinct_entries": len({entry.id for _, entry in answered[:200]}),
            "mismatches": len(wrong), "examples": [{"chat": c, "question": cases[c][0], "got": got[c]} for c in wrong[:3]],
            "wall_s": run["wall_s"], "p99_ms": run["p99_ms"]}


CPU: dict[str, float] = defaultdict(float)  # main-thread CPU seconds by part, filled by cpu_timed
HOLDS: list[float] = []  # how long each storage transaction held bot.storage's one asyncio.Lock (s)


class TimedLock(asyncio.Lock):
    async def acquire(self) -> bool:
        result = await super().acquire()
        self.since = time.perf_counter()
        return result

    def release(self) -> None:
        HOLDS.append(time.perf_counter() - self.since)
        super().release()


def cpu_timed(function, part: str):
    """function (a coroutine function, or Engine.ask) with its main-thread CPU added to CPU[part];
    for a coroutine, the CPU of each of its steps, not of its waits."""
    @types.coroutine
    def steps(coro):
        value, error = None, None
        while True:
            start = time.thread_time()
            try:
                awaited = coro.throw(error) if error is not None else coro.send(value)
            except StopIteration as stop:
                return stop.value
            finally:
                CPU[part] += time.thread_time() - start
            try:
                value, error = (yield awaited), None
            except BaseException as exc:  # a cancellation, say: pass it on into the coroutine
                value, error = None, exc

    def timed(*args, **kwargs):
        start = time.thread_time()
        result = function(*args, **kwargs)
        CPU[part] += time.thread_time() - start
        return steps(result) if asyncio.iscoroutine(result) else result
    return timed


async def profile(engine: Engine, n: int, kind: str, concurrency: bool | int) -> dict:
    """One run without the limiter, with CPU timers (time.thread_time) around the parts of an update."""
    storage, reply = "storage (register_user, log_question)", "sending the reply (PTB reply_html/reply_text + httpx)"
    timers = [(Engine, "ask", "engine.ask"), (users, "register_user", storage), (questions, "log_question", storage),
              (telegram.Message, "reply_html", reply), (telegram.Message, "reply_text", reply)]
    CPU.clear(), HOLDS.clear()
    with contextlib.ExitStack() as patches:
        patches.enter_context(mock.patch("bot.storage.database.asyncio", types.SimpleNamespace(Lock=TimedLock)))
        for owner, name, part in timers:
            patches.enter_context(mock.patch.object(owner, name, cpu_timed(getattr(owner, name), part)))
        run = await measure(kind, False, workload(n), engine, concurrency)
    parts = {part: round(1000 * seconds / n, 2) for part, seconds in CPU.items()}
    main, total = run["bot_main_thread_cpu_ms_per_update"], run["bot_cpu_ms_per_update"]
    parts["rest of the main thread (polling, parsing, dispatch, rendering, asyncio)"] = round(main - sum(parts.values()), 2)
    parts["other threads (the aiosqlite worker)"] = round(total - main, 2)
    lock = {"transactions": len(HOLDS), "held_s": round(sum(HOLDS), 2), "run_wall_s": run["wall_s"],
            "mean_hold_ms": round(1000 * statistics.mean(HOLDS), 2)} if HOLDS else None
    return {"bot": kind, "concurrent_updates": concurrency, "n": n, "updates_per_s": run["updates_per_s"],
            "cpu_ms_per_update": parts | {"total": total}, "storage_lock": lock}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N=400 (90 with the limiter) instead of 2000 (300)")
    quick = parser.parse_args().quick
    n_fast, n_limited = (400, 90) if quick else (2000, 300)
    facts = machine() | {"python-telegram-bot": telegram.__version__, "httpx": httpx.__version__, "aiohttp": aiohttp.__version__}
    engine = Engine.from_directory(REPO / "content")
    print(f"{facts['cpu']}, {facts['cores']} cores, load {facts['loadavg_1m']:.2f}; PTB {telegram.__version__}", flush=True)
    modes = {"no_limiter": await throughput(engine, n_fast, False),
             "production_limiter": await throughput(engine, n_limited, True),
             # for information: the echo bot on the real bot's own HTTP client (bot.telegram.transport)
             "no_limiter_echo_on_aiohttp": await throughput(engine, n_fast, False, echo="echo_aiohttp")}
    results = {"machine": facts, "quick": quick, **modes,
               "correctness": {"no_limiter": await correctness(engine, False), "production_limiter": await correctness(engine, True)},
               "cpu_profile_no_limiter": [await profile(engine, n_fast, kind, c) for kind, c in (("real", CONCURRENT_UPDATES), ("echo", CONCURRENT_UPDATES))]}
    results["leftover_tasks"] = len(asyncio.all_tasks()) - 1  # should be 0: every bot and fake stopped
    print(f"\n{'mode':<32} bot    updates/s  p50 ms  p99 ms  CPU ms/update")
    for mode in modes:
        for kind, m in results[mode]["median"].items():
            print(f"{mode:<32} {kind:<5} {m['updates_per_s']:>10.0f} {m['p50_ms']:>7.0f} {m['p99_ms']:>7.0f} {m['bot_cpu_ms_per_update']:>14.2f}")
        print(f"{'':<32} real/echo = {results[mode]['real_over_echo']:.2f}")
    for mode, c in results["correctness"].items():
        print(f"correctness, {mode}: {c['users']} users ({c['distinct_entries']} entries), {c['mismatches']} mismatches")
    for prof in results["cpu_profile_no_limiter"]:
        print(f"{prof['bot']} bot, concurrent_updates={prof['concurrent_updates']}, {prof['updates_per_s']:.0f} updates/s; CPU ms per update:")
        for name, ms in prof["cpu_ms_per_update"].items():
            print(f"  {ms:6.2f}  {name}")
        if lock := prof["storage_lock"]:
            print(f"  storage lock held {lock['held_s']} s of the {lock['run_wall_s']} s run, "
                  f"{lock['transactions']} transactions, mean hold {lock['mean_hold_ms']} ms")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(REPO)}; leftover tasks: {results['leftover_tasks']}")


if __name__ == "__main__":
    asyncio.run(main())
