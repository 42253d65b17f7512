"""Stopping a broadcast from Telegram: the "Batalkan siaran" button on the progress message (with a
confirmation) and /batal_siaran ID — the real Application against the local fake Bot API."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import UTC, datetime, timedelta

from bot.storage import broadcasts as store
from bot.storage import set_coordinator
from tests.conftest import ADMIN, running_bot
from tests.test_broadcast_telegram import (
    COORDINATOR,
    STRANGER,
    buttons,
    coordinator,
    fast_progress,
    people,
    press,
    reply_to,
    write_text,
)

OTHER_COORDINATOR = 5002
TEXT = "Posyandu serentak Sabtu pagi"


def delivered(api, since: dict) -> list[int]:
    """Chats that got the broadcast (sent after ``since``, so not the coordinator's preview)."""
    later = api.sent[next(i for i, c in enumerate(api.sent) if c is since) :]
    return [c["chat_id"] for c in later if c["method"] == "sendMessage" and c["text"] == TEXT]


async def test_the_coordinator_stops_a_running_broadcast_from_its_progress_message(fake_api, engine, tmp_path, caplog):
    async with running_bot(fake_api, engine, tmp_path, BOT_BROADCAST_RATE="5") as application:
        fast_progress(application)
        db = application.bot_data["services"].db
        await coordinator(db)
        await people(db, [OTHER_COORDINATOR])
        await set_coordinator(db, OTHER_COORDINATOR, True)
        await people(db, range(1001, 1031))
        menu = await write_text(fake_api, TEXT)
        await press(fake_api, COORDINATOR, menu, "Semua pelanggan")
        summary = await fake_api.wait_for(lambda c: "Penerima: 32 orang" in (c["text"] or ""))
        await press(fake_api, COORDINATOR, summary, "Kirim sekarang")
        progress = await fake_api.wait_for(lambda c: "Siaran #1 untuk 32 orang disiapkan" in (c["text"] or ""))
        assert set(buttons(progress)) == {"Batalkan siaran"}
        await fake_api.wait_for(lambda c: c["chat_id"] == 1002 and c["text"] == TEXT)
        # While it runs, every progress edit keeps the button.
        running = await fake_api.wait_for(
            lambda c: c["method"] == "editMessageText" and c["text"].startswith("Siaran #1\nTerkirim ")
        )
        assert set(buttons(running)) == {"Batalkan siaran"}

        # Someone else pressing the button (forwarded or forged), or typing the command: refused, logged.
        with caplog.at_level(logging.WARNING):
            seen = {id(c) for c in fake_api.sent}
            fake_api.callback(STRANGER, 1, buttons(progress)["Batalkan siaran"])
            await fake_api.wait_for(lambda c: id(c) not in seen and c["chat_id"] == STRANGER and "hanya untuk" in c["text"])
            await reply_to(fake_api, OTHER_COORDINATOR, "/batal_siaran 1", "oleh koordinator yang membuatnya")
        logged = [r.getMessage() for r in caplog.records]
        assert any(f"refused privileged command button '{buttons(progress)['Batalkan siaran']}' from user {STRANGER}" in line
                   for line in logged)  # fmt: skip
        assert any(f"refused privileged command /batal_siaran from user {OTHER_COORDINATOR}" in line for line in logged)
        assert (await store.get_broadcast(db, 1)).status == "sending"

        # The owner presses it, thinks again ("Tidak, lanjutkan"): nothing changes.
        await press(fake_api, COORDINATOR, progress, "Batalkan siaran")
        confirm = await fake_api.wait_for(lambda c: "Batalkan siaran #1? Sudah terkirim" in (c["text"] or ""))
        assert re.search(r"Sudah terkirim \d+ dari 32; \d+ pesan yang belum terkirim tidak akan dikirim", confirm["text"])
        await press(fake_api, COORDINATOR, confirm, "Tidak, lanjutkan")
        await fake_api.wait_for(lambda c: c["method"] == "answerCallbackQuery" and "tetap berjalan" in (c["text"] or ""))
        assert (await store.get_broadcast(db, 1)).status == "sending"

        # Then presses it again and confirms.
        await press(fake_api, COORDINATOR, progress, "Batalkan siaran")
        seen = {id(c) for c in fake_api.sent}
        confirm = await fake_api.wait_for(lambda c: id(c) not in seen and "Batalkan siaran #1?" in (c["text"] or ""))
        await press(fake_api, COORDINATOR, confirm, "Ya, batalkan")
        done = await fake_api.wait_for(lambda c: "Siaran #1 dibatalkan:" in (c["text"] or "") and "Laporan" in c["text"])
        not_sent = int(re.search(r"dibatalkan: (\d+) pesan", done["text"]).group(1))
        report = await fake_api.wait_for(lambda c: "Laporan siaran #1 (32 penerima)" in (c["text"] or ""), timeout=10)
        await asyncio.sleep(1.0)  # nothing more goes out after the report
        got = delivered(fake_api, progress)
        assert len(got) == len(set(got)) and 3 <= len(got) < 32
        assert f"Terkirim: {len(got)}" in report["text"] and f"Dibatalkan: {not_sent}" in report["text"]
        assert f"Siaran ini dibatalkan sebelum selesai; {len(got)} pesan sudah terkirim sebelum dibatalkan." in report["text"]
        final = await store.broadcast_report(db, 1)
        assert final.broadcast.status == "cancelled" and final.counts == {"sent": len(got), "cancelled": 32 - len(got)}
        # The progress message says so too, and its button is gone.
        edits = [c for c in fake_api.sent if c["method"] == "editMessageText" and c["message_id"] == progress["message_id"]]
        assert edits[-1]["text"] == f"Siaran #1 dibatalkan: terkirim {len(got)} dari 32."
        assert fake_api.messages[(COORDINATOR, progress["message_id"])].get("reply_markup") is None
        # The confirmation's buttons went with the answer; pressing "Ya" again changes nothing.
        await press(fake_api, COORDINATOR, confirm, "Ya, batalkan")
        await fake_api.wait_for(lambda c: "Siaran #1 sudah dibatalkan sebelumnya." in (c["text"] or ""))
        assert len([c for c in fake_api.sent if "Laporan siaran #1" in (c["text"] or "")]) == 1


async def test_batal_siaran_stops_a_scheduled_broadcast_and_checks_who_asks(fake_api, engine, tmp_path, caplog):
    async with running_bot(fake_api, engine, tmp_path) as application:
        db = application.bot_data["services"].db
        await coordinator(db)
        await people(db, [OTHER_COORDINATOR])
        await set_coordinator(db, OTHER_COORDINATOR, True)
        await people(db, range(1001, 1004))
        later = datetime.now(UTC) + timedelta(days=1)
        for _ in range(3):  # #1, #2, #3, all the coordinator's, scheduled for tomorrow
            await store.create_broadcast(db, TEXT, send_at=later, created_by=COORDINATOR)

        await reply_to(fake_api, COORDINATOR, "/batal_siaran", "Cara memakai: /batal_siaran")
        await reply_to(fake_api, COORDINATOR, "/batal_siaran besok", "Cara memakai: /batal_siaran")
        unknown = await reply_to(fake_api, COORDINATOR, "/batal_siaran 99", "Siaran #99 tidak ada di antara siaran Anda")
        await reply_to(fake_api, COORDINATOR, "/batal_siaran #1", "Siaran #1 dibatalkan: 5 pesan yang belum terkirim")
        await reply_to(fake_api, COORDINATOR, "/batal_siaran 1", "Siaran #1 sudah dibatalkan sebelumnya")
        with caplog.at_level(logging.WARNING):
            other = await reply_to(fake_api, OTHER_COORDINATOR, "/batal_siaran 2", "oleh koordinator yang membuatnya")
            # someone else's broadcast and one that does not exist look the same: ids cannot be probed
            assert other["text"].replace("#2", "#N") == unknown["text"].replace("#99", "#N")
            await reply_to(fake_api, STRANGER, "/cancel_broadcast 2", "hanya untuk admin dan koordinator")
        logged = [r.getMessage() for r in caplog.records]
        assert any(f"refused privileged command /batal_siaran from user {OTHER_COORDINATOR}" in line for line in logged)
        assert any(f"refused privileged command /cancel_broadcast from user {STRANGER}" in line for line in logged)
        assert (await store.get_broadcast(db, 2)).status == "scheduled"
        # An admin may stop anyone's broadcast.
        await reply_to(fake_api, ADMIN, "/batal_siaran 2", "Siaran #2 dibatalkan")
        # A coordinator whose role was revoked may no longer stop even their own.
        await set_coordinator(db, COORDINATOR, False)
        await reply_to(fake_api, COORDINATOR, "/batal_siaran 3", "hanya untuk admin dan koordinator")
        statuses = [(await store.get_broadcast(db, i)).status for i in (1, 2, 3)]
        assert statuses == ["cancelled", "cancelled", "scheduled"]
        assert (await store.broadcast_report(db, 1)).counts == {"cancelled": 5}
        for chat in range(1001, 1004):
            assert fake_api.messages_to(chat) == []
        # The command is in the coordinators' menu.
        menu = application.bot_data["menus"]["coordinator"]
        assert "batal_siaran" in [c.command for c in menu]
