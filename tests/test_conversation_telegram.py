"""Small talk and follow-ups in Telegram: the real Application against the fake Bot API."""

from __future__ import annotations

from tests.conftest import running_bot
from tests.fake_bot_api import FakeBotApi

USER = 5151


async def new_reply(api: FakeBotApi, text: str, contains: str) -> dict:
    """Send a message and wait for a reply sent after it that contains ``contains``."""
    seen = {id(call) for call in api.sent}
    api.user_message(USER, text)
    return await api.wait_for(
        lambda c: id(c) not in seen and c.get("chat_id") == USER and contains in (c.get("text") or ""), timeout=5
    )


def labels(call: dict) -> list[str]:
    return [b["text"] for row in call["reply_markup"]["inline_keyboard"] for b in row]


async def test_thanks_gets_a_friendly_reply_and_is_not_logged_as_a_question(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        services = application.bot_data["services"]
        await new_reply(fake_api, "makasih min 🙏", engine.messages.get("small_talk_thanks")[:20])
        await new_reply(fake_api, "halo", "Halo!")
        await services.question_log.flush()
        rows = await services.db.fetch_all("SELECT text FROM questions WHERE telegram_id = ?", (USER,))
        assert rows == []  # small talk is not an unanswered question for the admins' report


async def test_follow_ups_refer_to_the_last_answer(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path):
        answer = await new_reply(fake_api, "sasaran 1000 hpk sapa aja", "ibu hamil")
        entry = engine.ask("sasaran 1000 hpk sapa aja").entry
        source = await new_reply(fake_api, "sumbernya dari mana?", "<blockquote>")
        assert "sumber berikut" in source["text"] and "ibu hamil, bayi dan balita" in source["text"]
        more = await new_reply(fake_api, "terus gimana?", "pertanyaan lanjutan")
        related = [engine.by_id[r].question for r in entry.related[:3]]
        assert labels(more) == related
        assert answer["message_id"] != more["message_id"]


async def test_a_follow_up_after_the_window_is_an_ordinary_question(fake_api, engine, tmp_path, monkeypatch):
    async with running_bot(fake_api, engine, tmp_path):
        await new_reply(fake_api, "sasaran 1000 hpk sapa aja", "ibu hamil")
        monkeypatch.setattr("bot.telegram.handlers.FOLLOW_UP_WINDOW_S", -1.0)  # the answer is now too old
        seen = {id(call) for call in fake_api.sent}
        fake_api.user_message(USER, "sumbernya dari mana?")
        reply = await fake_api.wait_for(lambda c: id(c) not in seen and c.get("chat_id") == USER, timeout=5)
        assert "<blockquote>" not in (reply.get("text") or "")
