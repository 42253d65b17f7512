"""Matching benchmarks: latency, index build, start-up and memory (a script, not a test).

    .venv/bin/python benchmarks/bench_matching.py [--quick]

Prints a summary and writes benchmarks/results/matching.json: (a) Engine.ask latency per question
of tests/dev_questions.yaml on the shipped content; (b) the same on synthetic content of ~1k-100k
phrasings; (c) start-up time to a first answer; (d) peak RSS. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import rapidfuzz
import yaml

from bot.content import loader
from bot.content.knowledge import Entry, build_entries
from bot.content.problems import ContentError
from bot.engine import MAX_QUESTION_CHARS, Engine
from bot.matching.index import Index
from bot.matching.normalise import split_words

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"
DEV_QUESTIONS = REPO / "tests" / "dev_questions.yaml"
RESULTS = REPO / "benchmarks" / "results" / "matching.json"
SEED = 20240601  # synthetic content is deterministic
PHRASINGS_PER_ENTRY = 5  # synthetic entries: so 50k phrasings ~ 10k entries
SCALES = (1_000, 10_000, 50_000, 100_000)  # total phrasings (shipped + synthetic); --quick skips the last
RSS_SCALE = 50_000


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"cpu": cpu, "cores": os.cpu_count(), "usable_cores": len(os.sched_getaffinity(0)),
            "python": platform.python_version(), "rapidfuzz": rapidfuzz.__version__,
            "platform": platform.platform(), "loadavg_1m": os.getloadavg()[0],
            "PYTHONDONTWRITEBYTECODE": os.environ.get("PYTHONDONTWRITEBYTECODE"),
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "commit": git("rev-parse", "--short", "HEAD"), "uncommitted": git("status", "--porcelain").splitlines()}


def git(*args: str) -> str:  # the code measured: commit, and files changed since
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout.rstrip()


def dev_questions() -> list[str]:
    data = yaml.safe_load(DEV_QUESTIONS.read_text(encoding="utf-8"))
    return [item["q"] for part in ("in_scope", "out_of_scope") for item in data.get(part, [])]


def summary(samples_ns: list[int]) -> dict:
    ms = sorted(s / 1e6 for s in samples_ns)
    p99 = statistics.quantiles(ms, n=100, method="inclusive")[98] if len(ms) > 1 else ms[0]
    return {"n": len(ms), "p50_ms": round(statistics.median(ms), 3), "p99_ms": round(p99, 3),
            "max_ms": round(ms[-1], 3), "mean_ms": round(statistics.fmean(ms), 3)}


def ms(result: dict) -> str:
    return f"p50 {result['p50_ms']} / p99 {result['p99_ms']} / max {result['max_ms']} ms"


def clear_corrections(index: Index) -> None:
    """Empty the normaliser's lru_cache of typo corrections (a private detail: skipped if it changes):
    each question is timed as if never seen. (The features' cache holds the content's phrasings only.)"""
    getattr(getattr(index.normaliser, "_correct", None), "cache_clear", lambda: None)()


def latency(ask: Callable[[str], object], index: Index, questions: list[str], passes: int) -> dict:
    """One warm-up pass, then `passes` timed passes; the typo-correction cache is cleared before each
    question (outside the timing), so every question is timed as if never seen before."""
    list(map(ask, questions))  # warm-up
    samples: list[int] = []
    for _ in range(passes):
        for q in questions:
            clear_corrections(index)
            t = time.perf_counter_ns()
            ask(q)
            samples.append(time.perf_counter_ns() - t)
    return summary(samples)


def load_content():
    """The shipped engine if the content loads and checks cleanly; else the parsed content only."""
    try:
        engine = Engine.from_directory(CONTENT)
        return engine, engine.content, None
    except ContentError as exc:  # content still being written: synthetic parts can still run
        content, _ = loader.parse(loader.read_files(CONTENT))
        return None, content, f"{len(exc.problems)} problem(s), first: {exc.problems[0]}"


def synthetic_entries(base: tuple[Entry, ...], target_phrasings: int) -> list[Entry]:
    """The shipped entries plus made-up ones, until there are about `target_phrasings` phrasings
    (or, for a target below the shipped size, the first shipped entries that reach it).

    Each synthetic phrasing recombines words drawn from the shipped phrasings (with their shipped
    frequencies, and a shipped phrasing's length). Every phrasing of a synthetic entry has its two key
    words: a made-up "name" (halves of two shipped words, as "tanoto" or "lembang" are for real entries),
    so the vocabulary grows with the content as real entries would make it grow, and one shipped word.
    """
    rng = random.Random(SEED)
    sizes = [len(e.phrasings) for e in base]
    if target_phrasings < sum(sizes):  # smaller than shipped: its first entries
        return list(base[: next(n for n in range(len(base) + 1) if sum(sizes[:n]) >= target_phrasings)])
    shipped = [p for e in base for p in e.phrasings]
    pool = [w for p in shipped for w in split_words(p)]
    lengths = [len(split_words(p)) for p in shipped]
    entries, count = list(base), len(shipped)
    while count < target_phrasings:
        a, b = rng.choice(pool), rng.choice(pool)
        keys = [a[: max(2, len(a) // 2)] + b[len(b) // 2:], rng.choice(pool)]
        phrasings = []
        for _ in range(PHRASINGS_PER_ENTRY):
            words = keys + rng.choices(pool, k=max(rng.choice(lengths) - len(keys), 1))
            rng.shuffle(words)
            phrasings.append(" ".join(words))
        entries.append(Entry(id=f"sintetis-{len(entries)}", topic="sintetis", question=phrasings[0],
                             phrasings=tuple(phrasings), answer="(sintetis)", sources=()))
        count += len(phrasings)
    return entries


def synthetic_engine(content, target: int) -> tuple[Engine, float]:
    """An Engine built exactly as Engine(content) builds one, but on the synthetic entries (no disk I/O),
    and the seconds that took (almost all of it the Index)."""
    entries = tuple(synthetic_entries(build_entries(content), target))
    with mock.patch("bot.engine.build_entries", lambda _content: entries):
        t = time.perf_counter()
        engine = Engine(content)
        return engine, time.perf_counter() - t


def bench_synthetic(content, questions: list[str], target: int, passes: int) -> dict:
    engine, build_s = synthetic_engine(content, target)
    index = engine.index
    result = {"target_phrasings": target, "phrasings": len(index.texts), "entries": len(engine.entries),
              "vocabulary": len(index.weight), "index_build_s": round(build_s, 3),
              "longest_postings": max(len(p) for p in index.postings.values()),
              **latency(engine.ask, index, questions, passes)}
    # Where the time goes: normalising the whole message (+ typo correction, cache cleared) vs the
    # decision (every reading of it: normalise, search, features, model); means in ms.
    split = [0, 0]
    for q in questions:
        clear_corrections(index)
        t0 = time.perf_counter_ns()
        query = index.query(q[:MAX_QUESTION_CHARS])
        t1 = time.perf_counter_ns()
        engine.decision(q[:MAX_QUESTION_CHARS], query)  # every reading: search, features, decide
        split[0], split[1] = split[0] + t1 - t0, split[1] + time.perf_counter_ns() - t1
    result["mean_query_ms"], result["mean_search_decide_ms"] = (round(x / len(questions) / 1e6, 3) for x in split)
    return result


STARTUP_SNIPPET = """
import time; t0 = time.perf_counter()
import json; from pathlib import Path
from bot.engine import Engine, load_and_check
t1 = time.perf_counter(); content, problems = load_and_check(Path('content'))
t2 = time.perf_counter(); engine = Engine(content)
t3 = time.perf_counter(); engine.ask('apa itu pkh')
t4 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "load_check_s": t2 - t1, "index_s": t3 - t2, "first_ask_s": t4 - t3,
                  "in_process_s": t4 - t0}))
