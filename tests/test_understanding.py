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


# Short plain questions about one entry: the domain model is never very sure of so few words, and
# nothing in them names what the entry lacks, so a sure answer probability answers (decide.py).
SHORT_AND_PLAIN = {
    "lkj tu laporan apa": "istilah-lkj",
    "widyaiswara tu kerjaannya apa sih": "istilah-widyaiswara",
    "generasi emas itu maksudnya apa": "generasi-emas",
    "Where did the BP3S and World Bank meeting take place?": "world-bank-pertemuan",
}


ANSWERED = {**EXAMPLES, **REGIONAL_AND_ENGLISH, **SHORT_AND_PLAIN}


@pytest.mark.parametrize("message", list(ANSWERED))
def test_a_message_written_the_way_people_write_gets_its_answer(engine: Engine, message: str):
    reply = engine.ask(message)
    assert (reply.status, reply.entry.id if reply.entry else None) == ("answer", ANSWERED[message])


@pytest.mark.parametrize(
    "message, not_this",
    [
        # the Kukar poverty rate is not in the sources (the article quotes the national one)
        ("persentase penduduk miskin di kukar brp", "kemiskinan-maret-2019"),
        # the number of companions in one province is not in the sources either
        ("assalamualaikum min, jumlah pendamping PKH di Sulawesi Selatan ada brp org ya", "jumlah-pendamping-pkh"),
    ],
)
def test_a_place_the_entry_lacks_keeps_the_ordinary_answer_levels(engine: Engine, message: str, not_this: str):
    reply = engine.ask(message)
    assert not (reply.status == "answer" and reply.entry and reply.entry.id == not_this)


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
