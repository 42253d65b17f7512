"""Trust guards (issue #13 §1): `content check` refuses a figure no source states, warns on a name no
quote holds and on an undated office holder or figure, and a question about now is told the source's date.

Each test builds a one-entry content set on disk (the real seeds, the shipped lexicon and calendar) and
reads what `content check` would report; the reply tests ask the shipped engine.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.content.knowledge import SourceRef
from bot.content.problems import Problem
from bot.engine import Engine, load_and_check
from bot.reply_text import reply_text, source_line
from tests.conftest import CONTENT, write_content

# Seeds and verbatim quotes from seeds/original/.
TANOTO = "000_42ea3fd0ba118eea"  # Jumat, 28 Agustus 2020
DIKLAT = "001_13326a4c87abcdf1"  # 5 Maret 2020
JAKPUS = "002_e301b5fa628fe7d7"  # "Kamis 5/10", no year
KUKAR = "004_fd09f261e47bc23b"  # no date
PENDAMPING = "sekitar 40 ribu orang pendamping sosial PKH yang ada saat ini"
PESERTA = "yang diikuti oleh 120 orang yang berasal dari berbagai Kota/Kabupaten di wilayah Jawa Barat"
CAPAIAN = "telah memberikan konstribusi melebihi target ditetapkan 1%, sedangkan capaian 1,03%"
KOLABORATOR = "program intervensi terhadap balita stunting telah melibatkan delapan kolaborator sebagai orang tua asuh"
WALI_KOTA = "Wali Kota Jakarta Pusat, Dhany Sukma mengatakan"
MENSOS = "Mensos Juliari menyebutkan kerja sama Kemensos bersama Tanoto Foundation ini patut didukung"
TANGGAL_DIKLAT = "dimulai dari tanggal 5 – 14 Maret 2020"
KEMISKINAN = "Persentase penduduk miskin pada Maret 2019 sebesar 9,41"
TANOTO_KERJA_SAMA = "menjalin kerja sama dengan Tanoto Foundation untuk mengembangkan sumber daya manusia (SDM)"
KUKAR_1000_HPK = "penurunan stunting di Kukar) difokuskan melalui pendekatan keluarga sasaran 1000 HPK yaitu ibu hamil, bayi dan balita"
SYAHABUDDIN = "Penyuluhan Sosial (BP3S) Prof Syahabuddin, mengatakan PKH merupakan salah satu program unggulan pemerintah"

ENTRY = "uji-kepercayaan"
# What the trust guards say (bot/content/checker.py); every other problem is left alone.
TRUST_MESSAGES = ("occur in none of", "as_of", "does not say its")

_UNSET = object()


def seed(seed_id: str, quote: str) -> dict[str, str]:
    return {"seed": seed_id, "quote": quote}


def reference(*states: str, title: str = "Peraturan Presiden tentang Percepatan Penurunan Stunting") -> dict:
    found: dict = {"title": title, "issuer": "Presiden Republik Indonesia", "year": 2021}
    if states:
        found["states"] = list(states)
    return found


def faq(answer: str, *sources: dict, as_of: object = _UNSET, clarification: str | None = None) -> str:
    """One FAQ entry as YAML (as_of: a date, a year or "unknown"; left out when not given)."""
    entry: dict = {
        "id": ENTRY,
        "topic": "pelatihan",
        "question": "Pertanyaan uji untuk pemeriksaan kepercayaan?",
        "alternates": ["pertanyaan uji satu", "pertanyaan uji dua", "pertanyaan uji tiga"],
        "answer": answer,
    }
    if clarification is not None:
        entry["clarification"] = clarification
    if as_of is not _UNSET:
        entry["as_of"] = as_of
    entry["sources"] = list(sources) or [seed(TANOTO, PENDAMPING)]
    return yaml.safe_dump([entry], allow_unicode=True, sort_keys=False)


def trust(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if any(text in p.message for text in TRUST_MESSAGES)]


def trust_problems_of(tmp_path: Path, faq_text: str, **files: str) -> list[Problem]:
    content, problems = load_and_check(write_content(tmp_path, faq=faq_text, **files))
    assert content is not None, problems
    assert not [p for p in problems if p.severity == "error" and p not in trust(problems)], problems
    return trust(problems)


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def warnings(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "warning"]


# --- 1. A figure no source states is an error -------------------------------------------------------

# (answer, sources, as_of, the number the error names)
UNSOURCED_FIGURES = {
    "a count": (
        "Menurut berita 5 Maret 2020, diklat diikuti 121 orang dari Jawa Barat.",
        [seed(DIKLAT, PESERTA)], date(2020, 3, 5), "121",
    ),
    "a percentage": (
        "Menurut berita 5 Maret 2020, capaiannya 1,04% dari target 1%.",
        [seed(DIKLAT, CAPAIAN)], date(2020, 3, 5), "1,04",
    ),
    "a percentage a reference does not state": (
        "Target prevalensi stunting nasional 15 persen pada tahun 2024 (Perpres 2021).",
        [reference("14% pada tahun 2024")], 2021, "15",
    ),
    "a scaled figure": (
        "Menurut berita 28 Agustus 2020, ada sekitar 50 ribu orang pendamping sosial PKH.",
        [seed(TANOTO, PENDAMPING)], date(2020, 8, 28), "50000",
    ),
    "a spelled number": (
        "Program itu melibatkan sembilan kolaborator sebagai orang tua asuh balita stunting.",
        [seed(JAKPUS, KOLABORATOR)], "unknown", "9",
    ),
    "a year": (
        "Menurut berita 28 Agustus 2020, pendamping sosial PKH ada sekitar 40 ribu orang sejak 2018.",
        [seed(TANOTO, PENDAMPING)], date(2020, 8, 28), "2018",
    ),
}


@pytest.mark.parametrize("kind", UNSOURCED_FIGURES)
def test_a_figure_no_source_states_is_an_error_naming_it(kind, tmp_path):
    answer, sources, as_of, number = UNSOURCED_FIGURES[kind]
    found = errors(trust_problems_of(tmp_path, faq(answer, *sources, as_of=as_of)))
    assert len(found) == 1, found
    assert found[0].entry == ENTRY and found[0].field == "answer"
    assert f"number(s) {number} occur in none of" in found[0].message


# (answer, sources, as_of): each figure the source gives, written another way
SOURCED_FIGURES = {
    "the quoted count": (
        "Menurut berita 5 Maret 2020, diklat diikuti 120 orang dari Jawa Barat.",
        [seed(DIKLAT, PESERTA)], date(2020, 3, 5),
    ),
    "a decimal percentage written as persen": (
        "Menurut berita 5 Maret 2020, capaiannya 1,03 persen dari target 1 persen.",
        [seed(DIKLAT, CAPAIAN)], date(2020, 3, 5),
    ),
    "40.000 for 40 ribu": (
        "Menurut berita 28 Agustus 2020, ada sekitar 40.000 orang pendamping sosial PKH.",
        [seed(TANOTO, PENDAMPING)], date(2020, 8, 28),
    ),
    "40000 for 40 ribu": (
        "Menurut berita 28 Agustus 2020, ada sekitar 40000 orang pendamping sosial PKH.",
        [seed(TANOTO, PENDAMPING)], date(2020, 8, 28),
    ),
    "14 persen for 14%, given by the reference's states": (
        "Target prevalensi stunting nasional 14 persen pada tahun 2024 (Perpres 2021).",
        [reference("14% pada tahun 2024")], 2021,
    ),
    "empat belas persen for 14%": (
        "Target prevalensi stunting nasional empat belas persen pada tahun 2024 (Perpres 2021).",
        [reference("14% pada tahun 2024")], 2021,
    ),
    "the spelled number": (
        "Program itu melibatkan delapan kolaborator sebagai orang tua asuh balita stunting.",
        [seed(JAKPUS, KOLABORATOR)], "unknown",
    ),
    "the spelled number in digits": (
        "Program itu melibatkan 8 kolaborator sebagai orang tua asuh balita stunting.",
        [seed(JAKPUS, KOLABORATOR)], "unknown",
    ),
    "the article's date, written with a slash": (
        "Menurut berita 5/3/2020, diklat diikuti 120 orang dari Jawa Barat.",
        [seed(DIKLAT, PESERTA)], date(2020, 3, 5),
    ),
    "a numbered list": (
        "Menurut berita 5 Maret 2020: 1) diklat diikuti 120 orang; 2) pesertanya dari Jawa Barat.",
        [seed(DIKLAT, PESERTA)], date(2020, 3, 5),
    ),
}


@pytest.mark.parametrize("kind", SOURCED_FIGURES)
def test_a_figure_the_source_gives_passes_however_it_is_written(kind, tmp_path):
    answer, sources, as_of = SOURCED_FIGURES[kind]
    assert trust_problems_of(tmp_path, faq(answer, *sources, as_of=as_of)) == []


def test_a_reference_figure_counts_only_because_its_states_give_it(tmp_path):
    answer = "Target prevalensi stunting nasional 14 persen pada tahun 2024 (Perpres 2021)."
    assert trust_problems_of(tmp_path / "with", faq(answer, reference("14% pada tahun 2024"), as_of=2021)) == []
    without = errors(trust_problems_of(tmp_path / "without", faq(answer, reference(), as_of=2021)))
    assert [p.field for p in without] == ["answer"]
    assert "number(s) 14, 2024 occur in none of" in without[0].message


def test_the_reference_title_and_year_back_the_numbers_that_name_it(tmp_path):
    cited = reference("14% pada tahun 2024", title="Peraturan Presiden Nomor 72 Tahun 2021")
    answer = "Peraturan Presiden Nomor 72 Tahun 2021 menetapkan target 14 persen pada tahun 2024."
    assert trust_problems_of(tmp_path, faq(answer, cited, as_of=2021)) == []


def test_a_figure_in_the_clarification_is_checked_too(tmp_path):
    text = faq(
        "Menurut berita 28 Agustus 2020, ada sekitar 40 ribu orang pendamping sosial PKH.",
        seed(TANOTO, PENDAMPING),
        as_of=date(2020, 8, 28),
        clarification="Artinya ada sekitar 45 ribu pendamping.",
    )
    found = errors(trust_problems_of(tmp_path, text))
    assert [(p.field, "45000" in p.message) for p in found] == [("clarification", True)]


def test_a_figure_in_a_glossary_meaning_is_checked_too(tmp_path):
    def glossary(meaning: str) -> str:
        term = {"term": "HPK", "meanings": [
            {"expansion": "Hari Pertama Kehidupan", "meaning": meaning, "sources": [seed(KUKAR, KUKAR_1000_HPK)]},
        ]}  # fmt: skip
        return yaml.safe_dump([term], allow_unicode=True, sort_keys=False)

    good = glossary("Sasarannya 1000 HPK: ibu hamil, bayi dan balita.")
    bad = glossary("Sasarannya 1200 HPK: ibu hamil, bayi dan balita.")
    ok = faq("Menurut berita 28 Agustus 2020, ada sekitar 40 ribu orang pendamping sosial PKH.", as_of=date(2020, 8, 28))
    assert errors(trust_problems_of(tmp_path / "good", ok, glossary=good)) == []
    found = errors(trust_problems_of(tmp_path / "bad", ok, glossary=bad))
    assert [(p.entry, p.field) for p in found] == [("HPK", "meanings.0.meaning")]
    assert "number(s) 1200 occur in none of" in found[0].message


def test_the_cli_fails_on_an_unsourced_figure(tmp_path, capsys):
    from bot.cli import main

    text = faq("Menurut berita 5 Maret 2020, diklat diikuti 121 orang.", seed(DIKLAT, PESERTA), as_of=date(2020, 3, 5))
    code = main(["content", "check", str(write_content(tmp_path, faq=text))])
    out = " ".join(capsys.readouterr().out.split())
    assert code == 1
    assert f"entry '{ENTRY}', field 'answer': number(s) 121 occur in none of" in out


# --- 2. A capitalised name no quote holds is a warning ----------------------------------------------


def name_warnings(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if "name(s)" in p.message]


def test_a_name_no_quote_holds_is_one_warning_naming_it(tmp_path):
    answer = "Menurut berita 28 Agustus 2020, kata Budi ada sekitar 40 ribu orang pendamping sosial PKH."
    found = trust_problems_of(tmp_path, faq(answer, as_of=date(2020, 8, 28)))
    assert [(p.severity, p.field) for p in found] == [("warning", "answer")]
    assert "name(s) Budi occur in none of the entry's quotes" in found[0].message


def test_a_name_the_quote_holds_passes(tmp_path):
    answer = "Menurut berita 5 Maret 2020, Prof Syahabuddin mengatakan PKH merupakan program unggulan pemerintah."
    quoted = faq(answer, seed(DIKLAT, SYAHABUDDIN), as_of=date(2020, 3, 5))
    assert trust_problems_of(tmp_path / "quoted", quoted) == []
    # the same answer over a quote of the same article that does not name him
    unquoted = faq(answer, seed(DIKLAT, PESERTA), as_of=date(2020, 3, 5))
    found = name_warnings(trust_problems_of(tmp_path / "unquoted", unquoted))
    assert len(found) == 1 and "name(s) Prof, Syahabuddin occur" in found[0].message


def test_a_word_of_the_answer_vocabulary_passes(tmp_path):
    # "Anda" is in answer_vocabulary (content/lexicon.yaml), and in neither the quote nor the article's title
    answer = "Seperti yang Anda tanyakan, program itu melibatkan delapan kolaborator sebagai orang tua asuh."
    text = faq(answer, seed(JAKPUS, KOLABORATOR), as_of="unknown")
    assert trust_problems_of(tmp_path / "listed", text) == []
    lexicon = (CONTENT / "lexicon.yaml").read_text(encoding="utf-8")
    assert "Kementerian, Anda, " in lexicon
    unlisted = lexicon.replace("Kementerian, Anda, ", "Kementerian, ", 1)
    found = name_warnings(trust_problems_of(tmp_path / "unlisted", text, lexicon=unlisted))
    assert len(found) == 1 and "name(s) Anda occur" in found[0].message


def test_the_glossary_expansion_of_a_term_the_answer_uses_passes(tmp_path):
    # the test glossary (tests/conftest.py) spells KPM out as Keluarga Penerima Manfaat
    glossed = "Menurut berita 28 Agustus 2020, pendamping sosial PKH mendampingi KPM (Keluarga Penerima Manfaat)."
    assert trust_problems_of(tmp_path / "glossed", faq(glossed, as_of=date(2020, 8, 28))) == []
    # without the term, the expansion is a name like any other
    bare = "Menurut berita 28 Agustus 2020, pendamping sosial PKH mendampingi Keluarga Penerima Manfaat."
    found = name_warnings(trust_problems_of(tmp_path / "bare", faq(bare, as_of=date(2020, 8, 28))))
    assert len(found) == 1 and "name(s) Keluarga, Penerima, Manfaat occur" in found[0].message


# --- 3. as_of: the date an answer holds for --------------------------------------------------------


def as_of_warnings(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "warning" and "name(s)" not in p.message]


@pytest.mark.parametrize(
    ("answer", "source", "what"),
    [
        ("Wali Kota Jakarta Pusat, Dhany Sukma mengatakan hal itu.", seed(JAKPUS, WALI_KOTA), "a person in office ('wali kota')"),
        ("Kerja sama Kemensos bersama Tanoto Foundation didukung Mensos Juliari.", seed(TANOTO, MENSOS), "a person in office ('mensos')"),
        ("Ada sekitar 40 ribu orang pendamping sosial PKH.", seed(TANOTO, PENDAMPING), "a figure (40000)"),
    ],
    ids=["wali kota", "mensos", "figure"],
)
def test_an_office_holder_or_figure_without_as_of_is_a_warning(tmp_path, answer, source, what):
    found = as_of_warnings(trust_problems_of(tmp_path, faq(answer, source)))
    assert [p.field for p in found] == ["as_of"]
    assert f"the answer names {what}, which may have changed since" in found[0].message


def test_an_answer_naming_no_office_holder_nor_figure_needs_no_as_of(tmp_path):
    # "menteri" in lower case describes an office, it names no one
    answer = "Pendamping sosial PKH dibina oleh menteri yang menyelenggarakan urusan sosial."
    assert trust_problems_of(tmp_path, faq(answer, seed(TANOTO, PENDAMPING))) == []


def test_the_number_of_a_cited_regulation_is_no_figure_needing_as_of(tmp_path):
    cited = reference(title="Peraturan Presiden Nomor 72 Tahun 2021")
    answer = "Hal itu diatur dalam Peraturan Presiden Nomor 72 Tahun 2021."
    assert trust_problems_of(tmp_path, faq(answer, cited)) == []


@pytest.mark.parametrize(
    ("answer", "source", "as_of"),
    [
        ("Menurut berita 28 Agustus 2020, Mensos Juliari mendukung kerja sama dengan Tanoto Foundation.", seed(TANOTO, MENSOS),
         date(2020, 8, 28)),
        ("Menurut berita 28 Agustus 2020, ada sekitar 40 ribu orang pendamping sosial PKH.",
         seed(TANOTO, PENDAMPING), date(2020, 8, 28)),
        # a date the quote gives a fact for, though not the article's (5 Maret 2020)
        ("Diklat berlangsung sampai 14 Maret 2020 (berita 5 Maret 2020).", seed(DIKLAT, TANGGAL_DIKLAT),
         date(2020, 3, 14)),
        # a year the quote gives a figure for
        ("Persentase penduduk miskin pada Maret 2019 sebesar 9,41 (berita 5 Maret 2020).",
         seed(DIKLAT, KEMISKINAN), 2019),
        # the year of the article
        ("Menurut berita tahun 2020, ada sekitar 40 ribu orang pendamping sosial PKH.",
         seed(TANOTO, PENDAMPING), 2020),
    ],
    ids=["office, article date", "figure, article date", "date in the quote", "year in the quote", "article year"],
)
def test_as_of_of_the_source_said_in_the_answer_passes(tmp_path, answer, source, as_of):
    assert trust_problems_of(tmp_path, faq(answer, source, as_of=as_of)) == []


def test_as_of_that_is_not_the_cited_article_date_is_a_warning(tmp_path):
    # 5 Maret 2020 is the diklat article's date, not the Tanoto one's (28 Agustus 2020)
    answer = "Menurut berita 28 Agustus 2020, ada sekitar 40 ribu orang pendamping sosial PKH."
    found = as_of_warnings(trust_problems_of(tmp_path, faq(answer, as_of=date(2020, 3, 5))))
    assert [p.field for p in found] == ["as_of"]
    assert "as_of 2020-03-05 is the date of none of the cited articles" in found[0].message
    assert "2020-08-28" in found[0].message  # the date it should be


def test_as_of_year_that_no_source_gives_is_a_warning(tmp_path):
    answer = "Menurut berita tahun 2020, ada sekitar 40 ribu orang pendamping sosial PKH."
    found = as_of_warnings(trust_problems_of(tmp_path, faq(answer, as_of=2019)))
    assert [p.field for p in found] == ["as_of"]
    assert "as_of 2019 is the year of none of the cited sources" in found[0].message


def test_an_answer_that_does_not_say_its_as_of_date_is_a_warning(tmp_path):
    answer = "Ada sekitar 40 ribu orang pendamping sosial PKH."
    found = as_of_warnings(trust_problems_of(tmp_path, faq(answer, as_of=date(2020, 8, 28))))
    assert [p.field for p in found] == ["answer"]
    assert "the answer does not say its date (as_of 2020-08-28)" in found[0].message


def test_an_answer_that_does_not_say_its_as_of_year_is_a_warning(tmp_path):
    answer = "Target prevalensi stunting nasional 14 persen pada tahun 2024."
    found = as_of_warnings(trust_problems_of(tmp_path, faq(answer, reference("14% pada tahun 2024"), as_of=2021)))
    assert [p.field for p in found] == ["answer"]
    assert "the answer does not say its year (as_of 2021)" in found[0].message


def test_as_of_unknown_with_a_dated_article_is_a_warning(tmp_path):
    answer = "Ada sekitar 40 ribu orang pendamping sosial PKH."
    found = as_of_warnings(trust_problems_of(tmp_path, faq(answer, as_of="unknown")))
    assert [p.field for p in found] == ["as_of"]
    assert "as_of is unknown, but the cited sources are dated (2020-08-28)" in found[0].message


@pytest.mark.parametrize(
    ("answer", "source"),
    [
        ("Sasaran konvergensi di Kukar adalah keluarga 1000 HPK: ibu hamil, bayi dan balita.",
         seed(KUKAR, KUKAR_1000_HPK)),  # the article states no date
        ("Program itu melibatkan delapan kolaborator sebagai orang tua asuh balita stunting.",
         seed(JAKPUS, KOLABORATOR)),  # "Kamis 5/10": no year
    ],
    ids=["no date", "no year"],
)
def test_as_of_unknown_with_an_undated_article_passes(tmp_path, answer, source):
    assert trust_problems_of(tmp_path / "unknown", faq(answer, source, as_of="unknown")) == []
    # and the figure of such an answer does need that as_of
    assert [p.field for p in as_of_warnings(trust_problems_of(tmp_path / "unset", faq(answer, source)))] == ["as_of"]


# --- 4. The shipped content keeps every claim inside its sources -------------------------------------


def test_the_shipped_content_has_no_trust_warning_or_error():
    content, problems = load_and_check(CONTENT)
    assert content is not None
    assert trust(problems) == [], "\n".join(map(str, trust(problems)))
    # the guard does look at the shipped entries: the dated ones say their date
    assert sum(entry.as_of is not None for entry in content.faq) >= 10


# --- 5. Replies: a question about now is told the source's date ----------------------------------------


def test_a_question_about_now_is_told_the_source_date(engine):
    reply = engine.ask("berapa jumlah pendamping pkh sekarang")
    assert reply.status == "answer" and reply.entry is not None and reply.entry.id == "jumlah-pendamping-pkh"
    text = reply_text(reply, engine.messages)
    note = engine.messages.get("answer_as_of_note", date="28 Agustus 2020")
    assert note in text
    assert text.index(reply.entry.answer) < text.index(note) < text.index(engine.messages.get("source_heading"))


def test_skrg_asks_about_now_too(engine):
    reply = engine.ask("jumlah pendamping pkh skrg brp")
    assert reply.asks_now and reply.entry is not None and reply.entry.id == "jumlah-pendamping-pkh"
    assert engine.messages.get("answer_as_of_note", date="28 Agustus 2020") in reply_text(reply, engine.messages)


def test_the_same_question_not_about_now_gets_no_note(engine):
    reply = engine.ask("berapa jumlah pendamping pkh")
    assert reply.status == "answer" and reply.entry is not None and reply.entry.id == "jumlah-pendamping-pkh"
    assert not reply.asks_now
    text = reply_text(reply, engine.messages)
    assert engine.messages.get("answer_as_of_note", date="28 Agustus 2020") not in text
    assert engine.messages.get("answer_undated_note") not in text


def test_a_question_about_now_on_an_undated_source_is_told_it_states_no_date(engine):
    reply = engine.ask("apa harapan sekda kukar sekarang")
    assert reply.status == "answer" and reply.entry is not None and reply.entry.id == "sekda-kukar-harapan"
    assert reply.entry.as_of == "unknown"
    text = reply_text(reply, engine.messages)
    assert engine.messages.get("answer_undated_note") in text
    assert engine.messages.get("answer_undated_note") not in reply_text(engine.ask("apa harapan sekda kukar"), engine.messages)


def test_the_as_of_date_reads_as_people_write_it(engine):
    by_id = {entry.id: entry for entry in engine.entries}
    assert by_id["jumlah-pendamping-pkh"].as_of_text == "28 Agustus 2020"
    assert by_id["target-stunting-nasional"].as_of_text == "2021"
    assert by_id["sekda-kukar-harapan"].as_of_text is None


def test_the_source_line_shows_the_outlet_only_when_there_is_one(engine):
    messages = engine.messages
    dated = SourceRef(seed=TANOTO, title="Judul berita", date="Jumat, 28 Agustus 2020", outlet="Antara")
    undated = SourceRef(seed=KUKAR, title="Judul berita", outlet="Antara")
    assert "Antara" in source_line(dated, messages) and "28 Agustus 2020" in source_line(dated, messages)
    assert "Antara" in source_line(undated, messages)
    plain = SourceRef(seed=TANOTO, title="Judul berita", date="Jumat, 28 Agustus 2020")
    assert source_line(plain, messages) == messages.get("source_seed", title="Judul berita", date="Jumat, 28 Agustus 2020")
    assert source_line(SourceRef(seed=KUKAR, title="Judul berita"), messages) == messages.get(
        "source_seed_undated", title="Judul berita"
    )


def test_the_outlet_of_the_seed_index_reaches_the_reply(tmp_path):
    content_dir = write_content(tmp_path)
    index = tmp_path / "seeds" / "index.yaml"
    text = index.read_text(encoding="utf-8")
    marker = f"- id: {TANOTO}\n"
    start = text.index(marker)
    head, tail = text[:start], text[start:]
    index.write_text(head + tail.replace("  outlet: null\n", "  outlet: Antara\n", 1), encoding="utf-8")
    engine = Engine.from_directory(content_dir)
    tanoto = engine.ask("berapa jumlah pendamping sosial pkh")
    diklat = engine.ask("berapa peserta diklat p2k2 fds pkh gelombang i 2020")
    assert tanoto.entry is not None and tanoto.entry.id == "pendamping-jumlah"
    assert diklat.entry is not None and diklat.entry.id == "diklat-peserta"
    assert "Antara" in reply_text(tanoto, engine.messages)
    assert "Antara" not in reply_text(diklat, engine.messages)  # its article names no outlet
