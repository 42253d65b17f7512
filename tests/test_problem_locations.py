"""Where `stunting-bot content check` says a problem is: the file, the entry and the field of each
problem the mutation run (docs/benchmarks.md, "Mutation testing") found tested by message only. An
editor goes to that file and that entry, so a problem that names the wrong file (or none) is as bad
as a wrong message.

Each test writes a small content set (tests/conftest.py ``write_content``) with one fault and runs
``bot.engine.load_and_check`` on it, as `content check` does.
"""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path

from bot.content.problems import Problem
from bot.engine import load_and_check
from tests.conftest import CONTENT, VALID_FAQ, write_content

DIKLAT_ALTERNATE = "    - brp org yg ikut diklat fds di lembang\n"


def problems_of(content: Path) -> list[Problem]:
    """The problems `content check` reports, each file made absolute (it is shown relative to the
    working directory when under it)."""
    _, problems = load_and_check(content)
    return [replace(p, file=Path(p.file).resolve().as_posix()) if p.file else p for p in problems]


def at(content: Path, name: str) -> str:
    """The file a problem in ``content/<name>`` names, as ``problems_of`` shows it."""
    return (content / name).resolve().as_posix()


def where(problems: list[Problem], text: str) -> list[tuple[str, str | None, str | None, str]]:
    """(file, entry, field, severity) of every problem whose message contains ``text``."""
    return [(p.file, p.entry, p.field, p.severity) for p in problems if text in p.message]


# --- checker: phrasings, templates, as_of -------------------------------------------------------


def test_an_alternate_repeating_the_question_names_its_faq_file_entry_and_position(tmp_path: Path) -> None:
    faq = VALID_FAQ.replace(DIKLAT_ALTERNATE, "    - berapa peserta diklat p2k2/fds pkh gelombang i 2020?\n", 1)
    content = write_content(tmp_path, faq=faq)
    assert where(problems_of(content), "repeats another phrasing") == [
        (at(content, "faq/pelatihan.yaml"), "diklat-peserta", "alternates.0", "warning")
    ]


def test_a_repeated_alternate_in_a_second_faq_file_names_that_file(tmp_path: Path) -> None:
    content = write_content(tmp_path)
    (content / "faq" / "zz_lain.yaml").write_text(
        textwrap.dedent("""\
            - id: pendamping-tugas
              topic: pelatihan
              question: Apa tugas pendamping sosial PKH?
              alternates:
                - tugas pendamping pkh apa saja
                - pendamping pkh kerjanya apa
                - tugas pendamping pkh apa saja
              answer: Sekitar 40 ribu orang pendamping sosial PKH (berita 28 Agustus 2020).
              as_of: 2020-08-28
              sources:
                - seed: 000_42ea3fd0ba118eea
                  quote: "sekitar 40 ribu orang pendamping sosial PKH yang ada saat ini"
            """),
        encoding="utf-8",
    )
    assert where(problems_of(content), "repeats another phrasing") == [
        (at(content, "faq/zz_lain.yaml"), "pendamping-tugas", "alternates.2", "warning")
    ]


def test_a_malformed_message_template_names_messages_yaml_and_the_message(tmp_path: Path) -> None:
    messages = (CONTENT / "messages.yaml").read_text(encoding="utf-8")
    good = 'source_seed: "{title} ({date})"\n'
    assert messages.count(good) == 1
    content = write_content(tmp_path, messages=messages.replace(good, 'source_seed: "{title} ({date})}"\n'))
    assert where(problems_of(content), "malformed template") == [
        (at(content, "messages.yaml"), "source_seed", None, "error")
    ]


def test_an_as_of_year_that_no_source_gives_names_the_entry_and_its_as_of(tmp_path: Path) -> None:
    faq = VALID_FAQ.replace("  as_of: 2020-03-05\n", "  as_of: 2017\n", 1)
    content = write_content(tmp_path, faq=faq)
    assert where(problems_of(content), "is the year of none of the cited sources") == [
        (at(content, "faq/pelatihan.yaml"), "diklat-peserta", "as_of", "warning")
    ]


def test_an_as_of_date_that_no_source_gives_names_the_entry_and_its_as_of(tmp_path: Path) -> None:
    faq = VALID_FAQ.replace("  as_of: 2020-08-28\n", "  as_of: 2020-08-29\n", 1)
    content = write_content(tmp_path, faq=faq)
    assert where(problems_of(content), "is the date of none of the cited articles") == [
        (at(content, "faq/pelatihan.yaml"), "pendamping-jumlah", "as_of", "warning")
    ]


def test_a_figure_without_as_of_names_the_entry_and_its_as_of(tmp_path: Path) -> None:
    faq = VALID_FAQ.replace("  as_of: 2020-03-05\n", "", 1)
    content = write_content(tmp_path, faq=faq)
    assert where(problems_of(content), "which may have changed since") == [
        (at(content, "faq/pelatihan.yaml"), "diklat-peserta", "as_of", "warning")
    ]


def test_an_unknown_as_of_for_dated_sources_names_the_entry_and_its_as_of(tmp_path: Path) -> None:
    faq = VALID_FAQ.replace("  as_of: 2020-08-28\n", "  as_of: unknown\n", 1)
    content = write_content(tmp_path, faq=faq)
    assert where(problems_of(content), "as_of is unknown") == [
        (at(content, "faq/pelatihan.yaml"), "pendamping-jumlah", "as_of", "warning")
    ]


