"""The operator CLI with official regions: scoped coordinators, listing by region (and the people whose
typed region matched nothing), and broadcasts to a region with a preview and a confirmation.

Expected codes and names are the official Kemendagri ones: Kabupaten Kutai Kartanegara 64.02 (alias
Kukar), its kecamatan Tenggarong 64.02.06 and kelurahan Loa Ipuh 64.02.06.1002; Kota Administrasi
Jakarta Pusat 31.71 (alias Jakpus); Kabupaten Bogor 32.01 and Kota Bogor 32.71.
"""

from __future__ import annotations

import asyncio
import io
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest

from bot.cli import main
from bot.storage import Database, get_user, register_user, set_region, set_role
from bot.storage import broadcasts as store
from bot.storage.users import coordinator_regions, mark_region_asked, set_region_code

T = TypeVar("T")

KAB, KEC, DESA, JAKPUS = 101, 102, 103, 201  # people in 64.02, 64.02.06, 64.02.06.1002 and 31.71.07
TYPO, BOGORR = 301, 302  # typed a region before codes existed that matched none
NOBODY = 401  # no region at all
KUKAR = "Kabupaten Kutai Kartanegara, Kalimantan Timur (64.02)"
TENGGARONG = "Tenggarong, Kabupaten Kutai Kartanegara, Kalimantan Timur (64.02.06)"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "bot.sqlite3"
    monkeypatch.setenv("BOT_DB_PATH", str(path))
    monkeypatch.setenv("COLUMNS", "300")  # table rows on one line each

    async def setup(db: Database) -> None:
        for telegram_id in (KAB, KEC, DESA, JAKPUS, TYPO, BOGORR, NOBODY):
            await register_user(db, telegram_id, f"Orang {telegram_id}", None, "id")
        codes = {KAB: "64.02", KEC: "64.02.06", DESA: "64.02.06.1002", JAKPUS: "31.71.07"}
        for telegram_id, code in codes.items():
            await set_region_code(db, telegram_id, code)
        await set_role(db, KEC, "tpk")
        await set_region(db, TYPO, "kutai kartanegra", "tengarong")
        await mark_region_asked(db, TYPO)
        await set_region(db, BOGORR, "Bogorr")

    with_db(path, setup)
    return path


def with_db(path: Path, work: Callable[[Database], Awaitable[T]]) -> T:
    async def run() -> T:
        async with await Database.open(path) as db:
            return await work(db)

    return asyncio.run(run())


def scope(path: Path, telegram_id: int) -> list[str]:
    return with_db(path, lambda db: coordinator_regions(db, telegram_id))


def recipients(path: Path) -> list[set[int]]:
    """For each stored broadcast (oldest first), who it goes to."""

    async def read(db: Database) -> list[set[int]]:
        reports = await store.list_broadcasts(db)
        return [{d.telegram_id for d in await store.deliveries(db, r.broadcast.id)} for r in reversed(reports)]

    return with_db(path, read)


def row(out: str, telegram_id: int) -> list[str]:
    """The cells of a table row, found by the person's id."""
    for line in out.splitlines():
        cells = [cell.strip() for cell in line.split("│")[1:-1]]
        if cells and cells[0] == str(telegram_id):
            return cells
    raise AssertionError(f"no row for {telegram_id} in:\n{out}")


def ids_listed(out: str) -> set[int]:
    ids = set()
    for line in out.splitlines():
        cells = [cell.strip() for cell in line.split("│")[1:-1]]
        if cells and cells[0].isdigit():
            ids.add(int(cells[0]))
    return ids


class Terminal(io.StringIO):
    """stdin as an operator's terminal (what they typed for ``--text -`` is the buffer)."""

    def isatty(self) -> bool:
        return True


def answer(monkeypatch: pytest.MonkeyPatch, reply: str | type[BaseException]) -> list[str]:
    """stdin is a terminal and the operator types ``reply`` (or presses Ctrl-D: EOFError)."""
    monkeypatch.setattr(sys, "stdin", Terminal())
    asked: list[str] = []

    def fake_input(prompt: str = "") -> str:
        asked.append(prompt)
        if isinstance(reply, type):
            raise reply
        return reply

    monkeypatch.setattr("builtins.input", fake_input)
    return asked


# --- users grant / revoke --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "codes", "shown"),
    [
        (["Kutai Kartanegara"], ["64.02"], KUKAR),
        (["Kukar"], ["64.02"], KUKAR),  # an alias
        (["Tenggarong, Kukar"], ["64.02.06"], TENGGARONG),  # a kecamatan and its kabupaten: one region
        (["Kukar; Jakpus"], ["31.71", "64.02"], "Kota Administrasi Jakarta Pusat, Daerah Khusus Ibukota Jakarta (31.71)"),
        (["64.02.06.1002", "Kukar"], ["64.02", "64.02.06.1002"],
         "Loa Ipuh, Tenggarong, Kabupaten Kutai Kartanegara, Kalimantan Timur (64.02.06.1002); " + KUKAR),
    ],
)  # fmt: skip
def test_grant_scopes_the_coordinator_to_regions_named_by_name_alias_or_code(env, capsys, typed, codes, shown):
    argv = ["users", "grant", str(NOBODY), "coordinator"]
    for value in typed:
        argv += ["--region", value]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert f"{NOBODY} (Orang {NOBODY}) is now a coordinator; scope: " in out and shown in out
    assert scope(env, NOBODY) == codes


