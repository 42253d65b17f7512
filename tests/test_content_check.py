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


def test_bad_yaml_names_the_file_and_line(tmp_path, capsys):
    broken = VALID_FAQ.replace("  topic: pelatihan\n", "  topic: [pelatihan\n", 1)
    code, out = check(capsys, write_content(tmp_path, faq=broken))
    assert code == 1
    assert "faq/pelatihan.yaml" in out
    assert "invalid YAML at line 3" in out


def test_missing_field_names_entry_and_field(tmp_path, capsys):
    broken = VALID_FAQ.replace(
        "  answer: Sekitar 40 ribu orang pendamping sosial PKH.\n", "", 1
    )
    code, out = check(capsys, write_content(tmp_path, faq=broken))
    assert code == 1
    assert "entry 'pendamping-jumlah', field 'answer': Field required" in out


def test_too_few_alternates_is_an_invalid_field(tmp_path, capsys):
    broken = VALID_FAQ.replace("    - jumlah peserta diklat p2k2 tahun 2020\n", "", 1).replace(
        "    - peserta diklat fds pkh dari mana aja\n", "", 1
    )
    code, out = check(capsys, write_content(tmp_path, faq=broken))
    assert code == 1
    assert "entry 'diklat-peserta', field 'alternates'" in out
    assert "at least 3" in out


def test_invalid_id_is_rejected(tmp_path, capsys):
    broken = VALID_FAQ.replace("- id: diklat-peserta", "- id: Diklat Peserta!", 1)
    code, out = check(capsys, write_content(tmp_path, faq=broken))
    assert code == 1
    assert "entry 'Diklat Peserta!', field 'id'" in out


def test_duplicate_id(tmp_path, capsys):
    broken = VALID_FAQ.replace("- id: pendamping-jumlah", "- id: diklat-peserta", 1).replace(
        "  related: [pendamping-jumlah]\n", "", 1
    )
    code, out = check(capsys, write_content(tmp_path, faq=broken))
    assert code == 1
    assert "entry 'diklat-peserta', field 'id': duplicate id" in out


def test_unknown_topic(tmp_path, capsys):
    broken = VALID_FAQ.replace("  topic: pelatihan\n", "  topic: keuangan\n", 1)
    code, out = check(capsys, write_content(tmp_path, faq=broken))
    assert code == 1
    assert "entry 'diklat-peserta', field 'topic': unknown topic 'keuangan'" in out


def test_dangling_related(tmp_path, capsys):
    broken = VALID_FAQ.replace("related: [pendamping-jumlah]", "related: [tidak-ada]", 1)
    code, out = check(capsys, write_content(tmp_path, faq=broken))
    assert code == 1
    assert "entry 'diklat-peserta', field 'related': unknown entry id 'tidak-ada'" in out


def test_quote_not_in_article(tmp_path, capsys):
    broken = VALID_FAQ.replace("yang diikuti oleh 120 orang", "yang diikuti oleh 150 orang", 1)
    code, out = check(capsys, write_content(tmp_path, faq=broken))
    assert code == 1
    assert "entry 'diklat-peserta', field 'sources.0.quote': quote does not occur in seed" in out


def test_quote_matches_whitespace_insensitively(tmp_path, capsys):
    spaced = VALID_FAQ.replace(
        '"yang diikuti oleh 120 orang yang berasal', '"yang   diikuti\\n oleh 120 orang yang\\tberasal', 1
    )
    code, out = check(capsys, write_content(tmp_path, faq=spaced))
    assert code == 0, out


def test_unknown_seed(tmp_path, capsys):
    broken = VALID_FAQ.replace("seed: 001_13326a4c87abcdf1", "seed: 009_tidak_ada", 1)
    code, out = check(capsys, write_content(tmp_path, faq=broken))
    assert code == 1
    assert "entry 'diklat-peserta', field 'sources.0.seed': unknown seed '009_tidak_ada'" in out


def test_answer_longer_than_telegram_allows(tmp_path, capsys):
    long_answer = "Jawaban panjang. " * 260  # > 4096 characters
    broken = VALID_FAQ.replace(
        "  answer: Sekitar 40 ribu orang pendamping sosial PKH.", f"  answer: {long_answer.strip()}", 1
    )
    code, out = check(capsys, write_content(tmp_path, faq=broken))
    assert code == 1
    assert "entry 'pendamping-jumlah', field 'answer':" in out
    assert "Telegram allows 4096" in out


def test_glossary_term_without_expansion(tmp_path, capsys):
    broken = VALID_GLOSSARY.replace("    - expansion: Kader Pembangunan Manusia\n      meaning:", "    - meaning:", 1)
    code, out = check(capsys, write_content(tmp_path, glossary=broken))
    assert code == 1
    assert "glossary.yaml, entry 'KPM', field 'meanings.1.expansion': Field required" in out


def test_reference_source_needs_title_issuer_and_year(tmp_path, capsys):
    broken = VALID_FAQ.replace(
        '    - seed: 000_42ea3fd0ba118eea\n      quote: "sekitar 40 ribu orang pendamping sosial PKH yang ada saat ini"',
        "    - title: Laporan tanpa penerbit",
        1,
    )
    code, out = check(capsys, write_content(tmp_path, faq=broken))
    assert code == 1
    assert "entry 'pendamping-jumlah', field 'sources.0.issuer': Field required" in out
    assert "entry 'pendamping-jumlah', field 'sources.0.year': Field required" in out


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
