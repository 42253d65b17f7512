"""The affix stripper maps the forms of one idea to one key, and leaves the rest alone."""

from __future__ import annotations

import pytest

from bot.matching.stem import Stemmer

stem = Stemmer(frozenset({"serta", "kecamatan"})).stem


@pytest.mark.parametrize(
    "forms",
    [
        ("dilatih", "pelatihan", "melatih", "ngelatih"),
        ("penanganan", "ditangani", "menangani"),
        ("pendampingan", "mendampingi", "didampingi"),
        ("penurunan", "menurunkan", "diturunkan"),
        ("pengurangan", "ngurangin", "mengurangi"),
        ("sasaran", "menyasar"),
        ("keberhasilan", "berhasil", "hasil"),  # stacked prefixes
        ("pemberdayaan", "berdaya", "memberdayakan"),
        ("turunin", "turun", "menurunkan"),  # colloquial -in
        ("kemiskinan", "miskin"),  # ke-...-an
    ],
)
def test_forms_of_one_idea_share_a_key(forms):
    assert len({stem(form) for form in forms}) == 1, {form: stem(form) for form in forms}


@pytest.mark.parametrize(
    "word", ["pkh", "tanoto", "bupati", "tinggi", "informasi", "stunting", "kecamatan", "desa", "penting", "peserta"]
)
def test_roots_loanwords_and_protected_words_stay_whole(word):
    assert stem(word) == word


def test_a_word_never_becomes_a_protected_function_word():
    assert stem("peserta") == "peserta"


def test_stems_keep_at_least_four_letters():
    assert all(len(stem(word)) >= 4 for word in ["dibina", "pemberian", "binaan", "ketemu"])


@pytest.mark.parametrize("word", ["kerjasama", "kepala", "berani", "terima", "kegiat"])
def test_roots_that_look_prefixed_stay_whole(word):
    assert stem(word) == word


def test_an_imperative_with_kan_shares_its_stem_with_the_prefixed_form():
    # "tolong jelaskan" and "menjelaskan", "sampaikan" and "disampaikan": one word each
    assert stem("jelaskan") == stem("menjelaskan") == "jelas"
    assert stem("sampaikan") == stem("disampaikan") == "sampai"
    assert stem("bukan") == "bukan"  # too short a rest: a root, not buk-an
