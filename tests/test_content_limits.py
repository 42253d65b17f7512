"""Content that would hang the bot or exhaust its memory is refused with a problem (issue #13).

A YAML alias bomb, a FIFO or a symlink to /dev/zero in the content directory, a file far larger
than any content file: each is named as a problem for its file, quickly, and never hangs the check.
Every check that could hang runs in a thread with a deadline, so a regression fails, not freezes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any, Self

import pytest
import yaml

from bot.content import loader
from bot.content.problems import ContentError
from bot.engine import Engine, load_and_check
from tests.conftest import CONTENT, REPO, write_content
from tests.test_run_process import bot_env

DEADLINE_S = 10.0  # the checks below take milliseconds; a hang is caught long before it matters


def alias_bomb(levels: int = 9, width: int = 9, faq: bool = False) -> str:
    """The classic "billion laughs": ~300 bytes that expand to width**levels strings.

    ``faq``: as FAQ entries whose ids are the nested lists (``- id: &c [*b,*b,…]``): naming the
    entry in a problem once turned the last one into a string of gigabytes (the live bot froze).
    """
    names = "abcdefghijklmnop"[:levels]
    key = "- id" if faq else "{name}"
    lines = [key.format(name="a") + ": &a [" + ",".join(["lol"] * width) + "]"]
    lines += [
        key.format(name=name) + f": &{name} [" + ",".join([f"*{prev}"] * width) + "]" for prev, name in pairwise(names)
    ]
    return "\n".join(lines) + "\n"


def within(seconds: float, function: Callable[..., Any], *args: Any) -> Any:
    """``function(*args)``, which must return within ``seconds`` (run in a daemon thread)."""
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = function(*args)
        except BaseException as exc:  # noqa: BLE001 (re-raised in the test's thread)
            result["error"] = exc

    worker = threading.Thread(target=run, name="deadline", daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"{getattr(function, '__name__', function)} did not return within {seconds} s"
    if "error" in result:
        raise result["error"]
    return result["value"]


def parse_one(name: str, text: str) -> list[str]:
    """The problems ``parse`` reports for this one content file (as text), within the deadline."""
    files = loader.ContentFiles(content={name: text}, seed_index=None, seed_texts={})
    _, problems = within(DEADLINE_S, loader.parse, files)
    return [str(p) for p in problems if p.file == f"content/{name}"]


def only(problems: list[str]) -> str:
    assert len(problems) == 1, problems
    return problems[0]


# --- YAML aliases -------------------------------------------------------------------------------


def test_alias_bomb_is_one_problem_for_its_file_and_returns_quickly(tmp_path):
    assert len(alias_bomb(faq=True).encode()) < 400  # the one that froze the live bot was 316 bytes
    content = write_content(tmp_path)
    (content / "faq" / "bom.yaml").write_text(alias_bomb(faq=True), encoding="utf-8")
    # `content check` in a process of its own: a bomb that got through would hold the GIL in C code
    # (no thread could time out on it); on the deadline the process is killed and the test fails.
    try:
        check = subprocess.run(
            [sys.executable, "-m", "bot.cli", "content", "check", str(content)], cwd=REPO, env=bot_env(),
            capture_output=True, text=True, timeout=DEADLINE_S + 10, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail(f"`content check` on the alias bomb did not end within {DEADLINE_S + 10} s")
    assert check.returncode == 1, check.stdout + check.stderr
    assert "faq/bom.yaml: invalid YAML at line" in check.stdout and "too many aliases" in check.stdout

    _, problems = within(DEADLINE_S, load_and_check, content)
    bomb = [p for p in problems if p.file.endswith("faq/bom.yaml")]
    assert len(bomb) == 1, problems
    assert bomb[0].severity == "error" and bomb[0].entry is None
    assert "invalid YAML at line" in bomb[0].message and "too many aliases" in bomb[0].message
    # The other files are unaffected: the bomb is the only error.
    assert [p for p in problems if p.severity == "error"] == bomb
    with pytest.raises(ContentError):
        within(DEADLINE_S, Engine.from_directory, content)


@pytest.mark.parametrize("name", ["lexicon.yaml", "glossary.yaml", "faq/bom.yaml", "urgent.yaml"])
def test_alias_bomb_is_refused_in_any_content_file(name):
    assert "too many aliases: they expand the document" in only(parse_one(name, alias_bomb()))


def test_an_entry_is_named_by_its_id_only_when_the_id_is_a_scalar():
    text = "- id: [a, b]\n  topic: x\n- id: 12\n  topic: x\n- {id: diklat, topic: x}\n"
    named = {p.split(",")[1].strip() for p in parse_one("faq/x.yaml", text)}
    assert named == {"entry '#1'", "entry '12'", "entry 'diklat'"}


def test_alias_bomb_inside_a_list_and_in_mapping_keys_is_refused():
    as_list = "".join(f"- {line.split(': ', 1)[1]}\n" for line in alias_bomb().splitlines())  # - &a0 [...]
    assert "too many aliases" in only(parse_one("faq/bom.yaml", as_list))
    as_keys = "a: &a {x: 1, y: 2, z: 3}\n" + "".join(
        f"{name}: &{name} {{k1: *{prev}, k2: *{prev}, k3: *{prev}, k4: *{prev}, k5: *{prev}, k6: *{prev}, k7: *{prev}}}\n"
        for prev, name in pairwise("abcdefgh")
    )
    assert "too many aliases" in only(parse_one("lexicon.yaml", as_keys))


def test_more_aliases_than_the_bound_are_refused_fewer_load(monkeypatch):
    many = "x: &x kata\nitems: [" + ", ".join(["*x"] * (loader.MAX_YAML_ALIASES + 1)) + "]\n"
    assert f"more than {loader.MAX_YAML_ALIASES:,} in one document" in only(parse_one("lexicon.yaml", many))
    fewer = "x: &x kata\nitems: [" + ", ".join(["*x"] * loader.MAX_YAML_ALIASES) + "]\n"
    assert yaml.load(fewer, Loader=loader._SAFE_LOADER)["items"] == ["kata"] * loader.MAX_YAML_ALIASES


def test_only_what_aliases_add_counts_not_the_size_of_a_plain_file(monkeypatch):
    monkeypatch.setattr(loader, "MAX_YAML_ALIAS_NODES", 1_000)
    plain = "fillers: [" + ", ".join(f"w{i}" for i in range(5_000)) + "]\n"  # 5,000 nodes, no alias
    assert len(yaml.load(plain, Loader=loader._SAFE_LOADER)["fillers"]) == 5_000
    copies = "x: &x [" + ", ".join(["w"] * 100) + "]\ny: [" + ", ".join(["*x"] * 11) + "]\n"  # adds 1,111
    with pytest.raises(yaml.YAMLError, match="too many aliases"):
        yaml.load(copies, Loader=loader._SAFE_LOADER)
    fits = "x: &x [" + ", ".join(["w"] * 100) + "]\ny: [" + ", ".join(["*x"] * 9) + "]\n"  # adds 909
    assert len(yaml.load(fits, Loader=loader._SAFE_LOADER)["y"]) == 9


def test_a_few_dozen_anchors_like_urgent_yaml_still_load():
    text = "kia: &kia Segera ke bidan\nrules:\n" + "".join(f"  - {{id: r{i}, go: *kia}}\n" for i in range(60))
    data = yaml.load(text, Loader=loader._SAFE_LOADER)
    assert [rule["go"] for rule in data["rules"]] == ["Segera ke bidan"] * 60


def test_shipped_content_is_within_every_limit():
    files = within(DEADLINE_S, loader.read_files, CONTENT)
    assert files.problems == ()
    assert "*kia" in files.content["urgent.yaml"]  # the anchors the bound must leave alone
    _, problems = loader.parse(files)
    assert not [p for p in problems if p.severity == "error"], problems


def test_recursive_alias_deep_nesting_and_unhashable_keys_are_problems_not_crashes():
    assert "recursive alias" in only(parse_one("lexicon.yaml", "fillers: &f [sih, *f]\n"))
    deep = "fillers: " + "[" * (loader.MAX_YAML_DEPTH + 5) + "]" * (loader.MAX_YAML_DEPTH + 5) + "\n"
    assert "levels deep" in only(parse_one("lexicon.yaml", deep))
    assert "unhashable key" in only(parse_one("lexicon.yaml", "? [yg, yang]\n: 1\n"))


# --- what may be read ---------------------------------------------------------------------------

posix_only = pytest.mark.skipif(
    sys.platform == "win32" or not hasattr(os, "mkfifo") or not Path("/dev/zero").exists(),
    reason="FIFOs and /dev/zero are POSIX",
)


def problems_by_file(files: loader.ContentFiles) -> dict[str, str]:
    return {Path(p.file).name: p.message for p in files.problems}


@posix_only
@pytest.mark.parametrize("hazard", ["fifo", "dev zero", "seed fifo", "seed dev zero"])
def test_each_kind_of_special_file_alone_is_refused_without_waiting(tmp_path, hazard):
    content = write_content(tmp_path)
    folder = tmp_path / "seeds" / "original" if hazard.startswith("seed") else content / "faq"
    path = folder / ("khusus.txt" if hazard.startswith("seed") else "khusus.yaml")
    if hazard.endswith("fifo"):
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    files = within(DEADLINE_S, loader.read_files, content)
    kind = "a FIFO (named pipe)" if hazard.endswith("fifo") else "a device"
    assert problems_by_file(files) == {path.name: f"skipped: {kind}, not a regular file"}


@posix_only
def test_fifo_and_symlink_to_dev_zero_are_skipped_with_problems_not_read(tmp_path):
    content = write_content(tmp_path)
    seeds = tmp_path / "seeds"
    os.mkfifo(content / "faq" / "pipa.yaml")  # no writer: opening it for reading would wait forever
    (content / "faq" / "nol.yaml").symlink_to("/dev/zero")  # reading it would never end
    (seeds / "original" / "nol.txt").symlink_to("/dev/zero")
    (topics := content / "topics.yaml").unlink()
    os.mkfifo(topics)  # a required file replaced by a FIFO
    (content / "map.yaml").mkdir()
    (content / "faq" / "hilang.yaml").symlink_to(tmp_path / "nowhere.yaml")

    files = within(DEADLINE_S, loader.read_files, content)
    found = problems_by_file(files)
    assert found == {
        "pipa.yaml": "skipped: a FIFO (named pipe), not a regular file",
        "nol.yaml": "skipped: a device, not a regular file",
        "nol.txt": "skipped: a device, not a regular file",
        "topics.yaml": "skipped: a FIFO (named pipe), not a regular file",
        "map.yaml": "skipped: a directory, not a regular file",
        "hilang.yaml": "skipped: cannot be read (it vanished, or is a broken symlink)",
    }
    assert "faq/pelatihan.yaml" in files.content  # everything else was read
    assert not {"faq/pipa.yaml", "faq/nol.yaml", "topics.yaml"} & set(files.content)

    # parse carries them on, and a refused required file is not also called "missing"
    _, problems = loader.parse(files)
    topics_problems = [p.message for p in problems if p.file.endswith("/topics.yaml")]
    assert topics_problems == ["skipped: a FIFO (named pipe), not a regular file"]
    with pytest.raises(ContentError) as refused:
        within(DEADLINE_S, Engine.from_directory, content)
    assert {Path(p.file).name for p in refused.value.problems} >= {"pipa.yaml", "nol.yaml", "nol.txt", "topics.yaml"}


@posix_only
def test_seed_index_that_is_a_fifo_is_refused_not_waited_for(tmp_path):
    content = write_content(tmp_path)
    index = tmp_path / "seeds" / "index.yaml"
    index.unlink()
    os.mkfifo(index)
    files = within(DEADLINE_S, loader.read_files, content)
    assert files.seed_index is None
    assert problems_by_file(files) == {"index.yaml": "skipped: a FIFO (named pipe), not a regular file"}


@posix_only
def test_a_file_swapped_for_a_fifo_after_the_stat_is_still_refused(tmp_path, monkeypatch):
    """The stat before opening is one check; the open never waits (O_NONBLOCK) and fstat is another."""
    regular = tmp_path / "regular"
    regular.write_text("x")
    fifo, zero = tmp_path / "pipa.yaml", tmp_path / "nol.yaml"
    os.mkfifo(fifo)
    zero.symlink_to("/dev/zero")
    real_stat = os.stat
    monkeypatch.setattr(loader.os, "stat", lambda path, *a, **k: real_stat(regular))  # every path "looks" regular
    for path, kind in ((fifo, "a FIFO (named pipe)"), (zero, "a device")):
        problems: list = []
        assert within(DEADLINE_S, loader._read_text, path, path.name, problems) is None
        assert [p.message for p in problems] == [f"skipped: {kind}, not a regular file"]


def test_a_file_over_the_size_bound_is_refused_unread(tmp_path):
    content = write_content(tmp_path)
    huge = content / "faq" / "besar.yaml"
    with huge.open("wb") as stream:  # sparse: no disk used
        stream.truncate(loader.MAX_FILE_BYTES + 1)
    limit = content / "faq" / "pas.yaml"
    limit.write_bytes(b"# " + b"x" * (loader.MAX_FILE_BYTES - 3) + b"\n")  # exactly at the bound: read
    files = within(DEADLINE_S, loader.read_files, content)
    assert problems_by_file(files) == {
        "besar.yaml": f"skipped: {loader.MAX_FILE_BYTES + 1:,} bytes, larger than the "
        f"{loader.MAX_FILE_BYTES:,}-byte limit for a content file",
    }
    assert len(files.content["faq/pas.yaml"]) == loader.MAX_FILE_BYTES
    assert "faq/besar.yaml" not in files.content


class EndlessStream:
    """A file that keeps growing while it is read (its stat said 10 bytes)."""

    def __init__(self) -> None:
        self.read_sizes: list[int] = []

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def fileno(self) -> int:
        return -1

    def read(self, size: int = -1) -> bytes:
        self.read_sizes.append(size)
        assert size >= 0, "an unbounded read of a file that never ends"
        return b"a" * size


def test_a_file_that_grows_after_the_stat_is_read_only_up_to_the_bound(tmp_path, monkeypatch):
    path = tmp_path / "tumbuh.yaml"
    path.write_bytes(b"a" * 10)
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 1_000)
    small = os.stat_result((0o100644, 0, 0, 1, 0, 0, 10, 0, 0, 0))  # a regular file of 10 bytes
    monkeypatch.setattr(loader.os, "fstat", lambda *a, **k: small)
    stream = EndlessStream()
    monkeypatch.setattr(loader, "open", lambda *a, **k: stream, raising=False)
    problems: list = []
    assert within(DEADLINE_S, loader._read_text, path, "tumbuh.yaml", problems) is None
    assert stream.read_sizes == [1_001]
    assert [p.message for p in problems] == ["skipped: larger than the 1,000-byte limit for a content file"]