def test_grant_without_a_region_is_national_and_revoke_clears_the_scope(env, capsys):
    assert main(["users", "grant", str(KAB), "coordinator", "--region", "Kukar"]) == 0
    assert main(["users", "grant", str(NOBODY), "coordinator"]) == 0
    assert "is now a coordinator; scope: national" in capsys.readouterr().out
    assert scope(env, NOBODY) == []
    assert main(["users", "revoke", str(KAB), "coordinator"]) == 0
    assert "is no longer a coordinator" in capsys.readouterr().out
    assert scope(env, KAB) == []
    user = with_db(env, lambda db: get_user(db, KAB))
    assert user is not None and not user.coordinator


def test_an_ambiguous_region_is_refused_with_its_candidates_and_nothing_is_granted(env, capsys):
    assert main(["users", "grant", str(NOBODY), "coordinator", "--region", "bogor"]) == 2
    err = capsys.readouterr().err
    assert "32.01 Kabupaten Bogor, Jawa Barat" in err and "32.71 Kota Bogor, Jawa Barat" in err
    assert len(err.strip().splitlines()) == 1
    user = with_db(env, lambda db: get_user(db, NOBODY))
    assert user is not None and not user.coordinator
    assert scope(env, NOBODY) == []


def test_a_bad_region_leaves_an_earlier_scope_as_it_was(env, capsys):
    assert main(["users", "grant", str(KAB), "coordinator", "--region", "Kukar"]) == 0
    assert main(["users", "grant", str(KAB), "coordinator", "--region", "Jakpus; bogor"]) == 2
    assert main(["users", "grant", str(KAB), "coordinator", "--region", "Xyzzy"]) == 2
    assert "no such region: 'Xyzzy'" in capsys.readouterr().err
    assert scope(env, KAB) == ["64.02"]


# --- users list ------------------------------------------------------------------------------


def test_list_unresolved_region_shows_only_people_whose_typed_region_matched_nothing(env, capsys):
    assert main(["users", "list", "--unresolved-region"]) == 0
    out = capsys.readouterr().out
    assert ids_listed(out) == {TYPO, BOGORR}
    assert row(out, TYPO) == [str(TYPO), f"Orang {TYPO}", "", "kutai kartanegra", "tengarong", "yes"]
    assert row(out, BOGORR) == [str(BOGORR), f"Orang {BOGORR}", "", "Bogorr", "", "no"]


def test_list_shows_the_official_region_what_was_typed_and_the_coordinator_scope(env, capsys):
    assert main(["users", "grant", str(KAB), "coordinator", "--region", "Tenggarong, Kukar"]) == 0
    assert main(["users", "grant", str(JAKPUS), "coordinator"]) == 0
    capsys.readouterr()
    assert main(["users", "list"]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if "┃ id" in line)
    columns = [cell.strip() for cell in header.split("┃")[1:-1]]
    region, coordinator = columns.index("region"), columns.index("coordinator")
    assert row(out, KAB)[region] == "Kabupaten Kutai Kartanegara (64.02)"
    assert row(out, KAB)[coordinator] == "yes: Tenggarong, Kabupaten Kutai Kartanegara (64.02.06)"
    assert row(out, DESA)[region] == "Loa Ipuh, Tenggarong (64.02.06.1002)"
    assert row(out, JAKPUS)[coordinator] == "yes: national"
    assert row(out, TYPO)[region] == "kutai kartanegra, tengarong (unmatched)"
    assert row(out, NOBODY)[region] == "" and row(out, NOBODY)[coordinator] == "no"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Kutai Kartanegara", {KAB, KEC, DESA}),  # the kabupaten reaches its kecamatan and desa
        ("Tenggarong, Kukar", {KEC, DESA}),
        ("Kalimantan Timur", {KAB, KEC, DESA}),
        ("Jakarta Pusat", {JAKPUS}),  # a person in one of its kecamatan
    ],
)
def test_list_region_filters_by_official_region_and_everyone_inside_it(env, capsys, typed, expected):
    assert main(["users", "list", "--region", typed]) == 0
    assert ids_listed(capsys.readouterr().out) == expected


def test_list_region_is_resolved_for_sure_and_combines_with_the_role(env, capsys):
    assert main(["users", "list", "--region", "bogor"]) == 2
    assert "32.01" in capsys.readouterr().err
    assert main(["users", "list", "--region", "Kukar", "--role", "tpk"]) == 0
    assert ids_listed(capsys.readouterr().out) == {KEC}


# --- broadcast send --------------------------------------------------------------------------


