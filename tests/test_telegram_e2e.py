"""The real Application against the local fake Bot API, over real HTTP (no Telegram)."""

from __future__ import annotations

import logging

import pytest

from bot.storage import get_user, set_region
from bot.storage.users import set_region_code
from bot.telegram.keyboards import pack
from tests.conditions import handled, until, watch_updates
from tests.conftest import ADMIN, running_bot
from tests.fake_bot_api import FakeBotApi

USER = 4242


def texts_to(api: FakeBotApi, chat_id: int) -> list[str]:
    return [call["text"] or "" for call in api.sent if call.get("chat_id") == chat_id and call["method"] == "sendMessage"]


async def reply_to(api: FakeBotApi, chat_id: int, text: str, contains: str, **kwargs) -> dict:
    """Send a message as a person and wait for the bot's reply containing ``contains``."""
    api.user_message(chat_id, text, **kwargs)
    return await api.wait_for(
        lambda call: call.get("chat_id") == chat_id and contains in (call.get("text") or ""), timeout=5
    )


async def test_start_greets_registers_subscribes_and_offers_roles(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        await reply_to(fake_api, USER, "/start", "Halo")
        role_prompt = await fake_api.wait_for(lambda c: "peran" in (c.get("text") or ""))
        labels = [b["text"] for row in role_prompt["reply_markup"]["inline_keyboard"] for b in row]
        assert "Pendamping PKH" in labels and "Lewati" in labels
        user = await get_user(application.bot_data["services"].db, USER)
        assert user is not None and user.subscribed


async def test_profile_role_then_region_by_text(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        await reply_to(fake_api, USER, "/start", "peran")
        services = application.bot_data["services"]
        prompt = await fake_api.wait_for(lambda c: c.get("reply_markup") and "peran" in (c.get("text") or ""))
        fake_api.callback(USER, prompt["message_id"], pack(services.version, "r", "tksk"))
        await fake_api.wait_for(lambda c: "kabupaten/kota" in (c.get("text") or ""))
        await reply_to(fake_api, USER, "Kab. Kutai Kartanegara", "Kecamatannya")
        await reply_to(fake_api, USER, "tenggarong", "Desa/kelurahannya")
        saved = await reply_to(fake_api, USER, "loa ipuh", "Profil tersimpan")
        # Stored as the official code, shown by the official names.
        assert "Loa Ipuh, Tenggarong, Kabupaten Kutai Kartanegara, Kalimantan Timur" in saved["text"]
        user = await get_user(services.db, USER)
        assert (user.role, user.region_code) == ("tksk", "64.02.06.1002")
        assert (user.kabupaten, user.kecamatan) == ("Kabupaten Kutai Kartanegara", "Tenggarong")
        # The region answers did not go to the engine as questions.
        texts = texts_to(fake_api, USER)
        assert not any("tidak membahas hal itu" in t or "maksud Anda" in t for t in texts)


async def test_question_answered_with_source_related_and_feedback_buttons(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path):
        answer = await reply_to(fake_api, USER, "sasaran 1000 hpk sapa aja", "ibu hamil")
        assert answer["parse_mode"] == "HTML"
        assert "<b>Sumber:</b>" in answer["text"]
        buttons = [b for row in answer["reply_markup"]["inline_keyboard"] for b in row]
        assert {"👍", "👎"} <= {b["text"] for b in buttons}
        # 👍 is acknowledged; a related-question button answers that question.
        up = next(b for b in buttons if b["text"] == "👍")
        fake_api.callback(USER, answer["message_id"], up["callback_data"])
        await fake_api.wait_for(lambda c: c["method"] == "answerCallbackQuery" and "Terima kasih" in (c.get("text") or ""))
        related = next(b for b in buttons if b["text"] not in {"👍", "👎"})
        before = len(texts_to(fake_api, USER))
        fake_api.callback(USER, answer["message_id"], related["callback_data"])
        await fake_api.wait_for(lambda c: len(texts_to(fake_api, USER)) > before and "Sumber" in texts_to(fake_api, USER)[-1])


async def test_suggestions_answer_when_pressed(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path):
        suggestion = await reply_to(fake_api, USER, "tanoto", "maksud Anda")
        first = suggestion["reply_markup"]["inline_keyboard"][0][0]
        fake_api.callback(USER, suggestion["message_id"], first["callback_data"])
        await fake_api.wait_for(lambda c: "Sumber" in (c.get("text") or "") and c.get("chat_id") == USER)


async def test_unknown_question_is_declined_and_logged(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        await reply_to(fake_api, USER, "resep nasi goreng enak gimana", "tidak membahas hal itu")
        services = application.bot_data["services"]
        await services.question_log.flush()  # written behind the reply; flush to read it now
        rows = await services.db.fetch_all("SELECT status, text FROM questions WHERE telegram_id = ?", (USER,))
        assert [tuple(r) for r in rows] == [("none", "resep nasi goreng enak gimana")]


async def test_source_command_shows_the_quoted_passage(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path):
        await reply_to(fake_api, USER, "brp peserta diklat fds lembang", "120")
        quoted = await reply_to(fake_api, USER, "/sumber", "<blockquote>")
        assert "120 orang" in quoted["text"]


async def test_topics_are_browsable_with_pages(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path):
        listing = await reply_to(fake_api, USER, "/topik", "Pilih topik")
        topic = listing["reply_markup"]["inline_keyboard"][0][0]
        fake_api.callback(USER, listing["message_id"], topic["callback_data"])
        page = await fake_api.wait_for(lambda c: c["method"] == "editMessageText" and "halaman 1" in (c.get("text") or ""))
        labels = [b["text"] for row in page["reply_markup"]["inline_keyboard"] for b in row]
        assert "Berikutnya ›" in labels


async def test_glossary_command_answers_both_meanings_of_kpm(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path):
        reply = await reply_to(fake_api, USER, "/istilah KPM", "Kader Pembangunan Manusia")
        assert "Keluarga Penerima Manfaat" in reply["text"]
        await reply_to(fake_api, USER, "/istilah XYZ", "belum ada di daftar")


async def test_glossary_of_field_words_answers_with_a_named_reference(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path):
        for command, reference in (("/istilah stunting", "Peraturan Presiden Nomor 72 Tahun 2021"),
                                   ("/istilah bumil", "Peraturan Presiden Nomor 72 Tahun 2021"),
                                   ("/istilah ASI eksklusif", "Peraturan Pemerintah Nomor 33 Tahun 2012")):
            seen = {id(call) for call in fake_api.sent}
            fake_api.user_message(USER, command)
            reply = await fake_api.wait_for(lambda c, seen=seen: id(c) not in seen and c.get("chat_id") == USER, timeout=5)
            assert reference in reply["text"] and "belum ada di daftar" not in reply["text"], command


async def sent_after(api: FakeBotApi, start: int, predicate, timeout: float = 5) -> dict:
    """The first call recorded after the first ``start`` ones that satisfies ``predicate``."""
    return await api.wait_for(lambda c: any(c is r for r in api.sent[start:]) and predicate(c), timeout=timeout)


async def test_stale_button_from_older_content_is_answered_gracefully(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        version = application.bot_data["services"].version
        pressed = {
            "an entry of older content": pack("0ld000", "a", "entri-yang-sudah-dihapus"),
            "an entry removed from this content": pack(version, "a", "entri-yang-sudah-dihapus"),
            "garbage": "rubbish",
            "an unknown kind of button": pack(version, "zz", "x"),
        }
        for what, data in pressed.items():
            start = len(fake_api.sent)
            fake_api.callback(USER, 1, data)
            notice = await sent_after(fake_api, start, lambda c: c["method"] == "answerCallbackQuery")
            assert "versi lama" in notice["text"] and notice["show_alert"], what
            assert notice["chat_id"] == USER, what
        # Each press got exactly its one alert, and no message to the chat.
        assert [c["method"] for c in fake_api.sent] == ["answerCallbackQuery"] * len(pressed)


async def test_inline_mode_returns_shareable_answers(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path):
        fake_api.inline_query(USER, "sasaran 1000 hpk")
        call = await fake_api.wait_for(lambda c: c["method"] == "answerInlineQuery")
        results = call["results"]
        assert 1 <= len(results) <= 50
        assert "Sumber" in results[0]["input_message_content"]["message_text"]
        assert results[0]["input_message_content"]["parse_mode"] == "HTML"  # the Application's default


async def test_groups_only_answer_mentions_and_replies(fake_api, engine, tmp_path, caplog):
    group = -100123
    watch_updates(caplog)
    async with running_bot(fake_api, engine, tmp_path):
        unaddressed = fake_api.group_message(group, "sasaran 1000 hpk siapa saja")  # not addressed to the bot
        assert await handled(caplog, unaddressed) == "handled"  # read and let be
        assert texts_to(fake_api, group) == []
        fake_api.group_message(group, "@stunting_test_bot sasaran 1000 hpk siapa saja")
        await fake_api.wait_for(lambda c: c.get("chat_id") == group and "ibu hamil" in (c.get("text") or ""))


@pytest.mark.parametrize(
    "text",
    ["   ", "<b>tebal</b> & <script>", "🙏" * 50, "\x00\x07\x1b[31m", "x" * 4096, "apa itu pkh " * 300],
)
async def test_hostile_messages_always_get_a_well_formed_reply(fake_api, engine, tmp_path, text):
    async with running_bot(fake_api, engine, tmp_path):
        fake_api.user_message(USER, text)
        reply = await fake_api.wait_for(lambda c: c.get("chat_id") == USER and c["method"] == "sendMessage")
        assert 0 < len(reply["text"]) <= 4096


async def test_admin_command_is_refused_to_others_and_logged(fake_api, engine, tmp_path, caplog):
    async with running_bot(fake_api, engine, tmp_path):
        with caplog.at_level(logging.WARNING):
            await reply_to(fake_api, USER, "/muat_ulang", "hanya untuk admin")
        assert any("refused privileged command /muat_ulang" in r.getMessage() for r in caplog.records)
        await reply_to(fake_api, ADMIN, "/muat_ulang", "Konten dimuat ulang")


async def test_a_429_on_a_reply_is_retried_after_the_wait_telegram_asked_for(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path):
        fake_api.fail_next("sendMessage", 429, "Too Many Requests: retry after 2", retry_after=2, chat_id=USER)
        await reply_to(fake_api, USER, "apa itu tksk", "Tenaga Kesejahteraan Sosial Kecamatan")
        sends = [c for c in fake_api.calls if c["method"] == "sendMessage" and c["params"].get("chat_id") == USER]
        assert [c["status"] for c in sends] == [429, 200]  # refused once, then sent once
        refused, retried = sends
        assert retried["time"] - refused["time"] >= 2.0  # the fake API's own clock: the wait happened


async def test_one_chats_flood_wait_does_not_delay_anyone_else(fake_api, engine, tmp_path):
    """Telegram asks the bot to wait 4 s before writing to USER again; OTHER asks right after the
    429 and is answered during that wait, and USER still gets the answer once the wait is over."""
    other = 4343

    def refusals() -> list[dict]:
        return [c for c in fake_api.calls if c["params"].get("chat_id") == USER and c["status"] == 429]

    async with running_bot(fake_api, engine, tmp_path):
        fake_api.fail_next("sendMessage", 429, retry_after=4, chat_id=USER)
        fake_api.user_message(USER, "apa itu tksk")
        (refused,) = await until(refusals, what="the 429 to USER")
        answer = await reply_to(fake_api, other, "apa itu pkh", "Program Keluarga Harapan")
        assert answer["time"] - refused["time"] < 4.0  # during USER's wait, not after it
        assert texts_to(fake_api, USER) == []  # USER is still waiting
        retried = await fake_api.wait_for(lambda c: c["chat_id"] == USER, timeout=10)
        assert "Tenaga Kesejahteraan Sosial Kecamatan" in retried["text"]
        assert retried["time"] - refused["time"] >= 4.0  # USER's own wait was kept


async def test_a_400_is_logged_and_the_bot_keeps_working(fake_api, engine, tmp_path, caplog):
    watch_updates(caplog)
    async with running_bot(fake_api, engine, tmp_path):
        fake_api.fail_next("sendMessage", 400, "Bad Request: chat not found", times=2)
        failing = fake_api.user_message(USER, "apa itu tksk")
        assert await handled(caplog, failing) == "error"
        assert any(f"error while handling update {failing}" in r.getMessage() for r in caplog.records)
        assert texts_to(fake_api, USER) == []  # the answer and the apology both failed
        await reply_to(fake_api, USER, "apa itu pkh", "Program Keluarga Harapan")


async def test_command_menus_are_set_per_scope(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path):
        calls = [c for c in fake_api.calls if c["method"] == "setMyCommands"]
        scopes = {str(c["params"].get("scope")): c["params"]["commands"] for c in calls if c["status"] == 200}
        private = next(v for k, v in scopes.items() if "all_private_chats" in k)
        admin = next(v for k, v in scopes.items() if str(ADMIN) in k)
        assert "muat_ulang" not in str(private)
        assert "muat_ulang" in str(admin)


async def test_deep_link_opens_a_topic(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path):
        page = await reply_to(fake_api, USER, "/start koordinasi", "halaman 1")
        labels = [b["text"] for row in page["reply_markup"]["inline_keyboard"] for b in row]
        assert "« Daftar topik" in labels


async def test_unsubscribe_and_subscribe_again(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        db = application.bot_data["services"].db
        await reply_to(fake_api, USER, "/start", "Halo")
        await reply_to(fake_api, USER, "/berhenti", "tidak akan menerima")
        assert not (await get_user(db, USER)).subscribed
        await reply_to(fake_api, USER, "/subscribe", "berlangganan kabar program lagi")
        assert (await get_user(db, USER)).subscribed


async def test_search_lists_matching_questions_as_buttons(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path):
        results = await reply_to(fake_api, USER, "/cari diklat fds", "Hasil pencarian")
        assert 1 <= len(results["reply_markup"]["inline_keyboard"]) <= 5
        await reply_to(fake_api, USER, "/cari", "Ketik kata yang dicari")


async def test_profile_command_shows_what_is_stored(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        await reply_to(fake_api, USER, "/start", "Halo")
        db = application.bot_data["services"].db
        await set_region_code(db, USER, "31.71.07", "Kota Administrasi Jakarta Pusat", "Tanah Abang")
        shown = await reply_to(fake_api, USER, "/profil", "Profil Anda")
        assert "Tanah Abang, Kota Administrasi Jakarta Pusat, Daerah Khusus Ibukota Jakarta" in shown["text"]
        # A region typed before codes existed that matched nothing is shown as typed, and said so.
        await set_region(db, USER, "Kampung Durian Runtuh")
        shown = await reply_to(fake_api, USER, "/profil", "Kampung Durian Runtuh")
        assert "belum cocok" in shown["text"]


async def test_skip_ends_the_profile_questions(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        services = application.bot_data["services"]
        await reply_to(fake_api, USER, "/start", "peran")
        prompt = await fake_api.wait_for(lambda c: c.get("reply_markup") and "peran" in (c.get("text") or ""))
        fake_api.callback(USER, prompt["message_id"], pack(services.version, "r", "pendamping_pkh"))
        await fake_api.wait_for(lambda c: "kabupaten/kota" in (c.get("text") or ""))
        await reply_to(fake_api, USER, "/lewati", "dilewati")
        # The next message is a question again, not a region.
        await reply_to(fake_api, USER, "apa itu tksk", "Tenaga Kesejahteraan Sosial Kecamatan")


async def test_inline_mode_without_matches_explains_with_a_button(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path):
        fake_api.inline_query(USER, "resep rendang padang")
        call = await fake_api.wait_for(lambda c: c["method"] == "answerInlineQuery")
        assert call["results"] == []
        request = next(c for c in fake_api.calls if c["method"] == "answerInlineQuery")
        assert "Belum ada jawaban" in str(request["params"].get("button"))


async def test_messages_that_are_not_text_get_a_kind_reply_and_a_caption_is_answered(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path):
        expected = {"voice": "pesan suara", "photo": "isi foto", "sticker": "silakan ketik saja",
                    "location": "/profil", "document": "hanya bisa membaca pesan teks",
                    "video": "hanya bisa membaca pesan teks"}  # fmt: skip
        for kind, words in expected.items():
            seen = len(fake_api.sent)
            fake_api.user_media(USER, kind)
            await fake_api.wait_for(lambda c, w=words, n=seen: fake_api.sent.index(c) >= n and w in (c.get("text") or ""))
        fake_api.user_media(USER, "photo", caption="apa itu pkh")
        await fake_api.wait_for(lambda c: "keterangannya saya jawab" in (c.get("text") or ""))
        await fake_api.wait_for(lambda c: "Program Keluarga Harapan" in (c.get("text") or ""))
