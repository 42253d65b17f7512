"""/statistik and /belum_terjawab on the real Application against the fake Bot API."""

from __future__ import annotations

import json
import logging

from tests.conftest import ADMIN, running_bot
from tests.fake_bot_api import FakeBotApi
from tests.report_data import seed

STRANGER = 4343


async def reply_to(api: FakeBotApi, chat_id: int, text: str, contains: str) -> dict:
    seen = {id(call) for call in api.sent}
    api.user_message(chat_id, text)
    return await api.wait_for(
        lambda c: id(c) not in seen and c["chat_id"] == chat_id and contains in (c.get("text") or ""), timeout=10
    )


async def test_reports_are_refused_to_non_admins_and_logged(fake_api, engine, tmp_path, caplog):
    async with running_bot(fake_api, engine, tmp_path) as application:
        await seed(application.bot_data["services"].db, backdate=False)
        with caplog.at_level(logging.WARNING):
            for command in ("/statistik", "/stats", "/belum_terjawab", "/unanswered nama"):
                await reply_to(fake_api, STRANGER, command, "hanya untuk admin")
        logged = [r.getMessage() for r in caplog.records]
        for command in ("/statistik", "/stats", "/belum_terjawab", "/unanswered"):
            assert any(f"refused privileged command {command} from user {STRANGER}" in line for line in logged)
        to_stranger = fake_api.messages_to(STRANGER)
        assert not any(c["method"] == "sendPhoto" for c in to_stranger)
        assert not any("gaji" in (c.get("text") or "") for c in to_stranger)


async def test_admin_gets_the_chart_as_a_photo_and_the_summary(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        await seed(application.bot_data["services"].db, backdate=False)
        fake_api.user_message(ADMIN, "/statistik")
        photo = await fake_api.wait_for(lambda c: c["method"] == "sendPhoto" and c["chat_id"] == ADMIN, timeout=20)
        assert photo["photo_size"] > 10_000
        assert photo["caption"].startswith("Grafik statistik sejak")
        assert photo["parse_mode"] is None  # a plain caption, not the Application's default HTML
        summary = await fake_api.wait_for(lambda c: c["chat_id"] == ADMIN and "Pertanyaan: 12" in (c.get("text") or ""))
        assert "👍 3 · 👎 1 (75% suka)" in summary["text"] and "Garut 2" in summary["text"]


async def test_admin_gets_the_grouped_unanswered_questions_names_only_on_request(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        await seed(application.bot_data["services"].db, backdate=False)
        listing = await reply_to(fake_api, ADMIN, "/belum_terjawab", "Ditanyakan 3×")
        assert listing["parse_mode"] == "HTML"
        assert "kpn cair bpnt" in listing["text"] and "Siti" not in listing["text"]
        named = await reply_to(fake_api, ADMIN, "/belum_terjawab nama", "Ditanyakan oleh")
        assert "Siti @siti_pkh" in named["text"]
        await reply_to(fake_api, ADMIN, "/statistik kemarin", "Tanggal kemarin tidak dikenal")


async def test_admin_menu_lists_the_report_commands(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path):
        scope = json.dumps({"chat_id": ADMIN, "type": "chat"}, sort_keys=True)
        names = {c["command"] for c in fake_api.commands[(scope, "")]}
        assert {"belum_terjawab", "statistik"} <= names
        public = {c["command"] for key, commands in fake_api.commands.items() if "all_private" in key[0] for c in commands}
        assert not {"belum_terjawab", "statistik"} & public


async def test_long_lists_are_escaped_split_and_capped(fake_api, engine, tmp_path):
    import hashlib

    from bot.storage import log_question

    async with running_bot(fake_api, engine, tmp_path) as application:
        db = application.bot_data["services"].db
        for n in range(40):  # unlike each other: 40 groups
            words = [hashlib.sha256(f"{n}-{k}".encode()).hexdigest() for k in range(4)]
            await log_question(db, None, "private", " ".join(words), "none", None, 0.0)
        for _ in range(2):  # asked twice: the first group, whatever the clock says
            await log_question(db, None, "private", "gaji <b>kader</b> & tpk?", "none", None, 0.0)
        seen = {id(call) for call in fake_api.sent}
        fake_api.user_message(ADMIN, "/belum_terjawab")
        last = await fake_api.wait_for(lambda c: id(c) not in seen and "kelompok lain" in (c.get("text") or ""))
        parts = [c for c in fake_api.sent if id(c) not in seen and c["chat_id"] == ADMIN and c["method"] == "sendMessage"]
        assert len(parts) >= 2 and parts[-1] is last
        assert all(len(part["text"]) <= 4096 for part in parts)
        assert "…dan 11 kelompok lain" in last["text"]  # 41 groups, 30 shown
        # Shown as typed, not as markup (the fake API refuses HTML Telegram would refuse).
        assert any("gaji &lt;b&gt;kader&lt;/b&gt; &amp; tpk?" in part["text"] for part in parts)