def test_a_broadcast_to_kutai_kartanegara_reaches_everyone_inside_it_but_not_jakarta(env, capsys):
    assert main(["broadcast", "send", "--text", "Rapat Senin", "--region", "Kutai Kartanegara", "--yes"]) == 0
    out = capsys.readouterr().out
    assert f"  {KUKAR}: 3" in out.splitlines()
    assert "total: 3 people (region 64.02)" in out
    assert "broadcast 1: 3 recipient(s)" in out
    assert recipients(env) == [{KAB, KEC, DESA}]


def test_the_preview_counts_the_people_per_region_and_each_person_once_in_the_total(env, capsys):
    argv = ["broadcast", "send", "--text", "Rapat", "--yes", "--region", "Kukar", "--region", "Tenggarong, Kukar; Jakpus"]
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert f"  {KUKAR}: 3" in lines
    assert f"  {TENGGARONG}: 2" in lines
    assert "  Kota Administrasi Jakarta Pusat, Daerah Khusus Ibukota Jakarta (31.71): 1" in lines
    assert "total: 4 people (region 64.02 or 64.02.06 or 31.71)" in lines  # not 3 + 2 + 1
    assert recipients(env) == [{KAB, KEC, DESA, JAKPUS}]


def test_a_broadcast_to_a_desa_by_code_and_the_deprecated_kecamatan_option(env, capsys):
    assert main(["broadcast", "send", "--text", "Posyandu", "--region", "64.02.06.1002", "--yes"]) == 0
    assert main(["broadcast", "send", "--text", "Posyandu", "--kecamatan", "Tenggarong, Kukar", "--yes"]) == 0
    assert "--kecamatan is deprecated" in capsys.readouterr().err
    assert recipients(env) == [{DESA}, {KEC, DESA}]


def test_an_ambiguous_broadcast_region_is_refused_with_its_candidates(env, capsys):
    assert main(["broadcast", "send", "--text", "Rapat", "--region", "bogor", "--yes"]) == 2
    err = capsys.readouterr().err
    assert "32.01 Kabupaten Bogor, Jawa Barat" in err and "32.71 Kota Bogor, Jawa Barat" in err
    assert main(["broadcast", "send", "--text", "Rapat", "--region", "Xyzzy", "--yes"]) == 2
    assert "no such region" in capsys.readouterr().err
    assert recipients(env) == []


def test_without_a_terminal_a_broadcast_needs_yes_and_nothing_is_stored(env, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("Rapat dari stdin"))  # a pipe: nobody to answer
    assert main(["broadcast", "send", "--text", "-", "--region", "Kukar"]) == 2
    captured = capsys.readouterr()
    assert f"  {KUKAR}: 3" in captured.out.splitlines()  # the preview comes first
    assert "add --yes to send to 3 people" in captured.err and len(captured.err.strip().splitlines()) == 1
    assert recipients(env) == []
    monkeypatch.setattr(sys, "stdin", io.StringIO("Rapat dari stdin"))
    assert main(["broadcast", "send", "--text", "-", "--region", "Kukar", "--yes"]) == 0
    assert recipients(env) == [{KAB, KEC, DESA}]


def test_at_a_terminal_yes_sends(env, capsys, monkeypatch):
    asked = answer(monkeypatch, "y")
    assert main(["broadcast", "send", "--text", "Rapat", "--region", "Kukar"]) == 0
    out = capsys.readouterr().out
    assert "Send to 3 people? [y/N]" in out
    assert out.index(f"  {KUKAR}: 3") < out.index("Send to 3 people?")
    assert len(asked) == 1
    assert recipients(env) == [{KAB, KEC, DESA}]


@pytest.mark.parametrize("reply", ["n", "", "nanti", EOFError])
def test_at_a_terminal_anything_but_yes_stores_nothing(env, capsys, monkeypatch, reply):
    asked = answer(monkeypatch, reply)
    assert main(["broadcast", "send", "--text", "Rapat", "--region", "Kukar"]) == 1
    assert "not sent; nothing was stored" in capsys.readouterr().out
    assert len(asked) == 1
    assert recipients(env) == []


def test_yes_skips_the_question_at_a_terminal(env, capsys, monkeypatch):
    asked = answer(monkeypatch, "n")
    assert main(["broadcast", "send", "--text", "Rapat", "--region", "Jakpus", "--yes"]) == 0
    assert asked == []
    assert recipients(env) == [{JAKPUS}]


def test_a_broadcast_to_everyone_previews_the_total(env, capsys):
    assert main(["broadcast", "send", "--text", "Halo semua", "--yes"]) == 0
    assert "total: 7 people (everyone)" in capsys.readouterr().out
    assert recipients(env) == [{KAB, KEC, DESA, JAKPUS, TYPO, BOGORR, NOBODY}]



def test_broadcast_list_and_status_name_the_regions(env, capsys):
    assert main(["broadcast", "send", "--text", "Rapat Senin", "--role", "tpk", "--region", "kukar", "--yes"]) == 0
    capsys.readouterr()
    assert main(["broadcast", "status", "1"]) == 0
    assert "audience role tpk, region Kabupaten Kutai Kartanegara (64.02);" in capsys.readouterr().out
    assert main(["broadcast", "list"]) == 0
    assert "Kabupaten Kutai" in capsys.readouterr().out
