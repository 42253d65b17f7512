"""Questions handed to a person, end to end against the local fake Bot API: a companion's unanswered
question reaches the coordinator of their kabupaten (and no other), the first answer reaches the
companion and the other responders see it is taken, forged buttons are refused, reminders and
escalation follow a fake clock, a reply asks again, voice notes are forwarded only with consent."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import yaml

from bot.storage import get_user, handoffs, register_user, set_coordinator, set_role
from bot.storage.users import set_region_code, set_responder
from bot.telegram import handoff
from bot.telegram.keyboards import pack
from tests.conftest import ADMIN, running_bot
from tests.test_telegram_e2e import texts_to

ASKER, OTHER_ASKER = 5201, 5202
KUKAR, KUKAR_2, JAKPUS, OUTSIDER, RESPONDER = 6101, 6103, 6102, 5209, 6200
NAMES = {ASKER: "Siti", OTHER_ASKER: "Wati", KUKAR: "Rina", KUKAR_2: "Dedi", JAKPUS: "Budi", OUTSIDER: "Joko",
         RESPONDER: "Ani", ADMIN: "Admin"}
UNCOVERED = "berapa gaji pendamping pkh"  # the articles do not say: a "not covered" reply


async def _people(db) -> None:
    for telegram_id, name in NAMES.items():
        await register_user(db, telegram_id, name, None, "id")
    await set_role(db, ASKER, "pendamping_pkh")
    await set_region_code(db, ASKER, "64.02.06", "Kabupaten Kutai Kartanegara", "Tenggarong")
    await set_role(db, OTHER_ASKER, "tksk")
    await set_region_code(db, OTHER_ASKER, "31.71", "Kota Administrasi Jakarta Pusat")
    await set_coordinator(db, KUKAR, True, ["64.02"])
    await set_coordinator(db, KUKAR_2, True, ["64.02"])
    await set_coordinator(db, JAKPUS, True, ["31.71"])


async def _next(api, start: int, chat_id: int, contains: str) -> dict:
    """The first message to ``chat_id`` containing ``contains`` sent after ``start`` records."""
    return await api.wait_for(lambda c: c in api.sent[start:] and c.get("chat_id") == chat_id
                              and contains in (c.get("text") or ""))  # fmt: skip


async def say(api, who: int, text: str, contains: str, **kwargs) -> dict:
    """A message from the person (with their own first name) and the bot's next reply containing ``contains``."""
    start = len(api.sent)
    api.user_message(who, text, first_name=NAMES[who], **kwargs)
    return await _next(api, start, who, contains)


def _buttons(call: dict) -> dict[str, str]:
    return {b["text"]: b["callback_data"] for row in (call.get("reply_markup") or {}).get("inline_keyboard", []) for b in row}


def _notices(api, chat_id: int) -> list[dict]:
    return [c for c in api.sent if c["chat_id"] == chat_id and c["method"] == "sendMessage"
            and "untuk petugas #" in (c.get("text") or "")]  # fmt: skip


async def _press(api, chat_id: int, call: dict, label: str, wait_for: str, user_id: int | None = None) -> dict:
    start = len(api.sent)
    api.callback(chat_id, call["message_id"], _buttons(call)[label], user_id=user_id,
                 first_name=NAMES.get(user_id or chat_id, "Siti"))
    return await _next(api, start, chat_id, wait_for)


async def _hand_off(api, asker: int = ASKER, text: str = UNCOVERED) -> dict:
    """Ask, press "Tanyakan ke petugas", confirm; return the "Terkirim" reply."""
    reply = await say(api, asker, text, "tidak membahas")
    confirm = await _press(api, asker, reply, "🙋 Tanyakan ke petugas", "Teruskan pertanyaan ini")
    assert text in confirm["text"] and "Nomor HP tidak pernah dikirim" in confirm["text"]
    return await _press(api, asker, confirm, "Ya, teruskan", "nomor #")