"""


def wall(cmd: list[str]) -> tuple[float, str]:
    t = time.perf_counter()
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=True)
    return time.perf_counter() - t, done.stdout


def bench_startup(repeats: int) -> dict:
    """Fresh processes: `python -c` (phases inside, wall outside) and the whole `stunting-bot ask`."""
    python_c = [sys.executable, "-c", STARTUP_SNIPPET]
    cli = [str(Path(sys.executable).parent / "stunting-bot"), "ask", "apa itu pkh"]
    runs = []
    for _ in range(repeats):
        seconds, out = wall(python_c)
        runs.append({**json.loads(out), "process_wall_s": seconds, "stunting_bot_ask_wall_s": wall(cli)[0]})
    return {key: {"median_s": round(statistics.median(r[key] for r in runs), 3),
                  "max_s": round(max(r[key] for r in runs), 3)} for key in runs[0]}


def rss_child(mode: str) -> None:
    """In a subprocess: do the work, print peak RSS in MiB as VmHWM (this process image's high-water
    mark) and ru_maxrss. Linux keeps ru_maxrss across fork+exec, so a child's is at least its parent's
    peak at fork time: main() runs these children first, while small, and VmHWM is the one to trust."""
    if mode == "shipped":
        engine = Engine.from_directory(CONTENT)
        for q in dev_questions():
            engine.ask(q)
    elif mode == "synthetic":
        synthetic_engine(load_content()[1], RSS_SCALE)
    status = Path("/proc/self/status").read_text()
    hwm_kib = int(status.split("VmHWM:")[1].split()[0])
    print(json.dumps({"vmhwm_mib": round(hwm_kib / 1024, 1),
                      "ru_maxrss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))


def bench_rss(shipped_ok: bool) -> dict:
    modes = ["imports", "synthetic"] + (["shipped"] if shipped_ok else [])  # imports: the baseline
    return {m: json.loads(wall([sys.executable, __file__, "--rss-child", m])[1]) for m in modes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 timed pass, 2 start-up runs, no 100k scale")
    parser.add_argument("--rss-child", choices=["imports", "shipped", "synthetic"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child:
        return rss_child(args.rss_child)
    passes, repeats = (1, 2) if args.quick else (5, 5)
    os.chdir(REPO)  # the start-up snippet and the CLI use ./content

    results: dict = {"machine": machine(), "passes": passes, "quick": args.quick}
    print("machine:", ", ".join(f"{k} {v}" for k, v in results["machine"].items() if k != "uncommitted"),
          f"(+{len(results['machine']['uncommitted'])} uncommitted files)")
    questions = dev_questions()
    engine, content, problem = load_content()
    rss = results["peak_rss"] = bench_rss(engine is not None)  # first: see rss_child
    print("peak RSS (VmHWM):", ", ".join(f"{mode} {r['vmhwm_mib']} MiB" for mode, r in rss.items()))
    if engine is not None:
        shipped = results["shipped"] = {
            "questions": len(questions), "entries": len(engine.entries), "phrasings": len(engine.index.texts),
            "vocabulary": len(engine.index.weight), **latency(engine.ask, engine.index, questions, passes),
            "phrasings_by_kind": {kind: sum(len(e.phrasings) for e in engine.entries if e.kind == kind)
                                  for kind in ("faq", "glossary")}}
        print(f"shipped: {shipped['entries']} entries, {shipped['phrasings']} phrasings, "
              f"{len(questions)} questions x {passes}: {ms(shipped)}")
    else:
        results["shipped"] = {"error": f"content does not load: {problem}"}
        print("shipped: SKIPPED,", results["shipped"]["error"])

    results["synthetic"] = []
    for target in SCALES[:-1] if args.quick else SCALES:
        r = bench_synthetic(content, questions, target, passes)
        results["synthetic"].append(r)
        print(f"synthetic: {r['phrasings']} phrasings, {r['entries']} entries, build {r['index_build_s']} s: "
              f"{ms(r)}; mean query {r['mean_query_ms']} + search/decide {r['mean_search_decide_ms']} ms")
    if engine is not None:
        startup = results["startup"] = {"repeats": repeats, **bench_startup(repeats)}
        print(f"start-up (s, median of {repeats}): "
              + ", ".join(f"{k} {v['median_s']}" for k, v in startup.items() if isinstance(v, dict)))

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written: {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
