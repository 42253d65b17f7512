"""Admin reports from a seeded database: grouping, statistics, the chart and the CLI."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.engine import Engine
from bot.reports.chart import render_chart
from bot.reports.records import day_start
from bot.reports.stats import Stats, build_stats
from bot.reports.summary import stats_summary, unanswered_blocks
from bot.reports.unanswered import engine_normaliser, group_questions, group_with_engine
from bot.storage import Database
from bot.storage import reports as store
from tests.conftest import CONTENT, SEEDS
from tests.report_data import FIRST_DAY, LAST_DAY, seed

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def db() -> AsyncIterator[Database]:
    async with await Database.open(":memory:") as database:
        await seed(database)
        yield database


async def stats_of(db: Database, engine: Engine) -> Stats:
    start = day_start(FIRST_DAY)
    titles = {entry.id: entry.question for entry in engine.entries}
    return build_stats(
        await store.question_outcomes(db, start), await store.votes(db, start), await store.companions(db),
        today=LAST_DAY, since=FIRST_DAY, titles=titles,
    )  # fmt: skip


# --- unanswered questions -------------------------------------------------------------------


async def test_typo_variants_are_grouped_and_different_questions_kept_apart(db, engine):
    groups = group_with_engine(await store.unanswered_questions(db), engine)
    wordings = [{g.representative, *g.examples} for g in groups]
    assert wordings[0] == {
        "berapa gaji pendamping pkh sebulan", "brp gajih pendampng pkh sebulan?", "gaji pendamping PKH brp sih"
    }  # fmt: skip
    assert groups[0].count == 3 and groups[0].unanswered == 3
    assert {"kapan pencairan bansos bpnt", "kpn cair bpnt"} in wordings
    # Same words, different question: the TKSK salary is its own group.
    assert {"berapa gaji tksk"} in wordings
    # A greeting is not an unanswered question.
    assert not any("halo kak" in w for w in wordings)


async def test_a_disliked_answer_is_listed_with_the_entry_that_got_the_thumbs_down(db, engine):
    groups = group_with_engine(await store.unanswered_questions(db), engine)
    disliked = [g for g in groups if g.disliked]
    assert [(g.representative, g.disliked, g.unanswered, g.disliked_entries) for g in disliked] == [
        ("siapa sasaran program 1000 hpk", 1, 0, ("sasaran-1000-hpk",))
    ]
    # Questions answered with 👍 are not listed.
    assert not any("sapa aja" in {g.representative, *g.examples} for g in groups)


async def test_most_frequent_group_first_with_its_last_time(db, engine):
    groups = group_with_engine(await store.unanswered_questions(db), engine)
    assert [g.count for g in groups] == sorted((g.count for g in groups), reverse=True)
    blocks = unanswered_blocks(groups, engine.messages)
    assert "7 pertanyaan dalam 4 kelompok" in blocks[0]
    assert blocks[1].startswith("1. ")
    assert "Ditanyakan 3×" in blocks[1] and "2026-11-03 10:00 WIB" in blocks[1]


async def test_names_appear_only_when_asked_for(db, engine):
    rows = await store.unanswered_questions(db)
    without = group_with_engine(rows, engine)
    assert all(g.askers == () for g in without)
    assert not any("Siti" in block for block in unanswered_blocks(without, engine.messages))
    named = group_with_engine(rows, engine, with_names=True)
    assert set(named[0].askers) == {"Siti @siti_pkh", "Budi", "Ani @ani_tpk"}
    assert any("Ditanyakan oleh: Siti @siti_pkh" in block for block in unanswered_blocks(named, engine.messages))


async def test_since_leaves_out_older_questions(db, engine):
    rows = await store.unanswered_questions(db, day_start(LAST_DAY))
    groups = group_with_engine(rows, engine)
    assert sum(g.count for g in groups) == 4
    assert "berapa gaji pendamping pkh sebulan" not in {w for g in groups for w in (g.representative, *g.examples)}


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("berapa gaji pendamping pkh sebulan", "brp gajih pendampng pkh sebulan?", True),
        ("kapan pencairan bansos bpnt", "kpn cair bpnt", True),
        ("cara daftar pkh", "gmn cara daftar PKH ya kak", True),
        ("berapa gaji pendamping pkh", "berapa jumlah pendamping pkh", False),
        ("cara daftar pkh", "syarat daftar pkh apa aja", False),
        ("stunting", "apa penyebab stunting di desa", False),
        ("berapa kpm pkh di kukar", "brp jumlah pendamping pkh di kukar", False),
        # alike but about two different things: each names a subject the other does not
        ("PKH singkatan dr apa", "fds singkatan dr apa", False),
        ("pkh singkatan dari apa", "singkatan pkh apa ya", True),
        ("tugas tksk apa aja", "tugas tpk apa aja", False),
    ],
)
def test_what_counts_as_the_same_question(engine, a, b, same):
    from bot.reports.unanswered import engine_keywords, similar

    normalise = engine_normaliser(engine)
    assert similar(normalise(a), normalise(b), keywords=engine_keywords(engine)) is same


def test_grouping_without_the_engine_still_joins_reordered_wordings():
    from datetime import UTC, datetime

    from bot.reports.records import AskedQuestion

    at = datetime(2026, 11, 1, tzinfo=UTC)
    rows = [AskedQuestion(text, at, True, False) for text in ("Kapan bansos cair?", "bansos kapan cair", "apa itu stunting")]
    groups = group_questions(rows)
    assert [g.count for g in groups] == [2, 1]


# --- statistics -------------------------------------------------------------------------------


async def test_statistics_count_days_statuses_feedback_and_companions(db, engine):
    stats = await stats_of(db, engine)
    assert [(d.day.isoformat(), d.answer, d.suggest, d.none) for d in stats.days] == [
        ("2026-11-01", 1, 0, 1), ("2026-11-02", 1, 0, 2), ("2026-11-03", 2, 1, 4),
    ]  # fmt: skip
    assert (stats.total(), stats.total("answer"), stats.total("none")) == (12, 4, 7)
    assert [(e.entry_id, e.count) for e in stats.top_entries] == [("sasaran-1000-hpk", 3), ("diklat-fds-peserta", 1)]
    assert stats.top_entries[0].title == engine.by_id["sasaran-1000-hpk"].question
    assert (stats.thumbs_up, stats.thumbs_down, stats.up_ratio) == (3, 1, 0.75)
    assert stats.companions == 4
    assert dict(stats.by_role) == {"pendamping_pkh": 1, "tksk": 1, "tpk": 1, None: 1}
    # "Garut" and "garut" are one kabupaten.
    assert stats.by_region == (("Garut", 2), ("Kutai Kartanegara", 1), (None, 1))


async def test_summary_text_is_indonesian_and_has_the_numbers(db, engine):
    text = stats_summary(await stats_of(db, engine), engine.messages, FIRST_DAY)
    assert "Statistik sejak 2026-11-01 (3 hari)" in text
    assert "Pertanyaan: 12 (terjawab 4, ditawari pilihan 1, belum tercakup 7)" in text
    assert "👍 3 · 👎 1 (75% suka)" in text
    assert "Pendamping TKSK 1" not in text and "TKSK 1" in text and "Belum diisi 1" in text
    assert "Garut 2" in text


# --- the chart --------------------------------------------------------------------------------


def assert_png(data: bytes) -> None:
    from matplotlib.image import imread

    assert data[:8] == PNG_MAGIC
    assert 10_000 < len(data) < 3_000_000
    height, width = imread(io.BytesIO(data), format="png").shape[:2]
    assert (width, height) == (1200, 1700)


async def test_chart_is_a_real_png_with_every_panel(db, engine):
    assert_png(render_chart(await stats_of(db, engine), engine.messages, FIRST_DAY))


def test_chart_of_an_empty_database_still_renders(engine):
    from datetime import date

    stats = build_stats([], [], [], today=date(2026, 11, 3))
    assert_png(render_chart(stats, engine.messages))


# --- command line -----------------------------------------------------------------------------


@pytest.fixture
def seeded_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "bot.sqlite3"

    async def create() -> None:
        async with await Database.open(path) as database:
            await seed(database)

    asyncio.run(create())
    monkeypatch.setenv("BOT_DB_PATH", str(path))
    monkeypatch.setenv("COLUMNS", "220")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    return path


def test_cli_unanswered_csv_is_parseable_and_has_no_names_by_default(seeded_file, capsys):
    assert main(["report", "unanswered", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["count"] == "3" and rows[0]["unanswered"] == "3"
    assert {rows[0]["question"], *rows[0]["other_wordings"].split(" | ")} == {
        "berapa gaji pendamping pkh sebulan", "brp gajih pendampng pkh sebulan?", "gaji pendamping PKH brp sih"
    }  # fmt: skip
    assert rows[0]["last_asked"].startswith("2026-11-03")
    assert "asked_by" not in rows[0] and "Siti" not in out


def test_cli_unanswered_names_only_with_the_flag(seeded_file, capsys):
    assert main(["report", "unanswered", "--format", "csv", "--names"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert "Siti @siti_pkh" in rows[0]["asked_by"]


def test_cli_unanswered_table_shows_the_group(seeded_file, capsys):
    assert main(["report", "unanswered", "--since", "2026-11-02"]) == 0
    out = capsys.readouterr().out
    assert "6 unanswered or disliked question(s)" in out
    assert "brp gajih pendampng pkh sebulan?" in out and "kpn cair bpnt" in out


def test_cli_stats_prints_the_summary_and_writes_the_png(seeded_file, tmp_path, capsys):
    png = tmp_path / "stats.png"
    assert main(["report", "stats", "--since", "2026-11-01", "--png", str(png)]) == 0
    out = capsys.readouterr().out
    assert "Pertanyaan: 12 (terjawab 4" in out and "👍 3 · 👎 1" in out
    assert_png(png.read_bytes())


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "unanswered", "--since", "kemarin"],
        ["report", "stats", "--since", "2026-02-30"],
        ["report", "stats", "--png", "/nonexistent-dir/x.png"],
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(seeded_file, capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: ")


# --- content schema ---------------------------------------------------------------------------


class EditorLoader(yaml.SafeLoader):
    """YAML as an editor's schema validator reads it (YAML 1.2 core schema): a date such as
    ``as_of: 2020-08-28`` is a string, which the JSON schema gives the "date" format."""


EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def test_content_schema_validates_every_shipped_content_file(tmp_path, capsys, monkeypatch):
    jsonschema = pytest.importorskip("jsonschema")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["content", "schema", "--out", str(tmp_path / "schemas")]) == 0
    schemas = {p.name.removesuffix(".schema.json"): json.loads(p.read_text()) for p in (tmp_path / "schemas").iterdir()}
    assert set(schemas) == {
        "faq", "glossary", "lexicon", "topics", "messages", "regions", "region-aliases", "time-zones", "calendar",
        "urgent", "seeds-index",
    }  # fmt: skip
    files = {
        "glossary": [CONTENT / "glossary.yaml"], "lexicon": [CONTENT / "lexicon.yaml"],
        "topics": [CONTENT / "topics.yaml"], "messages": [CONTENT / "messages.yaml"],
        "seeds-index": [SEEDS / "index.yaml"], "faq": sorted((CONTENT / "faq").glob("*.yaml")),
        "regions": [CONTENT / "regions.yaml"], "region-aliases": [CONTENT / "region_aliases.yaml"],
        "time-zones": [CONTENT / "time_zones.yaml"], "calendar": [CONTENT / "calendar.yaml"],
        "urgent": [CONTENT / "urgent.yaml"],
    }  # fmt: skip
    for name, paths in files.items():
        validator = jsonschema.Draft202012Validator(schemas[name])
        validator.check_schema(schemas[name])
        for path in paths:
            errors = list(validator.iter_errors(yaml.load(path.read_text(encoding="utf-8"), EditorLoader)))
            assert not errors, f"{path}: {errors[0].message}"
    # ... and still catches what content check would: an entry without sources.
    faq = jsonschema.Draft202012Validator(schemas["faq"])
    entry = {"id": "x", "topic": "t", "question": "q", "alternates": ["a", "b", "c"], "answer": "a", "sources": []}
    assert not faq.is_valid([entry])
    assert not jsonschema.Draft202012Validator(schemas["messages"]).is_valid({"tg_start": ""})
