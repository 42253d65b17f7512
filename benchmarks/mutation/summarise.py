"""Per-package counts and the list of non-killed mutants for benchmarks/mutation/run.sh.

    summarise.py SAMPLE              statuses from ./mutants (one pass)
    summarise.py SAMPLE NARROW_DIR   combined: a mutant the narrow pass (NARROW_DIR/mutants) did not
                                     kill takes its status from the wide pass (./mutants) if re-run

Score = killed / (killed + survived + no tests); timeouts count as killed (mutmut's convention:
the mutant made the tests hang), shown apart.
"""
from __future__ import annotations

import collections
import glob
import json
import sys
from pathlib import Path

from mutmut.stats import status_by_exit_code


def statuses(root: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for meta in glob.glob(str(root / "mutants/bot/**/*.py.meta"), recursive=True):
        for name, code in json.loads(Path(meta).read_text())["exit_code_by_key"].items():
            found[name] = status_by_exit_code[code]
    return found


def main() -> None:
    names = [line.strip() for line in Path(sys.argv[1]).read_text().splitlines() if line.strip()]
    here = statuses(Path("."))
    if len(sys.argv) > 2:
        narrow = statuses(Path(sys.argv[2]))
        final = {}
        for name in names:
            first = narrow[name]
            again = here.get(name, "not checked")
            final[name] = first if first in ("killed", "timeout") or again == "not checked" else again
    else:
        final = {name: here[name] for name in names}
    table: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for name in names:
        table[name.split(".")[1]][final[name]] += 1
    table["all"] = sum(table.values(), collections.Counter())
    print("package\tmutants\tkilled\ttimeout\tsurvived\tno tests\tother\tscore")
    for package, c in table.items():
        other = sum(c.values()) - c["killed"] - c["timeout"] - c["survived"] - c["no tests"]
        scored = c["killed"] + c["timeout"] + c["survived"] + c["no tests"]
        score = (c["killed"] + c["timeout"]) / scored if scored else 0.0
        print(f"{package}\t{sum(c.values())}\t{c['killed']}\t{c['timeout']}\t{c['survived']}\t{c['no tests']}\t{other}\t{score:.1%}")
    print()
    for name in names:
        if final[name] not in ("killed", "timeout"):
            print(f"{final[name]}\t{name}")


if __name__ == "__main__":
    main()
