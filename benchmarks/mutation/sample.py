"""Print the deterministic sample of mutant names for benchmarks/mutation/run.sh.

Run from the directory where `mutmut run` generated `mutants/`. Per package (bot/matching,
bot/content, bot/broadcast, bot/storage), the mutant names are sorted and drawn in rounds: each
round is (seed, size) and draws `size` names with random.Random(seed).sample from the names earlier
rounds did not take. The recorded run used the default rounds: seed 13 × 50, then seed 14 × 25,
i.e. 75 mutants per package, 300 in all.
"""
from __future__ import annotations

import glob
import json
import random
import sys
from pathlib import Path


def sample(rounds: list[tuple[int, int]]) -> list[str]:
    names: list[str] = []
    for meta in sorted(glob.glob("mutants/bot/**/*.py.meta", recursive=True)):
        names += json.loads(Path(meta).read_text())["exit_code_by_key"]
    by_package: dict[str, list[str]] = {}
    for name in sorted(names):
        by_package.setdefault(name.split(".")[1], []).append(name)
    chosen: list[str] = []
    for seed, size in rounds:
        rng = random.Random(seed)
        for package in sorted(by_package):
            rest = [n for n in by_package[package] if n not in set(chosen)]
            chosen += rng.sample(rest, min(size, len(rest)))
    return chosen


if __name__ == "__main__":
    args = sys.argv[1:] or ["13:50", "14:25"]
    rounds = [(int(a.split(":")[0]), int(a.split(":")[1])) for a in args]
    print("\n".join(sample(rounds)))