def test_an_answer_not_saying_its_date_or_year_names_the_entry_and_its_answer(tmp_path: Path) -> None:
    faq = (
        VALID_FAQ.replace(" (berita 5 Maret 2020).", ".", 1)
        .replace("  as_of: 2020-08-28\n", "  as_of: 2020\n", 1)
        .replace(" (berita 28 Agustus 2020).", ".", 1)
    )
    content = write_content(tmp_path, faq=faq)
    problems = problems_of(content)
    assert where(problems, "does not say its date") == [
        (at(content, "faq/pelatihan.yaml"), "diklat-peserta", "answer", "warning")
    ]
    assert where(problems, "does not say its year") == [
        (at(content, "faq/pelatihan.yaml"), "pendamping-jumlah", "answer", "warning")
    ]


# --- loader: lists, drafts, optional files ------------------------------------------------------


def test_a_faq_file_that_is_not_a_list_names_that_file(tmp_path: Path) -> None:
    content = write_content(tmp_path)
    (content / "faq" / "zz_lain.yaml").write_text("id: bukan-daftar\ntopic: pelatihan\n", encoding="utf-8")
    assert where(problems_of(content), "expected a list of items") == [
        (at(content, "faq/zz_lain.yaml"), None, None, "error")
    ]


def test_a_glossary_that_is_not_a_list_names_the_glossary(tmp_path: Path) -> None:
    content = write_content(tmp_path, glossary="KPM: Keluarga Penerima Manfaat\n")
    assert where(problems_of(content), "expected a list of items") == [
        (at(content, "glossary.yaml"), None, None, "error")
    ]


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    content = write_content(tmp_path, topics="- {id: pelatihan, title: Pelatihan\n")
    assert [(f, e, fld) for f, e, fld, _ in where(problems_of(content), "invalid YAML")] == [
        (at(content, "topics.yaml"), None, None)
    ]


def test_an_invalid_faq_entry_names_its_file_its_id_and_the_field(tmp_path: Path) -> None:
    faq = VALID_FAQ.replace("  question: Berapa jumlah pendamping", "  question: ''\n  x: Berapa jumlah pendamping", 1)
    content = write_content(tmp_path, faq=faq)
    found = {(p.file, p.entry, p.field) for p in problems_of(content) if p.field in ("question", "x")}
    assert found == {
        (at(content, "faq/pelatihan.yaml"), "pendamping-jumlah", "question"),
        (at(content, "faq/pelatihan.yaml"), "pendamping-jumlah", "x"),
    }


DRAFT = """\
- id: {id}
  topic: pelatihan
  question: Kapan pendaftaran pendamping PKH dibuka?
  alternates:
    - Kapan pendaftaran pendamping PKH dibuka?
{extra}  answer: Belum ada informasi jadwal pendaftaran.
"""


def write_draft(content: Path, draft_id: str, extra: str = "") -> Path:
    (content / "drafts").mkdir(exist_ok=True)
    path = content / "drafts" / "dari-jawaban.yaml"
    path.write_text(DRAFT.format(id=draft_id, extra=extra), encoding="utf-8")
    return path


def test_a_draft_reusing_an_faq_id_names_the_draft_file_and_the_id(tmp_path: Path) -> None:
    content = write_content(tmp_path)
    write_draft(content, "diklat-peserta")
    assert where(problems_of(content), "duplicate id") == [
        (at(content, "drafts/dari-jawaban.yaml"), "diklat-peserta", "id", "error")
    ]


def test_an_invalid_draft_names_the_draft_file_and_its_id(tmp_path: Path) -> None:
    content = write_content(tmp_path)
    write_draft(content, "pendaftaran-pendamping", extra="  publish: mungkin\n")
    errors = [(p.file, p.entry, p.field) for p in problems_of(content) if p.severity == "error"]
    assert errors == [(at(content, "drafts/dari-jawaban.yaml"), "pendaftaran-pendamping", "publish")]


def test_a_published_draft_listing_the_question_twice_names_the_draft_file(tmp_path: Path) -> None:
    content = write_content(tmp_path)
    published = (
        "    - Kapan pendaftaran pendamping PKH dibuka?\n"  # the asker's wording (the question), listed twice
        "  publish: true\n"
        "  sources:\n"
        "    - seed: 000_42ea3fd0ba118eea\n"
        '      quote: "sekitar 40 ribu orang pendamping sosial PKH yang ada saat ini"\n'
    )
    write_draft(content, "pendaftaran-pendamping", extra=published)
    assert where(problems_of(content), "repeats another phrasing") == [
        (at(content, "drafts/dari-jawaban.yaml"), "pendaftaran-pendamping", "alternates.1", "warning")
    ]


def test_invalid_region_aliases_name_region_aliases_yaml(tmp_path: Path) -> None:
    content = write_content(tmp_path)
    (content / "region_aliases.yaml").write_text("kind_words: 5\n", encoding="utf-8")
    found = [(p.file, p.entry) for p in problems_of(content) if p.severity == "error"]
    assert found and set(found) == {(at(content, "region_aliases.yaml"), None)}
    assert not where(problems_of(content), "file is missing")


def test_invalid_time_zones_name_time_zones_yaml(tmp_path: Path) -> None:
    content = write_content(tmp_path)
    (content / "time_zones.yaml").write_text("- WIB\n", encoding="utf-8")
    found = {p.file for p in problems_of(content) if p.severity == "error"}
    assert found == {at(content, "time_zones.yaml")}
