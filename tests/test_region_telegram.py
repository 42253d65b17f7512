"""The region steps of the profile in Telegram, against the local fake Bot API: official names stored
as codes, buttons for names of several places, questions typed at the prompt answered, commands and
time ending the wait, forged buttons refused, and older unmatched regions asked again once."""

from __future__ import annotations

from bot.storage import get_user, register_user, set_region
from bot.telegram import waiting
from bot.telegram.keyboards import pack
from tests.conftest import running_bot
from tests.test_telegram_e2e import reply_to, texts_to

USER = 5151


async def _at_region_prompt(api, application) -> None:
    services = application.bot_data["services"]
    await reply_to(api, USER, "/start", "peran")
    prompt = await api.wait_for(lambda c: c.get("reply_markup") and "peran" in (c.get("text") or ""))
    api.callback(USER, prompt["message_id"], pack(services.version, "r", "pendamping_pkh"))
    await api.wait_for(lambda c: "Di kabupaten/kota mana" in (c.get("text") or ""))


def _buttons(call: dict) -> list[tuple[str, str]]:
    return [(b["text"], b["callback_data"]) for row in call["reply_markup"]["inline_keyboard"] for b in row]


async def test_a_name_of_two_places_gets_buttons_and_the_choice_is_stored(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        db = application.bot_data["services"].db
        await _at_region_prompt(fake_api, application)
        choice = await reply_to(fake_api, USER, "bogor", "yang mana")
        buttons = _buttons(choice)
        assert [text for text, _ in buttons[:2]] == ["Kabupaten Bogor", "Kota Bogor"]
        assert (await get_user(db, USER)).region_code is None  # nothing stored before the choice
        fake_api.callback(USER, choice["message_id"], buttons[1][1])
        await fake_api.wait_for(lambda c: "Kecamatannya" in (c.get("text") or ""))
        assert (await get_user(db, USER)).region_code == "32.71"


async def test_a_word_of_several_region_names_gets_buttons_even_if_it_could_be_a_question(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        await _at_region_prompt(fake_api, application)
        # "kutai" alone would be answered (Kutai Kartanegara is in the articles); at the prompt it is a place.
        choice = await reply_to(fake_api, USER, "kutai", "yang mana")
        names = {text for text, _ in _buttons(choice)}
        assert {"Kabupaten Kutai Barat", "Kabupaten Kutai Kartanegara", "Kabupaten Kutai Timur"} <= names


async def test_a_question_at_the_prompt_is_answered_and_the_prompt_repeated_once(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        db = application.bot_data["services"].db
        await _at_region_prompt(fake_api, application)
        await reply_to(fake_api, USER, "pak, sasaran 1000 hpk itu siapa aja ya?", "1000")
        await fake_api.wait_for(lambda c: "lanjutkan profil" in (c.get("text") or ""))
        await reply_to(fake_api, USER, "Halo??", "Halo")
        await reply_to(fake_api, USER, "kukar", "Kecamatannya")
        texts = texts_to(fake_api, USER)
        assert sum("lanjutkan profil" in t for t in texts) == 1  # repeated once, not after every question
        user = await get_user(db, USER)
        assert user.region_code == "64.02" and user.kabupaten == "Kabupaten Kutai Kartanegara"


async def test_a_command_ends_the_wait_and_runs(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        await _at_region_prompt(fake_api, application)
        await reply_to(fake_api, USER, "/topik", "topik")
        assert waiting.current(application.user_data[USER]) is None
        # The next message is a question again: a kabupaten name is answered, not stored.
        await reply_to(fake_api, USER, "apa itu tksk", "Tenaga Kesejahteraan Sosial Kecamatan")
        assert (await get_user(application.bot_data["services"].db, USER)).region_code is None


async def test_a_forgotten_wait_expires(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        await _at_region_prompt(fake_api, application)
        application.user_data[USER][waiting.SINCE] -= waiting.WAIT_S + 1  # a quarter of an hour later
        await reply_to(fake_api, USER, "Kutai Kartanegara", "Sumber")  # answered as a question (Kukar)
        assert (await get_user(application.bot_data["services"].db, USER)).region_code is None


async def test_a_forged_region_button_is_refused(fake_api, engine, tmp_path, caplog):
    async with running_bot(fake_api, engine, tmp_path) as application:
        services = application.bot_data["services"]
        await _at_region_prompt(fake_api, application)
        await reply_to(fake_api, USER, "kukar", "Kecamatannya")
        prompt = fake_api.sent[-1]
        # A kecamatan of another kabupaten, and a code that does not exist.
        for data in (pack(services.version, "g", 3, "31.71.07"), pack(services.version, "g", 3, "64.02.99")):
            fake_api.callback(USER, prompt["message_id"], data)
            await fake_api.wait_for(lambda c, d=data: c["method"] == "answerCallbackQuery" and c.get("show_alert"))
            fake_api.sent.clear()
        assert (await get_user(services.db, USER)).region_code == "64.02"
        assert "refused region button" in caplog.text


async def test_an_unmatched_older_region_is_asked_again_once(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        db = application.bot_data["services"].db
        await register_user(db, USER, "Rina", None, "id")
        await set_region(db, USER, "Kampung Durian Runtuh")
        await reply_to(fake_api, USER, "apa itu pkh", "Program Keluarga Harapan")
        await fake_api.wait_for(lambda c: "Kampung Durian Runtuh" in (c.get("text") or ""))
        assert (await get_user(db, USER)).region_asked_at is not None
        await reply_to(fake_api, USER, "/lewati", "dilewati")  # not now
        application.user_data[USER].pop("region_rechecked")  # even in a new process …
        await reply_to(fake_api, USER, "apa itu tksk", "Tenaga Kesejahteraan Sosial Kecamatan")
        await reply_to(fake_api, USER, "/profil", "Profil Anda")
        texts = texts_to(fake_api, USER)
        assert sum("belum cocok dengan satu pun" in t for t in texts) == 1  # … asked once, never again
        # Choosing later through /profil (role, then region) stores the code.
        prompt = await fake_api.wait_for(lambda c: c.get("reply_markup") and "peran" in (c.get("text") or ""))
        fake_api.callback(USER, prompt["message_id"], pack(application.bot_data["services"].version, "r", "tksk"))
        await fake_api.wait_for(lambda c: "Di kabupaten/kota mana" in (c.get("text") or ""))
        await reply_to(fake_api, USER, "kota samarinda", "Kecamatannya")
        assert (await get_user(db, USER)).region_code == "64.72"


async def test_a_kecamatan_typed_at_the_kabupaten_prompt_is_offered_with_its_kabupaten(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        services = application.bot_data["services"]
        await _at_region_prompt(fake_api, application)
        offer = await reply_to(fake_api, USER, "Tenggarong", "ada kecamatan bernama itu")
        [(label, data), _retype] = _buttons(offer)
        assert label == "Tenggarong, Kabupaten Kutai Kartanegara"
        fake_api.callback(USER, offer["message_id"], pack(services.version, "g", "k", "64.02"))  # forged: not a kecamatan
        await fake_api.wait_for(lambda c: c["method"] == "answerCallbackQuery" and c.get("show_alert"))
        fake_api.callback(USER, offer["message_id"], data)
        await fake_api.wait_for(lambda c: "Desa/kelurahannya" in (c.get("text") or ""))
        user = await get_user(services.db, USER)
        assert (user.region_code, user.kabupaten, user.kecamatan) == (
            "64.02.06", "Kabupaten Kutai Kartanegara", "Tenggarong")


async def test_two_answers_typed_back_to_back_fill_the_kabupaten_and_then_the_kecamatan(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        db = application.bot_data["services"].db
        await _at_region_prompt(fake_api, application)
        fake_api.user_message(USER, "kukar")  # both sent before the bot answers either
        fake_api.user_message(USER, "tenggarong")
        await fake_api.wait_for(lambda c: "Kecamatannya" in (c.get("text") or ""))
        done = await fake_api.wait_for(lambda c: "Tenggarong" in (c.get("text") or ""), timeout=10)
        user = await get_user(db, USER)
        assert user.region_code is not None and user.region_code.startswith("64.02.")  # a kecamatan of Kukar
        assert user.kabupaten == "Kabupaten Kutai Kartanegara", done["text"]
