"""Statistics per kabupaten/kota: rows from a small database built here, the numbers counted by hand."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli.report import regency_names
from bot.engine import Engine
from bot.reports import chart
from bot.reports.records import (
    REPORT_TZ,
    Companion,
    QuestionOutcome,
    Reach,
    day_start,
    kabupaten_code,
)
from bot.reports.stats import OTHER_REGIONS, RegionRow, Stats, build_stats
from bot.reports.summary import stats_summary
from bot.storage import Database, log_question, register_user, set_region, set_role
from bot.storage import broadcasts as broadcast_store
from bot.storage import reports as store
from bot.storage.users import set_region_code
from tests.report_data import seed as seed_without_codes

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TODAY = datetime.now(REPORT_TZ).date()
SINCE = TODAY - timedelta(days=2)
KUKAR, GARUT, JAKPUS = "64.02", "32.05", "31.71"

PEOPLE = [  # id, role, region code, kabupaten as stored, typed kabupaten (no code)
    (201, "pendamping_pkh", "64.02.06.1002", "Kabupaten Kutai Kartanegara", None),  # a desa in Kukar
    (202, "tksk", "64.02", "Kabupaten Kutai Kartanegara", None),  # the kabupaten itself
    (203, "tpk", "32.05.01", "Kabupaten Garut", None),  # a kecamatan in Garut
    (204, None, None, None, "garut"),  # typed long ago, never resolved: no code
    (205, None, None, None, None),  # skipped the profile
    (206, "pendamping_pkh", "31.71", None, None),  # chose a kota, its name not stored
]
QUESTIONS = [  # who, status, days before today
    (201, "answer", 1), (201, "answer", 1), (201, "none", 1),
    (202, "suggest", 1),  # offered choices: asked, not answered
    (203, "answer", 1), (203, "none", 1), (203, "none", 0),
    (204, "none", 0),
    (None, "answer", 0),  # a group chat: nobody's region
    (201, "answer", 12),  # before SINCE: not counted
]  # fmt: skip

# By hand: questions asked / answered, companions, broadcast messages sent / addressed (cancelled
# rows are not addressed; the broadcast created before SINCE is not counted).
EXPECTED = {
    KUKAR: (4, 2, 2, 1, 2),  # 201 sent + 202 unreachable in A; both cancelled in B
    GARUT: (3, 1, 1, 1, 1),  # 203 sent in A
    JAKPUS: (0, 0, 1, 0, 1),  # 206 still pending in A
    None: (2, 1, 2, 1, 2),  # 204 pending, 205 sent in A
}


def numbers(row: RegionRow) -> tuple[int, int, int, int, int]:
    return (row.asked, row.answered, row.companions, row.sent, row.addressed)


def at(days_before_today: int) -> str:
    moment = datetime.combine(TODAY - timedelta(days=days_before_today), time(10), tzinfo=REPORT_TZ)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


async def build(db: Database) -> None:
    await people_and_questions(db)
    await broadcasts(db)


async def people_and_questions(db: Database) -> None:
    for telegram_id, role, code, kabupaten, typed in PEOPLE:
        await register_user(db, telegram_id, f"Orang {telegram_id}", None, "id")
        if role:
            await set_role(db, telegram_id, role)
        if code:
            await set_region_code(db, telegram_id, code, kabupaten)
        if typed:
            await set_region(db, telegram_id, typed)
    for telegram_id, status, days in QUESTIONS:
        entry = "sasaran-1000-hpk" if status == "answer" else None
        question_id = await log_question(db, telegram_id, "private", "pertanyaan", status, entry, 80.0)
        async with db.transaction() as conn:
            await conn.execute("UPDATE questions SET asked_at = ? WHERE id = ?", (at(days), question_id))


async def broadcasts(db: Database) -> None:
    everyone, _ = await broadcast_store.create_broadcast(db, "Siaran A")
    kukar_only, _ = await broadcast_store.create_broadcast(db, "Siaran B", broadcast_store.Audience(regions=(KUKAR,)))
    old, _ = await broadcast_store.create_broadcast(db, "Siaran lama")
    async with db.transaction() as conn:
        await conn.execute("UPDATE broadcasts SET created_at = ? WHERE id = ?", (at(30), old))
    for telegram_id, _, _, _, _ in PEOPLE:
        await deliver(db, old, telegram_id, "sent")
    for telegram_id in (201, 203, 205):
        await deliver(db, everyone, telegram_id, "sent")
    await deliver(db, everyone, 202, "unreachable")
    await broadcast_store.cancel_broadcast(db, kukar_only)


async def deliver(db: Database, broadcast_id: int, telegram_id: int, state: str) -> None:
    """What the sender would have written for this recipient (claim, send, close)."""
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE deliveries SET state = ? WHERE broadcast_id = ? AND telegram_id = ?", (state, broadcast_id, telegram_id)
        )


@pytest.fixture
async def db() -> AsyncIterator[Database]:
    async with await Database.open(":memory:") as database:
        await build(database)
        yield database


async def stats_of(db: Database, engine: Engine | None = None, regions: tuple[str, ...] = (), **options) -> Stats:
    start = day_start(SINCE)
    return build_stats(
        await store.question_outcomes(db, start, regions), await store.votes(db, start, regions),
        await store.companions(db, regions), today=TODAY, since=SINCE,
        reach=await store.broadcast_reach(db, start, regions), names=regency_names(engine) if engine else None,
        **options,
    )  # fmt: skip


# --- storage --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [("64.02.06.1002", "64.02"), ("64.02.06", "64.02"), ("64.02", "64.02"), ("64", None), (None, None), ("", None)],
)
def test_the_kabupaten_code_is_the_first_two_segments(code, expected):
    assert kabupaten_code(code) == expected


async def test_rows_carry_the_kabupaten_code(db):
    questions = await store.question_outcomes(db, day_start(SINCE))
    assert [q.kabupaten_code for q in questions] == [KUKAR] * 4 + [GARUT] * 2 + [GARUT, None, None]
    people = await store.companions(db)
    assert [(p.kabupaten, p.kabupaten_code) for p in people] == [
        ("Kabupaten Kutai Kartanegara", KUKAR), ("Kabupaten Kutai Kartanegara", KUKAR), ("Kabupaten Garut", GARUT),
        ("garut", None), (None, None), (None, JAKPUS),
    ]  # fmt: skip


async def test_broadcast_reach_is_one_row_per_recipient_since_then(db):
    reach = await store.broadcast_reach(db, day_start(SINCE))
    assert reach == [
        Reach("sent", KUKAR), Reach("unreachable", KUKAR), Reach("sent", GARUT), Reach("pending", None),
        Reach("sent", None), Reach("pending", JAKPUS),  # broadcast A, everyone
        Reach("cancelled", KUKAR), Reach("cancelled", KUKAR),  # broadcast B, Kukar only, cancelled
    ]  # fmt: skip
    assert len(await store.broadcast_reach(db)) == 14  # with the old broadcast


# --- the numbers ------------------------------------------------------------------------------


async def test_per_kabupaten_numbers_most_questions_first(db, engine):
    stats = await stats_of(db, engine)
    assert [(row.code, row.name) for row in stats.by_kabupaten] == [
        (KUKAR, "Kabupaten Kutai Kartanegara"), (GARUT, "Kabupaten Garut"),
        (JAKPUS, "Kota Administrasi Jakarta Pusat"), (None, None),
    ]  # fmt: skip
    assert {row.code: numbers(row) for row in stats.by_kabupaten} == EXPECTED
    assert [row.answered_share for row in stats.by_kabupaten] == [0.5, 1 / 3, None, 0.5]
    assert stats.has_regions
    # every question and companion is in exactly one row
    assert sum(row.asked for row in stats.by_kabupaten) == stats.total() == 9
    assert sum(row.companions for row in stats.by_kabupaten) == stats.companions == 6


async def test_people_without_a_code_are_one_row_at_the_end(db, engine):
    stats = await stats_of(db, engine, top_kabupaten=1)
    unset = stats.by_kabupaten[-1]
    assert (unset.unset, unset.name, numbers(unset)) == (True, None, EXPECTED[None])
    assert sum(row.unset for row in stats.by_kabupaten) == 1
    assert "• Wilayah belum dipilih: 2 pertanyaan, 1 terjawab (50%), 2 pendamping; siaran terkirim 1 dari 2" in (
        stats_summary(stats, engine.messages, SINCE).splitlines()
    )


async def test_beyond_the_top_rows_one_lainnya_row(db, engine):
    stats = await stats_of(db, engine, top_kabupaten=1)
    assert [row.code for row in stats.by_kabupaten] == [KUKAR, OTHER_REGIONS, None]
    other = stats.by_kabupaten[1]
    assert (other.other, other.regions, numbers(other)) == (True, 2, (3, 1, 2, 1, 2))  # Garut + Jakarta Pusat
    lines = stats_summary(stats, engine.messages, SINCE).splitlines()
    assert "• 2 kabupaten/kota lainnya: 3 pertanyaan, 1 terjawab (33%), 2 pendamping; siaran terkirim 1 dari 2" in lines


async def test_names_come_from_the_mapping_else_the_stored_name_else_the_code(db):
    stats = await stats_of(db)  # as /statistik calls it today: no names given
    assert [row.name for row in stats.by_kabupaten] == ["Kabupaten Kutai Kartanegara", "Kabupaten Garut", JAKPUS, None]
    people = [Companion(None, "Kab. Kutai Kartanegara", KUKAR)]
    named = build_stats([], [], people, today=TODAY, names={KUKAR: "Kabupaten Kutai Kartanegara"})
    assert named.by_kabupaten[0].name == "Kabupaten Kutai Kartanegara"


def test_ties_go_to_more_companions_then_by_name():
    questions = [QuestionOutcome("answer", "x", day_start(TODAY), code) for code in ("11.01", "11.02")]
    people = [Companion(None, None, "11.02")]
    stats = build_stats(questions, [], people, today=TODAY, names={"11.01": "B", "11.02": "A", "11.03": "C"})
    assert [row.code for row in stats.by_kabupaten] == ["11.02", "11.01"]


async def test_a_scoped_view_counts_only_its_regions(db, engine):
    kukar = await stats_of(db, engine, regions=(KUKAR,))
    assert [(row.code, numbers(row)) for row in kukar.by_kabupaten] == [(KUKAR, EXPECTED[KUKAR])]
    # a kecamatan scope: only the people inside it, still counted under their kabupaten
    district = await stats_of(db, engine, regions=("32.05.01",))
    assert [(row.code, numbers(row)) for row in district.by_kabupaten] == [(GARUT, EXPECTED[GARUT])]
    text = stats_summary(kukar, engine.messages, SINCE)
    assert "Garut" not in text and "belum dipilih" not in text


# --- the summary --------------------------------------------------------------------------------


async def test_summary_lists_the_kabupaten_with_their_numbers(db, engine):
    lines = stats_summary(await stats_of(db, engine), engine.messages, SINCE).splitlines()
    start = lines.index("Menurut kabupaten/kota (paling banyak bertanya lebih dulu):")
    assert lines[start + 1 :] == [
        "• Kabupaten Kutai Kartanegara: 4 pertanyaan, 2 terjawab (50%), 2 pendamping; siaran terkirim 1 dari 2",
        "• Kabupaten Garut: 3 pertanyaan, 1 terjawab (33%), 1 pendamping; siaran terkirim 1 dari 1",
        "• Kota Administrasi Jakarta Pusat: belum ada pertanyaan, 1 pendamping; siaran terkirim 0 dari 1",
        "• Wilayah belum dipilih: 2 pertanyaan, 1 terjawab (50%), 2 pendamping; siaran terkirim 1 dari 2",
    ]
    # the typed-name line gives way to the section
    assert not any(line.startswith("Menurut kabupaten/kota: ") for line in lines)


async def test_without_any_region_code_the_summary_is_as_before(engine):
    async with await Database.open(":memory:") as db:
        await seed_without_codes(db)
        stats = build_stats(
            await store.question_outcomes(db), await store.votes(db), await store.companions(db),
            today=TODAY, reach=await store.broadcast_reach(db),
        )  # fmt: skip
    assert not stats.has_regions
    text = stats_summary(stats, engine.messages)
    assert "Menurut kabupaten/kota: Garut 2, Kutai Kartanegara 1, Belum diisi 1" in text
    assert "paling banyak bertanya" not in text and "belum dipilih" not in text


def test_without_broadcasts_the_lines_say_nothing_about_them(engine):
    questions = [QuestionOutcome("answer", "x", day_start(TODAY), KUKAR)]
    stats = build_stats(questions, [], [Companion(None, None, KUKAR)], today=TODAY, names={KUKAR: "Kukar"})
    assert stats_summary(stats, engine.messages).splitlines()[-1] == "• Kukar: 1 pertanyaan, 1 terjawab (100%), 1 pendamping"


# --- the chart ----------------------------------------------------------------------------------


async def test_chart_has_the_kabupaten_panel_and_is_a_png(db, engine, monkeypatch):
    from matplotlib.image import imread

    panels = []
    draw = chart._kabupaten

    def spy(ax, stats, messages):
        draw(ax, stats, messages)
        panels.append(ax)

    monkeypatch.setattr(chart, "_kabupaten", spy)
    data = chart.render_chart(await stats_of(db, engine), engine.messages, SINCE)
    assert data[:8] == PNG_MAGIC
    height, width = imread(io.BytesIO(data), format="png").shape[:2]
    assert (width, height) == (1200, 1700)
    [ax] = panels
    assert ax.get_title() == "Pertanyaan menurut kabupaten/kota"
    # most asked on top (the last tick); Jakarta Pusat asked nothing and has no bar
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert labels == ["Wilayah belum dipilih", "Kabupaten Garut", "Kabupaten Kutai Kartanegara"]
    answered, rest = ax.containers
    assert [bar.get_width() for bar in answered] == [1, 1, 2]
    assert [bar.get_width() for bar in rest] == [1, 2, 2]
    assert [bar.get_x() for bar in rest] == [1, 1, 2]  # stacked after the answered part
    assert [text.get_text() for text in ax.texts] == ["2 (50%)", "3 (33%)", "4 (50%)"]


def test_chart_without_questions_still_renders(engine):
    stats = build_stats([], [], [Companion(None, None, KUKAR)], today=TODAY)
    assert chart.render_chart(stats, engine.messages)[:8] == PNG_MAGIC


# --- Telegram: /statistik as bot.telegram.admin calls it today ----------------------------------


async def test_statistik_shows_the_section_once_people_have_codes(fake_api, engine, tmp_path):
    from tests.conftest import ADMIN, running_bot

    async with running_bot(fake_api, engine, tmp_path) as application:
        # no broadcasts here: the running sender would deliver them while the test looks
        await people_and_questions(application.bot_data["services"].db)
        fake_api.user_message(ADMIN, "/statistik")
        summary = "Pertanyaan: 10"  # the last 30 days: the question from 12 days ago too
        reply = await fake_api.wait_for(lambda c: c["chat_id"] == ADMIN and summary in (c.get("text") or ""), timeout=20)
    lines = reply["text"].splitlines()
    assert "Menurut kabupaten/kota (paling banyak bertanya lebih dulu):" in lines
    assert "• Kabupaten Kutai Kartanegara: 5 pertanyaan, 3 terjawab (60%), 2 pendamping" in lines
    # the handler names each kabupaten/kota by its official name, whatever the people stored
    assert "• Kota Administrasi Jakarta Pusat: belum ada pertanyaan, 1 pendamping" in lines


# --- command line -------------------------------------------------------------------------------


@pytest.fixture
def db_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "bot.sqlite3"

    async def create() -> None:
        async with await Database.open(path) as database:
            await build(database)

    asyncio.run(create())
    monkeypatch.setenv("BOT_DB_PATH", str(path))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    return path


def table_rows(out: str) -> list[list[str]]:
    """The header and body rows of the rich table, cell by cell."""
    lines = [line.replace("┃", "│").strip() for line in out.splitlines()]
    return [[cell.strip() for cell in line.strip("│").split("│")] for line in lines if line.startswith("│")]


def test_cli_by_region_prints_the_table(db_file, capsys):
    assert main(["report", "stats", "--since", SINCE.isoformat(), "--by-region"]) == 0
    out = capsys.readouterr().out
    assert "• Kabupaten Garut: 3 pertanyaan" in out  # the summary first
    rows = table_rows(out)
    assert rows[0] == ["kabupaten/kota", "code", "questions", "answered", "answered %", "companions", "sent", "addressed"]
    assert rows[1:] == [
        ["Kabupaten Kutai Kartanegara", "64.02", "4", "2", "50%", "2", "1", "2"],
        ["Kabupaten Garut", "32.05", "3", "1", "33%", "1", "1", "1"],
        ["Kota Administrasi Jakarta Pusat", "31.71", "0", "0", "-", "1", "0", "1"],
        ["Wilayah belum dipilih", "", "2", "1", "50%", "2", "1", "2"],
    ]


def test_cli_without_the_flag_prints_no_table(db_file, capsys):
    assert main(["report", "stats", "--since", SINCE.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "Menurut kabupaten/kota (paling banyak bertanya lebih dulu):" in out and not table_rows(out)


def test_an_empty_database_has_no_region_rows():
    stats = build_stats([], [], [], today=date(2026, 11, 3))
    assert stats.by_kabupaten == () and not stats.has_regions
