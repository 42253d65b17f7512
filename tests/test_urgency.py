"""Danger signs (bot.matching.urgency): how messages are read, the referral, and its place before
any answer in the console and in Telegram."""

from __future__ import annotations

import pytest

from bot.content.urgent import UrgentRules
from bot.matching.urgency import UrgencyDetector
from tests.conftest import running_bot
from tests.test_telegram_e2e import texts_to

REF = {"title": "Buku KIA", "issuer": "Kemenkes", "year": 2020}
RULES = UrgentRules.model_validate({
    "same": {"tidak": ["gak", "ga"], "menyusu": ["nyusu", "netek"], "wajah": ["beungeut"]},
    "subjects": {"pregnant": ["hamil", "bumil"], "newborn": ["bayi"], "child": ["anak", "balita"]},
    "not_now": ["apa saja tanda", "dulu"],
    "resolved": ["sudah sembuh"],
    "now": ["sekarang", "tolong"],
    "signs": [
        {"id": "bleeding", "name": "perdarahan saat hamil", "who": ["pregnant"],
         "phrases": ["pendarahan", "keluar darah"], "reference": REF},
        {"id": "convulsion", "name": "kejang", "who": ["newborn", "child"], "phrases": ["kejang"], "reference": REF},
        {"id": "not-feeding", "name": "tidak mau menyusu", "who": ["newborn"], "phrases": ["tidak mau menyusu"],
         "reference": REF},
        {"id": "swelling", "name": "bengkak dan sakit kepala", "who": ["pregnant"], "phrases": ["bengkak"],
         "with_any": ["sakit kepala", "wajah"], "reference": REF},
    ],
    "numbers": [{"number": "119", "name": "gawat darurat", "reference": {**REF, "title": "Permenkes 19/2016"}}],
    "reply": "Tanda bahaya: {signs}. Telepon:\n{numbers}",
    "number_line": "{number} ({name})",
    "source_line": "Sumber: {title} ({year})",
})  # fmt: skip


@pytest.fixture(scope="module")
def detector() -> UrgencyDetector:
    return UrgencyDetector(RULES)


@pytest.mark.parametrize(
    ("text", "signs"),
    [
        ("bumil pendarahan", ["bleeding"]),
        ("Bu, BUMIL di desa sy PENDARAHANNYA banyak", ["bleeding"]),  # case and a suffix
        ("bayiku kejang2", ["convulsion"]),  # suffix and reduplication
        ("bayi ga mau nyusu", ["not-feeding"]),  # spellings read as their key
        ("bayi gak mau netek dan kejang-kejang", ["convulsion", "not-feeding"]),
        ("bumil bengkak kakinya, wajah juga", ["swelling"]),
        ("bumil kakinya bengkak", []),  # the sign needs its second part too
        ("bumil bengkak, beungeutna ge", ["swelling"]),  # a spelling read as its key also with a suffix
        ("pendarahan", []),  # nobody it happens to
        ("anak pendarahan", []),  # a sign of pregnancy, not of a child
        ("apa saja tanda bahaya bumil? misal pendarahan", []),  # a question in general
        ("dulu anak saya kejang", []),  # the past
        ("dulu sempat, sekarang bayi kejang lagi, tolong", ["convulsion"]),  # … unless it is happening now
        ("bayi kejang kemarin, sudah sembuh sekarang", []),  # over, whatever else it says
        ("ibunya tidak mau menyusui bayi", []),
        ("bayi ga kejang kok, cuma rewel", []),  # a denied sign is no sign
        # … but a phrase that is itself a denial counts; "menyusui" (to breastfeed) is not "menyusu" + a suffix
        ("bayi ga mau nyusu, ga kejang", ["not-feeding"]),
    ],
)
def test_danger_signs_are_read_as_people_write_them(detector, text, signs):
    assert sorted(sign.id for sign in detector.detect(text).signs) == signs


def test_the_referral_names_the_signs_the_numbers_and_every_reference(detector):
    text = detector.referral_for("bumil pendarahan, tolong")
    assert text is not None
    assert text.startswith("Tanda bahaya: perdarahan saat hamil. Telepon:\n119 (gawat darurat)")
    assert "Sumber: Buku KIA (2020)" in text and "Sumber: Permenkes 19/2016 (2020)" in text
    assert detector.referral_for("jadwal posyandu bulan ini") is None


def test_the_rules_refuse_an_unknown_subject_group():
    bad = RULES.model_dump()
    bad["signs"][0]["who"] = ["grandmother"]
    with pytest.raises(ValueError, match="unknown subject groups"):
        UrgentRules.model_validate(bad)


def test_the_console_gives_the_referral_before_anything_else(capsys):
    from bot.cli import main

    assert main(["ask", "bayi saya kejang2 dari tadi, tolong gimana ini"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("🚨") and "119" in out and "112" in out and "Buku KIA" in out


async def test_in_telegram_the_referral_arrives_first(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path):
        fake_api.user_message(4242, "ibu hamil di desa saya pendarahan, tolong harus gimana")
        await fake_api.wait_for(lambda c: "119" in (c.get("text") or ""))
        fake_api.user_message(4242, "apa itu pkh")
        await fake_api.wait_for(lambda c: "Program Keluarga Harapan" in (c.get("text") or ""))
        texts = texts_to(fake_api, 4242)
        assert texts[0].startswith("🚨") and "puskesmas" in texts[0]
        assert not any("tidak membahas hal itu" in t for t in texts)  # no "not covered" after a referral
        assert sum(t.startswith("🚨") for t in texts) == 1  # an ordinary question gets no referral


@pytest.mark.parametrize("name", ["urgent_questions.yaml", "urgent_holdout_questions.yaml", "urgent_holdout3_questions.yaml"])
def test_urgency_sets_meet_their_floors(engine, name):
    from pathlib import Path

    from bot.urgency_eval import UrgencyFloors, evaluate

    tests = Path(__file__).parent
    result = evaluate(engine.urgency, (tests / name).read_text(encoding="utf-8"))
    floors = UrgencyFloors.for_set((tests / "quality_floors.yaml").read_text(encoding="utf-8"), name)
    assert result.urgent >= 40 and result.look_alikes >= 40
    assert floors.failures(result) == [], (result.missed, result.alarmed)


async def test_urgent_messages_are_flagged_and_counted_in_statistik(fake_api, engine, tmp_path):
    from tests.conftest import ADMIN

    async with running_bot(fake_api, engine, tmp_path) as application:
        services = application.bot_data["services"]
        fake_api.user_message(4242, "bayi saya kejang2 dari tadi, tolong")
        await fake_api.wait_for(lambda c: "119" in (c.get("text") or ""))
        fake_api.user_message(4242, "apa itu pkh")
        await fake_api.wait_for(lambda c: "Program Keluarga Harapan" in (c.get("text") or ""))
        await services.flush_questions()
        rows = await services.db.fetch_all("SELECT text, urgent FROM questions ORDER BY id")
        assert [(r["text"], r["urgent"]) for r in rows] == [("bayi saya kejang2 dari tadi, tolong", 1), ("apa itu pkh", 0)]
        fake_api.user_message(ADMIN, "/statistik")
        shown = await fake_api.wait_for(lambda c: c["chat_id"] == ADMIN and "tanda bahaya" in (c.get("text") or ""))
        assert "langsung dirujuk ke puskesmas/bidan/IGD: 1" in shown["text"]