async def test_an_unanswered_question_reaches_the_coordinators_of_the_askers_kabupaten_only(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        db = application.bot_data["services"].db
        await _people(db)
        sent = await _hand_off(fake_api)
        assert "2 koordinator wilayah Anda" in sent["text"]
        [notice] = _notices(fake_api, KUKAR)
        assert UNCOVERED in notice["text"] and "Siti" in notice["text"] and "Pendamping PKH" in notice["text"]
        assert "Tenggarong, Kabupaten Kutai Kartanegara" in notice["text"]
        assert set(_buttons(notice)) == {"✍️ Jawab", "↪️ Bukan wewenang saya", "✅ Selesai"}
        assert len(_notices(fake_api, KUKAR_2)) == 1
        assert _notices(fake_api, JAKPUS) == [] and _notices(fake_api, ADMIN) == []
        [item] = await handoffs.open_items(db)
        assert (item.asker_id, item.region_code, item.asker_role, item.text) == (ASKER, "64.02.06", "pendamping_pkh", UNCOVERED)
        # A Jakarta Pusat companion's question goes to the Jakarta Pusat coordinator instead.
        await _hand_off(fake_api, OTHER_ASKER, "gimana cara daftar jadi penerima pkh")
        assert len(_notices(fake_api, JAKPUS)) == 1 and len(_notices(fake_api, KUKAR)) == 1


async def test_the_first_answer_reaches_the_asker_and_the_other_responder_sees_it_taken(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        db = application.bot_data["services"].db
        await _people(db)
        await _hand_off(fake_api)
        [notice] = _notices(fake_api, KUKAR)
        [other] = _notices(fake_api, KUKAR_2)
        # Rina answers by replying to her notification; the text is escaped on its way.
        fake_api.user_message(KUKAR, "Gaji <b>tidak</b> diatur di berita; tanya Dinsos & BPJS.", first_name="Rina",
                              reply_to_message_id=notice["message_id"])  # fmt: skip
        answer = await fake_api.wait_for(lambda c: c["chat_id"] == ASKER and "Jawaban dari petugas" in (c.get("text") or ""))
        assert "Jawaban dari petugas (Rina, koordinator)" in answer["text"]
        shown = fake_api.messages[(ASKER, answer["message_id"])]["text"]  # as Telegram displays it
        assert "Gaji <b>tidak</b> diatur di berita; tanya Dinsos & BPJS." in shown  # escaped, so shown as typed
        assert set(_buttons(answer)) == {"👍", "👎"}
        await fake_api.wait_for(lambda c: c["chat_id"] == KUKAR and "sudah sampai ke penanya" in (c.get("text") or ""))
        # Dedi's notification now says who answered, with no buttons left to press.
        edited = await fake_api.wait_for(lambda c: c["method"] == "editMessageText" and c["chat_id"] == KUKAR_2)
        assert "Sudah dijawab oleh Rina" in edited["text"] and not edited.get("reply_markup")
        assert fake_api.messages[(KUKAR_2, other["message_id"])]["text"] == edited["text"]
        # Dedi answers anyway, with /jawab: it does not reach the asker.
        await say(fake_api, KUKAR_2, "/jawab 1 jawaban kedua", "sudah dijawab oleh Rina")
        assert sum("Jawaban dari petugas" in t for t in texts_to(fake_api, ASKER)) == 1
        item = await handoffs.get_handoff(db, 1)
        typed = "Gaji <b>tidak</b> diatur di berita; tanya Dinsos & BPJS."
        assert (item.state, item.answered_by, item.answer) == ("answered", KUKAR, typed)
        # The asker's 👍 is stored on the item.
        fake_api.callback(ASKER, answer["message_id"], _buttons(answer)["👍"])
        await fake_api.wait_for(lambda c: c["method"] == "answerCallbackQuery" and "Terima kasih" in (c.get("text") or ""))
        assert (await handoffs.get_handoff(db, 1)).rating == 1


async def test_answering_with_the_button_then_typing(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        await _people(application.bot_data["services"].db)
        await _hand_off(fake_api)
        [notice] = _notices(fake_api, KUKAR)
        await _press(fake_api, KUKAR, notice, "✍️ Jawab", "tulis jawaban untuk pertanyaan #1")
        await say(fake_api, KUKAR, "Silakan tanya ke Dinas Sosial kabupaten.", "sudah sampai ke penanya")
        assert any("Silakan tanya ke Dinas Sosial kabupaten." in t for t in texts_to(fake_api, ASKER))
        # The next message is a question again, not a second answer.
        await say(fake_api, KUKAR, "apa itu tksk", "Tenaga Kesejahteraan Sosial Kecamatan")
        # Jawab, then /batal: nothing is sent and the question stays open.
        await _hand_off(fake_api, text="gimana cara daftar jadi penerima pkh")
        second = _notices(fake_api, KUKAR)[-1]
        await _press(fake_api, KUKAR, second, "✍️ Jawab", "tulis jawaban untuk pertanyaan #2")
        await say(fake_api, KUKAR, "/batal", "jawaban dibatalkan")
        await say(fake_api, KUKAR, "apa itu pkh", "Program Keluarga Harapan")
        assert (await handoffs.get_handoff(application.bot_data["services"].db, 2)).open


async def test_forged_responder_buttons_are_refused_and_logged(fake_api, engine, tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    async with running_bot(fake_api, engine, tmp_path) as application:
        db = application.bot_data["services"].db
        await _people(db)
        await _hand_off(fake_api)
        for person in (OUTSIDER, JAKPUS, ASKER):  # a companion, another kabupaten's coordinator, the asker
            for action in ("ans", "done", "pass"):
                fake_api.callback(person, 1, pack("0", "h", action, 1))
                await fake_api.wait_for(lambda c, p=person: c["method"] == "answerCallbackQuery"
                                        and "bukan untuk Anda" in (c.get("text") or ""))  # fmt: skip
                fake_api.sent.clear()
            await say(fake_api, person, "/jawab 1 saya jawab", "hanya untuk petugas")
        item = await handoffs.get_handoff(db, 1)
        assert item.state == "open" and not item.to_admins
        assert not any("Jawaban dari petugas" in t for t in texts_to(fake_api, ASKER))
        assert caplog.text.count("refused privileged command") >= 9
        # A revoked coordinator's old notification no longer works either.
        await set_coordinator(db, KUKAR, False)
        fake_api.callback(KUKAR, 1, pack("0", "h", "done", 1))
        await fake_api.wait_for(lambda c: c["method"] == "answerCallbackQuery" and "bukan untuk Anda" in (c.get("text") or ""))
        assert (await handoffs.get_handoff(db, 1)).state == "open"


async def test_not_mine_passes_it_to_the_admins_and_done_tells_the_asker(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        db = application.bot_data["services"].db
        await _people(db)
        await set_responder(db, RESPONDER, True)
        await _hand_off(fake_api)
        [notice] = _notices(fake_api, KUKAR)
        await _press(fake_api, KUKAR, notice, "↪️ Bukan wewenang saya", "sudah diteruskan ke admin")
        for person in (ADMIN, RESPONDER):
            [passed] = _notices(fake_api, person)
            assert "Diteruskan oleh Rina" in passed["text"]
        assert (await handoffs.get_handoff(db, 1)).to_admins
        # The admin marks it done: the asker is told, Dedi's notification updated.
        [admin_notice] = _notices(fake_api, ADMIN)
        fake_api.callback(ADMIN, admin_notice["message_id"], _buttons(admin_notice)["✅ Selesai"], first_name="Admin")
        await fake_api.wait_for(lambda c: c["chat_id"] == ASKER and "ditandai selesai oleh petugas" in (c.get("text") or ""))
        await fake_api.wait_for(lambda c: c["method"] == "editMessageText" and c["chat_id"] == KUKAR_2
                                and "Ditandai selesai oleh Admin" in c["text"])  # fmt: skip
        assert (await handoffs.get_handoff(db, 1)).state == "closed"


async def test_the_reminder_fires_after_24_hours_and_escalation_after_72(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        services = application.bot_data["services"]
        await _people(services.db)
        await _hand_off(fake_api)
        [job] = application.job_queue.get_jobs_by_name(handoff.FOLLOW_UP_JOB)
        start = datetime.now(UTC)

        async def at(hours: float) -> None:
            services.clock = lambda: start + timedelta(hours=hours)
            await job.run(application)  # returns once its messages are sent

        await at(23)
        assert not any("Pengingat" in t for t in texts_to(fake_api, KUKAR))
        await at(25)
        reminder = await fake_api.wait_for(lambda c: c["chat_id"] == KUKAR and "Pengingat: pertanyaan #1" in (c.get("text") or ""))
        assert "✍️ Jawab" in _buttons(reminder)
        await at(26)  # once, not every hour
        assert sum("Pengingat" in t for t in texts_to(fake_api, KUKAR)) == 1
        assert not any("diteruskan ke admin" in t for t in texts_to(fake_api, ADMIN))
        await at(73)
        await fake_api.wait_for(lambda c: c["chat_id"] == ADMIN and "belum dijawab lebih dari 3 hari" in (c.get("text") or ""))
        assert (await handoffs.get_handoff(services.db, 1)).escalated_at is not None


async def test_a_reply_to_the_answer_asks_again_as_a_linked_item(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        db = application.bot_data["services"].db
        await _people(db)
        await _hand_off(fake_api)
        await say(fake_api, KUKAR, "/jawab 1 Tanyakan ke Dinas Sosial.", "sudah sampai")
        answer = await fake_api.wait_for(lambda c: c["chat_id"] == ASKER and "Jawaban dari petugas" in (c.get("text") or ""))
        fake_api.sent.clear()
        fake_api.user_message(ASKER, "dinsos yg mana pak, kabupaten atau provinsi?", reply_to_message_id=answer["message_id"])
        await fake_api.wait_for(lambda c: c["chat_id"] == ASKER and "nomor #2" in (c.get("text") or ""))
        item = await handoffs.get_handoff(db, 2)
        assert item.parent_id == 1 and item.text == "dinsos yg mana pak, kabupaten atau provinsi?"
        [again] = _notices(fake_api, KUKAR)
        assert "Lanjutan dari #1" in again["text"] and "Tanyakan ke Dinas Sosial." in again["text"]


async def test_a_danger_sign_referral_offers_help_now_and_the_item_is_urgent(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        db = application.bot_data["services"].db
        await _people(db)
        referral = await say(fake_api, ASKER, "bumil pendarahan banyak", "119")
        fake_api.callback(ASKER, referral["message_id"], _buttons(referral)["🆘 Minta bantuan petugas sekarang"])
        await fake_api.wait_for(lambda c: c["chat_id"] == ASKER and "nomor #1" in (c.get("text") or ""))
        [notice] = _notices(fake_api, KUKAR)
        assert notice["text"].startswith("🚨 TANDA BAHAYA")
        assert (await handoffs.get_handoff(db, 1)).urgent
        await say(fake_api, KUKAR, "/antrian", "tanda bahaya")


async def test_a_voice_note_is_forwarded_only_after_the_asker_agrees(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        await _people(application.bot_data["services"].db)
        fake_api.user_media(ASKER, "voice")
        offer = await fake_api.wait_for(lambda c: c["chat_id"] == ASKER and "pesan suara" in (c.get("text") or ""))
        assert not any(c["method"] == "forwardMessage" for c in fake_api.sent)  # nothing passed on yet
        fake_api.callback(ASKER, offer["message_id"], _buttons(offer)["🙋 Teruskan ke petugas"])
        forwarded = await fake_api.wait_for(lambda c: c["method"] == "forwardMessage" and c["chat_id"] == KUKAR)
        assert forwarded["from_chat_id"] == ASKER and "voice" in fake_api.messages[(KUKAR, forwarded["message_id"])]
        [notice] = _notices(fake_api, KUKAR)
        assert "pesan suara" in notice["text"]
        # A sticker gets its kind reply, with nothing to pass on.
        fake_api.user_media(ASKER, "sticker")
        sticker = await fake_api.wait_for(lambda c: c["chat_id"] == ASKER and "silakan ketik saja" in (c.get("text") or ""))
        assert not sticker.get("reply_markup")


async def test_five_a_day_then_a_clear_message(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        db = application.bot_data["services"].db
        await _people(db)
        for number in range(5):
            fake_api.sent.clear()
            await _hand_off(fake_api, text=f"berapa gaji pendamping pkh tahun {2021 + number}")
        fake_api.sent.clear()
        reply = await say(fake_api, ASKER, "berapa gaji tksk", "tidak membahas")
        confirm = await _press(fake_api, ASKER, reply, "🙋 Tanyakan ke petugas", "Teruskan")
        await _press(fake_api, ASKER, confirm, "Ya, teruskan", "batas per hari")
        assert len(await handoffs.open_items(db)) == 5


async def test_suggestions_and_a_thumbs_down_offer_a_person(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        await _people(application.bot_data["services"].db)
        suggestions = await say(fake_api, ASKER, "pendampingan keluarga", "Mungkin maksud Anda")
        assert list(_buttons(suggestions))[-1] == "🙋 Tanyakan ke petugas"
        answer = await say(fake_api, ASKER, "apa itu tksk", "Tenaga Kesejahteraan Sosial Kecamatan")
        fake_api.callback(ASKER, answer["message_id"], _buttons(answer)["👎"])
        offer = await fake_api.wait_for(lambda c: c["chat_id"] == ASKER and "belum membantu" in (c.get("text") or ""))
        confirm = await _press(fake_api, ASKER, offer, "🙋 Tanyakan ke petugas", "Teruskan pertanyaan ini")
        assert "apa itu tksk" in confirm["text"]
        # Someone else's button: refused, nothing queued.
        fake_api.callback(OTHER_ASKER, confirm["message_id"], _buttons(confirm)["Ya, teruskan"])
        await fake_api.wait_for(lambda c: c["method"] == "answerCallbackQuery" and "pertanyaan orang lain" in (c.get("text") or ""))
        assert await handoffs.open_items(application.bot_data["services"].db) == []


async def test_the_queue_lists_what_each_responder_may_answer(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        await _people(application.bot_data["services"].db)
        await _hand_off(fake_api)
        await _hand_off(fake_api, OTHER_ASKER, "gimana cara daftar jadi penerima pkh")
        kukar = await say(fake_api, KUKAR, "/antrian", "menunggu jawaban")
        assert "#1" in kukar["text"] and "#2" not in kukar["text"] and "Tenggarong" in kukar["text"]
        admin = await say(fake_api, ADMIN, "/antrian", "menunggu jawaban")
        assert admin["text"].index("#1") < admin["text"].index("#2")  # oldest first
        opened = await _press(fake_api, ADMIN, admin, "Buka #2", "untuk petugas #2")
        assert "✍️ Jawab" in _buttons(opened)
        await say(fake_api, OUTSIDER, "/antrian", "hanya untuk petugas")


async def test_an_answer_becomes_a_draft_faq_entry(fake_api, engine, tmp_path):
    import shutil

    from tests.conftest import REPO

    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    async with running_bot(fake_api, engine, tmp_path, BOT_CONTENT_DIR=content) as application:
        await _people(application.bot_data["services"].db)
        await _hand_off(fake_api)
        sent = await say(fake_api, KUKAR, "/jawab 1 Besaran gaji diatur Kemensos: tanya Dinsos.", "sudah sampai")
        await _press(fake_api, KUKAR, sent, "📝 Jadikan draf FAQ", "Draf FAQ ditulis")
        [entry] = yaml.safe_load((content / "drafts" / "petugas-1.yaml").read_text(encoding="utf-8"))
        assert (entry["question"], entry["answer"], entry["publish"], entry["sources"]) == (
            UNCOVERED, "Besaran gaji diatur Kemensos: tanya Dinsos.", False, [])
        # Only the one who answered (or an admin) may write it.
        fake_api.callback(KUKAR_2, 1, pack("0", "h", "draft", 1))
        await fake_api.wait_for(lambda c: c["method"] == "answerCallbackQuery" and "Hanya petugas yang menjawab" in (c.get("text") or ""))


async def test_deleting_my_data_removes_my_queued_questions(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        db = application.bot_data["services"].db
        await _people(db)
        await _hand_off(fake_api)
        prompt = await say(fake_api, ASKER, "/hapus_data", "hapus")
        fake_api.callback(ASKER, prompt["message_id"], _buttons(prompt)["Ya, hapus"])
        await fake_api.wait_for(lambda c: c["chat_id"] == ASKER and "Data Anda sudah dihapus" in (c.get("text") or ""))
        assert await handoffs.get_handoff(db, 1) is None and await handoffs.notices(db, 1) == []
        assert await get_user(db, ASKER) is None



async def test_an_admin_makes_and_unmakes_a_responder(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        db = application.bot_data["services"].db
        await _people(db)
        await say(fake_api, ADMIN, f"/peran {RESPONDER} petugas", "sekarang petugas")
        await fake_api.wait_for(lambda c: c["chat_id"] == RESPONDER and "/antrian" in (c.get("text") or ""))
        assert (await get_user(db, RESPONDER)).responder
        menu = fake_api.commands[(f'{{"chat_id": {RESPONDER}, "type": "chat"}}', "")]
        assert {"antrian", "jawab"} <= {c["command"] for c in menu} and "siaran" not in {c["command"] for c in menu}
        # An asker without a covering coordinator reaches the admin and the responder.
        await set_coordinator(db, KUKAR, False)
        await set_coordinator(db, KUKAR_2, False)
        await _hand_off(fake_api)
        assert len(_notices(fake_api, RESPONDER)) == 1 and len(_notices(fake_api, ADMIN)) == 1
        await say(fake_api, ADMIN, f"/peran {RESPONDER} hapus", "bukan koordinator atau petugas lagi")
        assert not (await get_user(db, RESPONDER)).responder
        menu = fake_api.commands[(f'{{"chat_id": {RESPONDER}, "type": "chat"}}', "")]
        assert "antrian" not in {c["command"] for c in menu}
        await say(fake_api, RESPONDER, "/antrian", "hanya untuk petugas")
        await say(fake_api, RESPONDER, f"/peran {RESPONDER} petugas", "hanya untuk admin")  # not for themselves


async def test_the_unanswered_report_shows_which_groups_a_person_has_answered(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        await _people(application.bot_data["services"].db)
        await _hand_off(fake_api)
        await say(fake_api, OTHER_ASKER, "brp gaji pendamping pkh?", "tidak membahas")  # the same, not handed off
        await say(fake_api, OTHER_ASKER, "gimana cara daftar jadi penerima pkh", "tidak membahas")
        before = await say(fake_api, ADMIN, "/belum_terjawab", "kelompok")
        assert "Sudah dijawab petugas" not in before["text"]
        await say(fake_api, KUKAR, "/jawab 1 Gaji tidak dibahas di berita; tanya Dinsos.", "sudah sampai")
        fake_api.sent.clear()
        report = await say(fake_api, ADMIN, "/belum_terjawab", "kelompok")
        gaji, daftar = (block for block in report["text"].split("\n\n") if "gaji" in block or "daftar" in block)
        assert "Ditanyakan 2×" in gaji and "Sudah dijawab petugas (#1)" in gaji
        assert "Sudah dijawab petugas" not in daftar


async def test_statistik_counts_questions_handed_to_a_person_per_scope(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        await _people(application.bot_data["services"].db)
        await _hand_off(fake_api)
        referral = await say(fake_api, ASKER, "bumil pendarahan banyak", "119")
        fake_api.callback(ASKER, referral["message_id"], _buttons(referral)["🆘 Minta bantuan petugas sekarang"])
        await fake_api.wait_for(lambda c: c["chat_id"] == ASKER and "nomor #2" in (c.get("text") or ""))
        await say(fake_api, KUKAR, "/jawab 1 Tanya Dinsos.", "sudah sampai")
        admin = await say(fake_api, ADMIN, "/statistik", "Diteruskan ke petugas")
        assert "Diteruskan ke petugas: 2 (dijawab 1, selesai tanpa jawaban 0, masih menunggu 1; tanda bahaya 1)" in admin["text"]
        jakpus = await say(fake_api, JAKPUS, "/statistik", "Statistik")
        assert "Diteruskan ke petugas" not in jakpus["text"]  # none of theirs
