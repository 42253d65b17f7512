"""Messages as people really write them (issue #10's examples, from a blind trial): each gets the answer."""

from __future__ import annotations

import pytest

from bot.engine import Engine

EXAMPLES = {
    "Berapa target graduasi KPM PKH yang diberikan kepada Kementerian Sosial dalam Rapat Dengar Pendapat "
    "dengan DPR?": "target-graduasi-1-juta",
    "siapa yang menjalankan PKH": "pkh-pelaksana",
    "#HADIR itu singkatan apa": "hadir-tagar",
    "bu dwi wahyu riyanti itu kerja dmn": "dwi-wahyu-riyanti",
    "who leads BP3S at Kemensos?": "syahabuddin-siapa",
    "opo iku 1000 hpk": "istilah-1000-hpk",
    "naon ari stunting teh": "istilah-stunting",
    "stunting itu apa to mas": "istilah-stunting",
}


# The lexicon's English and regional words for the domain's verbs and nouns (rawuh, sumping, waktosna,
# start/end): each of these was only offered as a suggestion, or turned away, without them.
REGIONAL_AND_ENGLISH = {
    "When did the training in Lembang start and when did it end?": "diklat-fds-tempat-waktu",
    "Mas, sinten mawon ingkang rawuh wonten kick off kaliyan Tanoto?": "tanoto-kickoff-hadir",
    "saha wae nu sumping dina kick off sareng Tanoto teh?": "tanoto-kickoff-hadir",
    "kang, iraha waktosna diklat FDS di Lembang?": "diklat-fds-tempat-waktu",
}


ANSWERED = {**EXAMPLES, **REGIONAL_AND_ENGLISH}


@pytest.mark.parametrize("message", list(ANSWERED))
def test_a_message_written_the_way_people_write_gets_its_answer(engine: Engine, message: str):
    reply = engine.ask(message)
    assert (reply.status, reply.entry.id if reply.entry else None) == ("answer", ANSWERED[message])


def test_the_stemmer_keeps_roots_that_only_look_affixed(engine: Engine):
    # di-skusi, di-rektur, me-nteng: stripped, they would stop matching their own other forms
    stem = engine.index.stemmer.stem
    assert [stem(w) for w in ("diskusi", "direktur", "digital", "menteng")] == ["diskusi", "direktur", "digital", "menteng"]


def test_terus_kalau_itu_gimana_after_an_answer_offers_what_follows_not_an_unrelated_entry(engine: Engine):
    first = engine.ask("siapa yang menjalankan PKH")
    reply = engine.ask("terus kalau itu gimana?", previous=first.entry.id)
    assert reply.follow_up == "more" and reply.status != "answer"
    assert [s.entry_id for s in reply.suggestions] == list(first.entry.related)[:3]


def test_the_corrector_leaves_real_words_alone(engine: Engine):
    """susah is not a typo of sudah (it would reverse the meaning), bahan is not badan."""
    for word, other in (("susah", "sudah"), ("bahan", "badan"), ("hasil", "hamil"), ("bukan", "buka")):
        tokens = engine.index.normaliser.tokens(f"kenapa {word} sekali", correct_typos=True)
        assert word in tokens and other not in tokens, word


def test_the_stemmer_keeps_persentase_whole(engine: Engine):
    assert engine.index.stemmer.stem("persentase") == "persentase"
    assert engine.ask("persentase penduduk miskin maret 2019 brp").entry.id == "kemiskinan-maret-2019"
