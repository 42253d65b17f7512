"""`stunting-bot content check`: the shipped content passes; every kind of problem is named precisely."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import CONTENT, VALID_FAQ, VALID_GLOSSARY, write_content


def check(capsys: pytest.CaptureFixture[str], content_dir: Path) -> tuple[int, str]:
    code = main(["content", "check", str(content_dir)])
    out = capsys.readouterr().out
    return code, " ".join(out.split())  # rich wraps long lines; compare on single spaces


def test_shipped_content_passes_with_every_quote_verified(capsys):
    code, out = check(capsys, CONTENT)
    assert code == 0, out
    assert "all quotes verified" in out
    assert "error" not in out


def test_small_valid_fixture_passes(tmp_path, capsys):
    code, out = check(capsys, write_content(tmp_path))
    assert code == 0, out


def edit(*replacements: tuple[str, str]) -> str:
    """VALID_FAQ with each (old, new) replaced once: one bad fixture per kind of problem."""
    text = VALID_FAQ
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


FAQ_PROBLEMS = {
    "bad YAML, with the line": (
        edit(("  topic: pelatihan\n", "  topic: [pelatihan\n")),
        ["faq/pelatihan.yaml", "invalid YAML at line 3"],
    ),
    "missing field": (
        edit(("  answer: Sekitar 40 ribu orang pendamping sosial PKH (berita 28 Agustus 2020).\n", "")),
        ["entry 'pendamping-jumlah', field 'answer': Field required"],
    ),
    "too few alternates": (
        edit(("    - jumlah peserta diklat p2k2 tahun 2020\n", ""), ("    - peserta diklat fds pkh dari mana aja\n", "")),
        ["entry 'diklat-peserta', field 'alternates'", "at least 3"],
    ),
    "invalid id": (
        edit(("- id: diklat-peserta", "- id: Diklat Peserta!")),
        ["entry 'Diklat Peserta!', field 'id'"],
    ),
    "duplicate id": (
        edit(("- id: pendamping-jumlah", "- id: diklat-peserta"), ("  related: [pendamping-jumlah]\n", "")),
        ["entry 'diklat-peserta', field 'id': duplicate id"],
    ),
    "unknown topic": (
        edit(("  topic: pelatihan\n", "  topic: keuangan\n")),
        ["entry 'diklat-peserta', field 'topic': unknown topic 'keuangan'"],
    ),
    "dangling related": (
        edit(("related: [pendamping-jumlah]", "related: [tidak-ada]")),
        ["entry 'diklat-peserta', field 'related': unknown entry id 'tidak-ada'"],
    ),
    "quote not in the article": (
        edit(("yang diikuti oleh 120 orang", "yang diikuti oleh 150 orang")),
        ["entry 'diklat-peserta', field 'sources.0.quote': quote does not occur in seed"],
    ),
    "quote that is in another article than the one cited": (
        # the quote is verbatim in 000_42ea3fd0ba118eea, but the entry cites 001_13326a4c87abcdf1
        edit((
            '    - seed: 000_42ea3fd0ba118eea\n      quote: "sekitar 40 ribu',
            '    - seed: 001_13326a4c87abcdf1\n      quote: "sekitar 40 ribu',
        )),
        ["entry 'pendamping-jumlah', field 'sources.0.quote': quote does not occur in seed '001_13326a4c87abcdf1'"],
    ),
    "unknown seed": (
        edit(("seed: 001_13326a4c87abcdf1", "seed: 009_tidak_ada")),
        ["entry 'diklat-peserta', field 'sources.0.seed': unknown seed '009_tidak_ada'"],
    ),
    "answer over Telegram's limit": (
        edit(("  answer: Sekitar 40 ribu orang pendamping sosial PKH (berita 28 Agustus 2020).", "  answer: " + "Jawaban panjang. " * 260)),
        ["entry 'pendamping-jumlah', field 'answer':", "Telegram allows 4096"],
    ),
    "reference without issuer and year": (
        edit(
            (
                '    - seed: 000_42ea3fd0ba118eea\n      quote: "sekitar 40 ribu orang pendamping sosial PKH yang ada saat ini"',
                "    - title: Laporan tanpa penerbit",
            )
        ),
        [
            "entry 'pendamping-jumlah', field 'sources.0.issuer': Field required",
            "entry 'pendamping-jumlah', field 'sources.0.year': Field required",
        ],
    ),
}


@pytest.mark.parametrize("kind", FAQ_PROBLEMS)
def test_each_kind_of_faq_problem_is_named_with_file_entry_and_field(kind, tmp_path, capsys):
    faq, expected = FAQ_PROBLEMS[kind]
    code, out = check(capsys, write_content(tmp_path, faq=faq))
    assert code == 1
    for text in expected:
        assert text in out


def test_quote_matches_whitespace_insensitively(tmp_path, capsys):
    spaced = VALID_FAQ.replace(
        '"yang diikuti oleh 120 orang yang berasal', '"yang   diikuti\\n oleh 120 orang yang\\tberasal', 1
    )
    code, out = check(capsys, write_content(tmp_path, faq=spaced))
    assert code == 0, out


def test_glossary_term_without_expansion(tmp_path, capsys):
    broken = VALID_GLOSSARY.replace("    - expansion: Kader Pembangunan Manusia\n      meaning:", "    - meaning:", 1)
    code, out = check(capsys, write_content(tmp_path, glossary=broken))
    assert code == 1
    assert "glossary.yaml, entry 'KPM', field 'meanings.1.expansion': Field required" in out


def test_missing_message_and_unknown_placeholder(tmp_path, capsys):
    messages = (CONTENT / "messages.yaml").read_text(encoding="utf-8")
    messages = "\n".join(line for line in messages.splitlines() if not line.startswith("chat_bye:"))
    messages = messages.replace('suggest_item: "{number}. {question}"', 'suggest_item: "{nomor}. {question}"')
    code, out = check(capsys, write_content(tmp_path, messages=messages))
    assert code == 1
    assert "messages.yaml, entry 'chat_bye': message is missing" in out
    assert "entry 'suggest_item': unknown placeholder(s) ['nomor']" in out


def test_alternate_that_matches_another_entry_better_is_a_warning(tmp_path, capsys):
    confusing = VALID_FAQ.replace(
        "    - peserta diklat fds pkh dari mana aja\n", "    - jumlah pendamping sosial pkh yang ada saat ini\n", 1
    )
    code, out = check(capsys, write_content(tmp_path, faq=confusing))
    assert code == 0, out  # a warning, not an error
    assert "warning:" in out
    assert "entry 'diklat-peserta', field 'alternates.2'" in out
    assert "better than its own" in out


def test_every_problem_is_reported_not_just_the_first(tmp_path, capsys):
    broken = VALID_FAQ.replace("  topic: pelatihan\n", "  topic: keuangan\n", 1).replace(
        "related: [pendamping-jumlah]", "related: [tidak-ada]", 1
    )
    code, out = check(capsys, write_content(tmp_path, faq=broken))
    assert code == 1
    assert "unknown topic" in out and "unknown entry id" in out
    assert "2 error(s)" in out


def test_duplicate_yaml_key_is_refused_with_its_line(tmp_path, capsys):
    lexicon = "replacements:\n  yg: yang\n  brp: berapa\n  yg: yagn\nfillers: [sih]\n"
    code, out = check(capsys, write_content(tmp_path, lexicon=lexicon))
    assert code == 1
    assert "lexicon.yaml: invalid YAML at line 4" in out
    assert "duplicate key 'yg'" in out
