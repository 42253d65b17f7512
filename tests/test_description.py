"""The bot's Telegram profile and the Application's defaults for every message it writes."""

from __future__ import annotations

from tests.conftest import running_bot
from tests.fake_bot_api import FakeBotApi

USER = 4242


def description_calls(api: FakeBotApi) -> list[str]:
    return [c["method"] for c in api.calls if c["method"] in {"setMyDescription", "setMyShortDescription"}]


async def test_the_description_is_set_at_start_up_from_the_messages_and_not_again_when_unchanged(
    fake_api, engine, tmp_path
):
    async with running_bot(fake_api, engine, tmp_path):
        pass
    assert fake_api.descriptions == {
        ("description", ""): engine.messages.get("tg_bot_description"),
        ("short_description", ""): engine.messages.get("tg_bot_short_description"),
    }
    assert "sumber" in fake_api.descriptions[("description", "")]  # every answer with its source
    assert description_calls(fake_api) == ["setMyDescription", "setMyShortDescription"]
    async with running_bot(fake_api, engine, tmp_path):  # a restart with the same texts sets nothing
        pass
    assert description_calls(fake_api) == ["setMyDescription", "setMyShortDescription"]


async def test_a_refused_description_does_not_stop_the_start(fake_api, engine, tmp_path):
    fake_api.fail_next("setMyDescription", 400, "Bad Request: description is too long")
    async with running_bot(fake_api, engine, tmp_path):
        fake_api.user_message(USER, "/bantuan")
        await fake_api.wait_for(lambda c: c.get("chat_id") == USER and "Cara memakai" in (c.get("text") or ""))


async def test_replies_are_html_without_link_previews(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path):
        fake_api.user_message(USER, "/topik")
        topics = await fake_api.wait_for(lambda c: c.get("chat_id") == USER and c.get("reply_markup"))
        fake_api.user_message(USER, "sasaran 1000 hpk sapa aja")
        answer = await fake_api.wait_for(lambda c: c.get("chat_id") == USER and "ibu hamil" in (c.get("text") or ""))
    for reply in (topics, answer):
        assert reply["parse_mode"] == "HTML" and reply["link_preview_options"] == {"is_disabled": True}
