"""The operator's side of questions handed to a person: ``users grant|revoke ID responder`` and
``report handoff`` (the queue, oldest first, without the askers' names).

Region labels are the official Kemendagri ones: Tenggarong 64.02.06 in Kabupaten Kutai Kartanegara,
Kota Administrasi Jakarta Pusat 31.71.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest

from bot.cli import main
from bot.cli.report import HANDOFF_CSV_COLUMNS, age
from bot.storage import Database, get_user, register_user
from bot.storage import handoffs as store
from bot.storage.privacy import delete_person
from bot.storage.users import coordinator_regions
from tests.conftest import CONTENT, SEEDS

T = TypeVar("T")

SITI = 770001  # asks; her name must never show in the report
RINA = 880001  # answers
JOKO = 880002  # another responder or coordinator
SITI_NAME = "Siti Rahayu"
TENGGARONG = "Tenggarong, Kabupaten Kutai Kartanegara (64.02.06)"
JAKPUS = "Kota Administrasi Jakarta Pusat (31.71)"


@pytest.fixture
def path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith(("TELEGRAM_", "BOT_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env
    db_path = tmp_path / "bot.sqlite3"
    monkeypatch.setenv("BOT_DB_PATH", str(db_path))
    monkeypatch.setenv("BOT_CONTENT_DIR", str(CONTENT))
    monkeypatch.setenv("BOT_SEEDS_DIR", str(SEEDS))
    monkeypatch.setenv("COLUMNS", "300")  # table rows on one line each

    async def people(db: Database) -> None:
        for telegram_id, name in ((SITI, SITI_NAME), (RINA, "Rina"), (JOKO, "Joko")):
            await register_user(db, telegram_id, name, None, "id")

    with_db(db_path, people)
    return db_path


def with_db(path: Path, work: Callable[[Database], Awaitable[T]]) -> T:
    async def run() -> T:
        async with await Database.open(path) as db:
            return await work(db)

    return asyncio.run(run())


def rows(out: str) -> list[list[str]]:
    """The body rows of a rich table (cells stripped), in order."""
    found = []
    for line in out.splitlines():
        cells = [cell.strip() for cell in line.split("│")[1:-1]]
        if cells and cells[0].isdigit():
            found.append(cells)
    return found


def header(out: str) -> list[str]:
    line = next(line for line in out.splitlines() if "┃ id" in line)
    return [cell.strip() for cell in line.split("┃")[1:-1]]


def column(out: str, name: str) -> dict[int, str]:
    """One column of the table by item id."""
    index = header(out).index(name)
    return {int(cells[0]): cells[index] for cells in rows(out)}


# --- users grant / revoke responder ------------------------------------------------------------


def test_grant_and_revoke_the_responder_role_are_stored(path, capsys):
    assert main(["users", "grant", str(RINA), "responder"]) == 0
    assert f"{RINA} (Rina) is now a responder" in capsys.readouterr().out
    assert with_db(path, lambda db: get_user(db, RINA)).responder  # type: ignore[union-attr]
    assert main(["users", "revoke", str(RINA), "responder"]) == 0
    assert f"{RINA} (Rina) is no longer a responder" in capsys.readouterr().out
    assert not with_db(path, lambda db: get_user(db, RINA)).responder  # type: ignore[union-attr]


def test_the_responder_and_coordinator_roles_are_granted_and_revoked_separately(path, capsys):
    assert main(["users", "grant", str(JOKO), "coordinator", "--region", "Kukar"]) == 0
    assert main(["users", "grant", str(JOKO), "responder"]) == 0
    joko = with_db(path, lambda db: get_user(db, JOKO))
    assert joko is not None and joko.coordinator and joko.responder
    assert with_db(path, lambda db: coordinator_regions(db, JOKO)) == ["64.02"]  # granting responder kept the scope

    assert main(["users", "revoke", str(JOKO), "responder"]) == 0
    joko = with_db(path, lambda db: get_user(db, JOKO))
    assert joko is not None and joko.coordinator and not joko.responder
    assert with_db(path, lambda db: coordinator_regions(db, JOKO)) == ["64.02"]

    assert main(["users", "grant", str(JOKO), "responder"]) == 0
    assert main(["users", "revoke", str(JOKO), "coordinator"]) == 0
    joko = with_db(path, lambda db: get_user(db, JOKO))
    assert joko is not None and not joko.coordinator and joko.responder


def test_a_region_for_a_responder_is_refused_and_nothing_is_granted(path, capsys):
    assert main(["users", "grant", str(RINA), "responder", "--region", "Kukar"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: ")
    assert "--region is only for the coordinator role" in err
    rina = with_db(path, lambda db: get_user(db, RINA))
    assert rina is not None and not rina.responder and not rina.coordinator


def test_granting_an_unknown_person_is_a_usage_error(path, capsys):
    assert main(["users", "grant", "424242", "responder"]) == 2
    assert "424242" in capsys.readouterr().err


def test_users_list_shows_who_is_a_responder(path, capsys):
    assert main(["users", "grant", str(RINA), "responder"]) == 0
    capsys.readouterr()
    assert main(["users", "list"]) == 0
    responder = column(capsys.readouterr().out, "responder")
    assert (responder[RINA], responder[JOKO], responder[SITI]) == ("yes", "no", "no")


def test_users_delete_names_the_questions_handed_to_a_person(path, capsys):
    with_db(path, lambda db: store.open_handoff(db, SITI, "bansos kok belum cair?"))
    assert main(["users", "delete", str(SITI)]) == 2
    assert "1 question(s) handed to a person" in capsys.readouterr().err
    assert main(["users", "delete", str(SITI), "--yes"]) == 0
    assert "1 question(s) handed to a person" in capsys.readouterr().out
    assert with_db(path, lambda db: store.count_by_state(db))["open"] == 0


# --- report handoff ----------------------------------------------------------------------------


@pytest.fixture
def queue(path: Path) -> dict[str, int]:
    """Four items by Siti: an urgent open one in Tenggarong (3 days old), an open one in Jakarta
    Pusat passed to the admins (5 hours), one answered by Rina and one closed."""
    now = datetime.now(UTC)

    async def fill(db: Database) -> dict[str, int]:
        old = await store.open_handoff(
            db, SITI, "Bansos PKH belum cair tiga bulan", asker_role="tpk", region_code="64.02.06", urgent=True,
            now=now - timedelta(days=3, hours=2),
        )  # fmt: skip
        passed = await store.open_handoff(
            db, SITI, "Cara daftar [bold]DTKS[/bold] " + "panjang " * 20 + "AKHIR", region_code="31.71",
            now=now - timedelta(hours=5),
        )  # fmt: skip
        answered = await store.open_handoff(
            db, SITI, "Kapan rapat pendamping?", asker_role="pendamping_pkh", now=now - timedelta(days=4)
        )
        closed = await store.open_handoff(db, SITI, "Sudah beres sendiri", now=now - timedelta(days=5))
        await store.pass_to_admins(db, passed.id)
        await store.answer_handoff(db, answered.id, RINA, "Rina", "responder", "Senin pagi.")
        await store.close_handoff(db, closed.id, JOKO)
        return {"old": old.id, "passed": passed.id, "answered": answered.id, "closed": closed.id}

    return with_db(path, fill)


def test_report_lists_the_open_items_oldest_first_with_region_and_age(queue, capsys):
    assert main(["report", "handoff"]) == 0
    out = capsys.readouterr().out
    assert "handoff queue: 2 open (1 urgent), 1 answered, 1 closed" in out
    assert [int(cells[0]) for cells in rows(out)] == [queue["old"], queue["passed"]]
    assert column(out, "region") == {queue["old"]: TENGGARONG, queue["passed"]: JAKPUS}
    assert column(out, "age") == {queue["old"]: "3 days", queue["passed"]: "5 hours"}
    assert column(out, "urgent") == {queue["old"]: "yes", queue["passed"]: ""}
    assert column(out, "asker role") == {queue["old"]: "tpk", queue["passed"]: "-"}
    assert column(out, "to admins") == {queue["old"]: "", queue["passed"]: "passed on"}
    assert column(out, "state") == {queue["old"]: "open", queue["passed"]: "open"}


def test_report_never_shows_who_asked(queue, capsys):
    for argv in (["report", "handoff"], ["report", "handoff", "--all"], ["report", "handoff", "--all", "--format", "csv"]):
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert "Siti" not in out and "Rahayu" not in out and str(SITI) not in out


def test_the_question_is_cut_and_shown_as_typed(queue, capsys):
    assert main(["report", "handoff"]) == 0
    question = column(capsys.readouterr().out, "question")[queue["passed"]]
    assert question.startswith("Cara daftar [bold]DTKS[/bold] panjang")  # markup is text, not style
    assert question.endswith("…") and len(question) == 80 and "AKHIR" not in question


def test_report_all_shows_every_state_and_who_answered(queue, capsys):
    assert main(["report", "handoff", "--all"]) == 0
    out = capsys.readouterr().out
    order = [queue["closed"], queue["answered"], queue["old"], queue["passed"]]  # oldest first
    assert [int(cells[0]) for cells in rows(out)] == order
    assert column(out, "state") == dict(zip(order, ["closed", "answered", "open", "open"], strict=True))
    assert column(out, "answered by") == dict(zip(order, ["", "Rina (responder)", "", ""], strict=True))
    assert column(out, "age")[queue["answered"]] == "4 days"


def test_an_escalated_item_and_a_deleted_responder_are_marked(queue, path, capsys):
    async def change(db: Database) -> None:
        await store.mark_escalated(db, queue["old"], datetime.now(UTC))
        await delete_person(db, RINA)

    with_db(path, change)
    assert main(["report", "handoff", "--all"]) == 0
    out = capsys.readouterr().out
    assert column(out, "to admins")[queue["old"]] == "escalated"
    assert column(out, "answered by")[queue["answered"]] == "deleted person (responder)"
    assert "Rina" not in out


def test_csv_has_a_header_and_one_row_per_item(queue, capsys):
    assert main(["report", "handoff", "--format", "csv"]) == 0
    lines = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert tuple(lines[0]) == HANDOFF_CSV_COLUMNS
    records = [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]
    assert [int(r["id"]) for r in records] == [queue["old"], queue["passed"]]
    old, passed = records
    assert (old["region_code"], old["region"], old["urgent"], old["asker_role"]) == (
        "64.02.06", "Tenggarong, Kabupaten Kutai Kartanegara", "1", "tpk"
    )  # fmt: skip
    assert 73.9 < float(old["age_hours"]) < 74.2 and datetime.fromisoformat(old["asked_at"]).tzinfo is not None
    assert passed["to_admins"] == "1" and passed["question"].endswith("AKHIR")  # the whole text

    assert main(["report", "handoff", "--all", "--format", "csv"]) == 0
    records = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(records) == 4
    answered = next(r for r in records if int(r["id"]) == queue["answered"])
    assert (answered["state"], answered["answered_by"]) == ("answered", "Rina (responder)")
    assert answered["answered_at"]


def test_an_empty_queue_says_so(path, capsys):
    for argv in (["report", "handoff"], ["report", "handoff", "--all"]):
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert "the handoff queue is empty" in out and "┃" not in out
    assert main(["report", "handoff", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == [",".join(HANDOFF_CSV_COLUMNS)]


def test_without_open_items_the_report_points_to_all(path, capsys):
    async def answered(db: Database) -> None:
        item = await store.open_handoff(db, SITI, "Kapan rapat?")
        await store.answer_handoff(db, item.id, RINA, "Rina", "responder", "Senin.")

    with_db(path, answered)
    assert main(["report", "handoff"]) == 0
    out = capsys.readouterr().out
    assert "0 open (0 urgent), 1 answered, 0 closed" in out
    assert "no open questions handed to a person; --all lists" in out


def test_report_handoff_only_reads(queue, path, capsys):
    before = with_db(path, lambda db: db.fetch_all("SELECT * FROM handoffs ORDER BY id"))
    assert main(["report", "handoff", "--all"]) == 0
    after = with_db(path, lambda db: db.fetch_all("SELECT * FROM handoffs ORDER BY id"))
    assert [tuple(r) for r in after] == [tuple(r) for r in before]


@pytest.mark.parametrize(
    ("waited", "shown"),
    [
        (timedelta(minutes=7), "7 min"),
        (timedelta(minutes=59, seconds=59), "59 min"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(hours=5, minutes=50), "5 hours"),
        (timedelta(hours=47, minutes=59), "47 hours"),
        (timedelta(hours=48), "2 days"),
        (timedelta(days=3, hours=23), "3 days"),
        (timedelta(seconds=-30), "0 min"),  # a clock a little behind the database
    ],
)
def test_age(waited, shown):
    now = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
    assert age(now - waited, now) == shown

