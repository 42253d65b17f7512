#!/usr/bin/env bash
# Mutation-testing run over bot/matching, bot/content, bot/broadcast and bot/storage (#13 §2).
# Not part of CI. The recorded run and how to read it: docs/benchmarks.md, "Mutation testing".
#
#   benchmarks/mutation/run.sh              # the recorded run: a deterministic sample (sample.py)
#   benchmarks/mutation/run.sh --all        # every mutant (~8,100; about a day with one worker)
#   ROUNDS="13:50 14:25" WORK=/tmp/m benchmarks/mutation/run.sh
#
# It never touches the repository's pyproject.toml or tree: it copies HEAD (git archive) to $WORK
# (a new temporary directory by default), makes a venv there, appends mutation.toml's [tool.mutmut]
# table to the copy's pyproject.toml and runs mutmut 3.8.1 with one worker (--max-children 1).
#
# Two passes:
#  1. narrow: mutation.toml's 13 fast test files (no network, no child processes) against the sample;
#  2. wide: every mutant that survived pass 1 (or had no test) again, in a second copy whose test
#     selection is wide_tests.txt (36 files: all but the quality floors, the process/e2e/webhook
#     tests, fuzzing and calibration). A mutant counts as survived only if it survives both.
# mutmut runs, per mutant, only the tests that reached the mutated function (fastest first, -x).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(git -C "$here" rev-parse --show-toplevel)"
work="${WORK:-$(mktemp -d /tmp/mutation.XXXXXX)}"
rounds="${ROUNDS:-13:50 14:25}"
mkdir -p "$work/narrow" "$work/wide"
for copy in narrow wide; do git -C "$repo" archive HEAD | tar -x -C "$work/$copy"; done
python3 -m venv "$work/.venv"
"$work/.venv/bin/pip" install -q -e "$work/narrow[test]" 'mutmut==3.8.1'
mutmut="$work/.venv/bin/mutmut"

cat "$here/mutation.toml" >> "$work/narrow/pyproject.toml"
selection="$(sed 's/.*/"&"/' "$here/wide_tests.txt" | paste -sd, -)"
sed "s|^pytest_add_cli_args_test_selection = .*|pytest_add_cli_args_test_selection = [$selection]|" \
    "$here/mutation.toml" >> "$work/wide/pyproject.toml"

cd "$work/narrow"
if [[ "${1:-}" == "--all" ]]; then
    "$mutmut" run --max-children 1 || true
    "$work/.venv/bin/python" -c "import glob,json;[print(n) for f in sorted(glob.glob('mutants/bot/**/*.py.meta',recursive=True)) for n in json.load(open(f))['exit_code_by_key']]" > sample.txt
else
    # mutmut has no "generate only" command: a filter matching nothing generates the mutants and
    # records which tests reach each function (the stats), then stops with an assertion.
    "$mutmut" run --max-children 1 'zzz_no_such_mutant*' >/dev/null 2>&1 || true
    "$work/.venv/bin/python" "$here/sample.py" $rounds > sample.txt
    time "$mutmut" run --max-children 1 $(cat sample.txt) > run.log 2>&1 || true
fi
"$work/.venv/bin/python" "$here/summarise.py" sample.txt > narrow.txt

cd "$work/wide"
"$mutmut" run --max-children 1 'zzz_no_such_mutant*' >/dev/null 2>&1 || true
grep -E '^(survived|no tests|timeout|suspicious)	' "$work/narrow/narrow.txt" | cut -f2 > recheck.txt
if [[ -s recheck.txt ]]; then time "$mutmut" run --max-children 1 $(cat recheck.txt) > run.log 2>&1 || true; fi
"$work/.venv/bin/python" "$here/summarise.py" "$work/narrow/sample.txt" "$work/narrow" > "$work/results.txt"
cat "$work/results.txt"
echo "full list: $work/results.txt; a mutant's diff: cd $work/narrow && $mutmut show <name>"
