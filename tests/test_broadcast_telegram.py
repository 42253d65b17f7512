"""Coordinator broadcasts from Telegram: /peran, the /siaran draft, preview, progress, final
report and read confirmations — the real Application against the local fake Bot API."""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.storage import broadcasts as store
from bot.storage import get_user, register_user, set_coordinator, set_role
from bot.storage.users import set_region_code
from bot.telegram.broadcast_commands import number
from bot.telegram.render import plain_html
from tests.conditions import until
from tests.conftest import ADMIN, running_bot
from tests.fake_bot_api import FakeBotApi

WIB = ZoneInfo("Asia/Jakarta")
COORDINATOR = 5001
STRANGER = 4242
TEXT = "Rapat <b>koordinasi</b> & pelatihan Senin 08.00 — wajib hadir!"
ESCAPED = "Rapat &lt;b&gt;koordinasi&lt;/b&gt; &amp; pelatihan Senin 08.00 — wajib hadir!"


async def people(db, ids, role=None, region=None):
    """People with a role and an official region code (as the profile stores them)."""
    for telegram_id in ids:
        await register_user(db, telegram_id, f"Orang {telegram_id}", f"orang{telegram_id}", "id")
        if role:
            await set_role(db, telegram_id, role)
        if region:
            await set_region_code(db, telegram_id, region)
    return list(ids)


async def coordinator(db):
    await register_user(db, COORDINATOR, "Koor", "koor_garut", "id")
    await set_coordinator(db, COORDINATOR, True)


async def reply_to(api: FakeBotApi, chat_id: int, text: str, contains: str) -> dict:
    """Send a message as a person and wait for a *new* reply to them containing ``contains``."""
    seen = {id(call) for call in api.sent}
    api.user_message(chat_id, text)
    return await api.wait_for(
        lambda c: id(c) not in seen and c.get("chat_id") == chat_id and contains in (c.get("text") or ""), timeout=5
    )


def buttons(call: dict) -> dict[str, str]:
    return {b["text"]: b["callback_data"] for row in call["reply_markup"]["inline_keyboard"] for b in row}


def fast_progress(application) -> None:
    application.bot_data["broadcast_progress"].interval = 0.1


async def press(api: FakeBotApi, chat_id: int, call: dict, label: str) -> None:
    api.callback(chat_id, call["message_id"], buttons(call)[label])


async def write_text(api: FakeBotApi, text: str) -> dict:
    """/siaran, then the text; returns the audience menu."""
    await reply_to(api, COORDINATOR, "/siaran", "Tulis teks siaran")
    return await reply_to(api, COORDINATOR, text, "Siapa penerimanya")


# --- pure helpers -----------------------------------------------------------------------------


def test_numbers_use_indonesian_thousands_dots():
    assert [number(n) for n in (0, 999, 1200, 4000, 40000, 1234567)] == ["0", "999", "1.200", "4.000", "40.000", "1.234.567"]


async def test_admin_grants_and_revokes_the_coordinator_role(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        db = application.bot_data["services"].db
        await reply_to(fake_api, COORDINATOR, "/start", "Halo")
        await register_user(db, COORDINATOR, "Koor", "Koor_Garut", "id")
        await reply_to(fake_api, ADMIN, "/peran", "Cara memakai")
        await reply_to(fake_api, ADMIN, "/peran @koor_garut kepala", "Cara memakai")
        await reply_to(fake_api, ADMIN, "/peran @tidak_ada koordinator", "tidak ditemukan")
        await reply_to(fake_api, ADMIN, "/peran 777 koordinator", "tidak ditemukan")
        await reply_to(fake_api, ADMIN, "/peran @koor_garut koordinator", "sekarang koordinator")
        told = await fake_api.wait_for(lambda c: c["chat_id"] == COORDINATOR and "Anda sekarang koordinator" in c["text"])
        assert "/siaran" in told["text"] and "/statistik" in told["text"]
        assert (await get_user(db, COORDINATOR)).coordinator
        menu = fake_api.commands[(f'{{"chat_id": {COORDINATOR}, "type": "chat"}}', "")]
        assert "siaran" in [c["command"] for c in menu]
        # Now the coordinator may start a broadcast.
        await reply_to(fake_api, COORDINATOR, "/siaran", "Tulis teks siaran")
        await reply_to(fake_api, COORDINATOR, "/batal", "dibatalkan")
        await reply_to(fake_api, ADMIN, f"/role {COORDINATOR} remove", "bukan koordinator atau petugas lagi")
        assert not (await get_user(db, COORDINATOR)).coordinator
        menu = fake_api.commands[(f'{{"chat_id": {COORDINATOR}, "type": "chat"}}', "")]
        assert "siaran" not in [c["command"] for c in menu]
        await reply_to(fake_api, COORDINATOR, "/siaran", "/siaran hanya untuk admin dan koordinator")


# --- the /siaran walk -----------------------------------------------------------------------


def links_previewed(call: dict) -> bool:
    return not (call["link_preview_options"] or {}).get("is_disabled")


async def test_coordinator_walks_siaran_and_everyone_chosen_gets_exactly_the_preview(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        fast_progress(application)
        db = application.bot_data["services"].db
        await coordinator(db)
        tpk = await people(db, range(1001, 1005), role="tpk", region="32.05")  # Kabupaten Garut
        await people(db, [1101], role="tpk", region="32.73")  # Kota Bandung
        await people(db, [1201], role="tksk", region="32.05.01")  # a kecamatan of Garut
        fake_api.block_chat(1004)

        menu = await write_text(fake_api, TEXT)
        await press(fake_api, COORDINATOR, menu, "TPK / kader")
        edited = await fake_api.wait_for(lambda c: c["method"] == "editMessageText" and "peran TPK" in c["text"])
        assert "✓ TPK / kader" in buttons(edited)
        await press(fake_api, COORDINATOR, edited, "Wilayah…")
        await fake_api.wait_for(lambda c: "Ketik wilayahnya" in (c["text"] or ""))
        menu = await reply_to(fake_api, COORDINATOR, "garut", "wilayah Kabupaten Garut")
        await press(fake_api, COORDINATOR, menu, "Lanjut ›")

        summary = await fake_api.wait_for(lambda c: "Penerima: 4 orang" in (c["text"] or ""))
        assert "• Kabupaten Garut: 4 orang" in summary["text"]
        preview = [c for c in fake_api.messages_to(COORDINATOR) if c["method"] == "sendMessage" and c["text"] == ESCAPED]
        assert len(preview) == 1 and preview[0]["parse_mode"] == "HTML" and links_previewed(preview[0])
        assert plain_html(TEXT) == [ESCAPED]
        assert {"Kirim sekarang", "Jadwalkan", "Batal"} <= set(buttons(summary))

        await press(fake_api, COORDINATOR, summary, "Kirim sekarang")
        report = await fake_api.wait_for(lambda c: c["chat_id"] == COORDINATOR and "Laporan siaran #1" in (c["text"] or ""), timeout=10)
        for chat in tpk[:3]:
            received = [c for c in fake_api.messages_to(chat) if c["method"] == "sendMessage"]
            assert [(c["text"], c["parse_mode"]) for c in received] == [(ESCAPED, "HTML")]
            assert all(links_previewed(c) for c in received)  # as in the preview
        assert not fake_api.messages_to(1101) and not fake_api.messages_to(1201)
        assert "Terkirim: 3" in report["text"] and "Tidak terjangkau (memblokir bot/akun dihapus): 1" in report["text"]
        assert "1004: Forbidden: bot was blocked by the user" in report["text"]
        progress = [c for c in fake_api.messages_to(COORDINATOR) if c["method"] == "editMessageText"
                    and c["text"].startswith("Siaran #1")]  # fmt: skip
        assert progress and progress[-1]["text"] == "Siaran #1 selesai: terkirim 3 dari 4."
        queued = next(c for c in fake_api.messages_to(COORDINATOR) if "disiapkan" in (c["text"] or ""))
        assert {c["message_id"] for c in progress} == {queued["message_id"]}  # one message, edited
        async def reported():  # marked reported right after the report went out
            broadcast = await store.get_broadcast(db, 1)
            return broadcast if broadcast.reported_at is not None else None

        broadcast = await until(reported, what="the broadcast to be marked reported")
        assert broadcast.created_by == COORDINATOR
        await asyncio.sleep(0.3)  # and it is reported once: no second report in the next 0.3 s
        assert len([c for c in fake_api.sent if "Laporan siaran #1" in (c["text"] or "")]) == 1


async def test_batal_cancels_and_nothing_is_sent(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        db = application.bot_data["services"].db
        await coordinator(db)
        await people(db, range(1001, 1004))
        # Cancelled at the text step: the next message is a question again.
        await reply_to(fake_api, COORDINATOR, "/siaran", "Tulis teks siaran")
        await reply_to(fake_api, COORDINATOR, "/batal", "dibatalkan")
        await reply_to(fake_api, COORDINATOR, "apa itu tksk", "Tenaga Kesejahteraan Sosial Kecamatan")
        # Cancelled at the preview: its buttons are stale afterwards.
        menu = await write_text(fake_api, TEXT)
        await press(fake_api, COORDINATOR, menu, "Semua pelanggan")
        summary = await fake_api.wait_for(lambda c: "Penerima: 4 orang" in (c["text"] or ""))
        await reply_to(fake_api, COORDINATOR, "/batal", "dibatalkan")
        await press(fake_api, COORDINATOR, summary, "Kirim sekarang")
        await fake_api.wait_for(lambda c: c["method"] == "answerCallbackQuery" and "sudah tidak ada" in (c["text"] or ""))
        # And the Batal button.
        menu = await write_text(fake_api, "Teks lain")
        await press(fake_api, COORDINATOR, menu, "Batal")
        await fake_api.wait_for(lambda c: len([x for x in fake_api.sent if "tidak ada yang dikirim" in (x["text"] or "")]) >= 3)
        # Nothing was queued (a queued broadcast is stored before any reply says so): nothing to send.
        assert await store.list_broadcasts(db) == []
        for chat in range(1001, 1004):
            assert fake_api.messages_to(chat) == []


async def test_a_scheduled_broadcast_is_stored_in_wib(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        db = application.bot_data["services"].db
        await coordinator(db)
        await people(db, range(1001, 1003), role="tksk")
        menu = await write_text(fake_api, TEXT)
        await press(fake_api, COORDINATOR, menu, "TKSK")
        edited = await fake_api.wait_for(lambda c: c["method"] == "editMessageText" and "peran TKSK" in c["text"])
        await press(fake_api, COORDINATOR, edited, "Lanjut ›")
        summary = await fake_api.wait_for(lambda c: "Penerima: 2 orang" in (c["text"] or ""))
        await press(fake_api, COORDINATOR, summary, "Jadwalkan")
        await fake_api.wait_for(lambda c: "Kapan dikirim" in (c["text"] or ""))
        await reply_to(fake_api, COORDINATOR, "kapan-kapan", "belum bisa saya baca")
        await reply_to(fake_api, COORDINATOR, "besok jam 3", "bisa berarti dua hal")
        await reply_to(fake_api, COORDINATOR, "2020-12-01 08:00", "sudah lewat")
        tomorrow = (datetime.now(WIB) + timedelta(days=1)).date()
        confirm = await reply_to(fake_api, COORDINATOR, "besok jam 8 pagi", "Benar?")
        assert f"{tomorrow.day} " in confirm["text"] and "pukul 08.00 WIB" in confirm["text"]
        assert await store.list_broadcasts(db) == []  # nothing queued before the confirmation
        await press(fake_api, COORDINATOR, confirm, "Ya, jadwalkan")
        await fake_api.wait_for(lambda c: "dijadwalkan pada" in (c["text"] or "") and "pukul 08.00 WIB" in c["text"])
        [report] = await store.list_broadcasts(db)
        assert report.broadcast.status == "scheduled" and report.total == 2
        assert report.broadcast.send_at == datetime.combine(tomorrow, time(8, 0), tzinfo=WIB)
        assert (await store.get_broadcast(db, 1)).progress_chat_id == COORDINATOR
        assert fake_api.messages_to(1001) == []


# --- read confirmations ---------------------------------------------------------------------


async def test_read_confirmation_is_recorded_shown_and_resent_to_the_others(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        fast_progress(application)
        db = application.bot_data["services"].db
        await coordinator(db)
        await people(db, range(1001, 1004), role="kpm_kader")
        await set_role(db, COORDINATOR, "kpm_kader")  # the sender is in their own audience
        menu = await write_text(fake_api, "Mohon konfirmasi")
        await press(fake_api, COORDINATOR, menu, "Kader KPM")
        edited = await fake_api.wait_for(lambda c: c["method"] == "editMessageText" and "peran Kader KPM" in c["text"])
        await press(fake_api, COORDINATOR, edited, "Lanjut ›")
        summary = await fake_api.wait_for(lambda c: "Penerima: 4 orang" in (c["text"] or ""))
        await press(fake_api, COORDINATOR, summary, "☐ Minta konfirmasi baca")
        await until(  # editMessageReplyMarkup: the toggle shows it is on
            lambda: "☑ Minta konfirmasi baca" in str(fake_api.messages[(COORDINATOR, summary["message_id"])].get("reply_markup")),
            what="the confirmation toggle to turn on",
        )  # fmt: skip
        await press(fake_api, COORDINATOR, summary, "Kirim sekarang")
        got = await fake_api.wait_for(lambda c: c["chat_id"] == 1002 and c["text"] == "Mohon konfirmasi")
        assert set(buttons(got)) == {"Sudah dibaca ✅"}
        fake_api.callback(1002, got["message_id"], buttons(got)["Sudah dibaca ✅"])
        await fake_api.wait_for(lambda c: c["method"] == "answerCallbackQuery" and "tercatat" in (c["text"] or ""))
        own = await fake_api.wait_for(lambda c: c["chat_id"] == COORDINATOR and c["text"] == "Mohon konfirmasi"
                                      and c.get("reply_markup"))  # the delivered copy, not the preview
        fake_api.callback(COORDINATOR, own["message_id"], buttons(own)["Sudah dibaca ✅"])  # the sender's own
        await fake_api.wait_for(lambda c: c["method"] == "answerCallbackQuery" and c["chat_id"] == COORDINATOR
                                and "tercatat" in (c["text"] or ""))  # fmt: skip
        report = await fake_api.wait_for(lambda c: "Laporan siaran #1" in (c["text"] or ""), timeout=10)
        confirmed, waiting = await store.acknowledgements(db, 1)
        assert [tid for tid, _ in confirmed] == [1002] and waiting == [1001, 1003]
        await press(fake_api, COORDINATOR, report, "Siapa yang sudah konfirmasi?")
        await fake_api.wait_for(lambda c: "Konfirmasi baca siaran #1: 1 dari 3 orang" in (c["text"] or ""))
        await press(fake_api, COORDINATOR, report, "Kirim ulang ke yang belum konfirmasi")
        ask = await fake_api.wait_for(lambda c: "Kirim ulang siaran #1 ke 2 orang" in (c["text"] or ""))
        await press(fake_api, COORDINATOR, ask, "Tidak jadi")
        await fake_api.wait_for(lambda c: c["method"] == "answerCallbackQuery" and "tidak dikirim ulang" in (c["text"] or ""))
        assert len(await store.list_broadcasts(db)) == 1  # nothing resent without the confirmation
        await press(fake_api, COORDINATOR, report, "Kirim ulang ke yang belum konfirmasi")
        ask = await fake_api.wait_for(lambda c: "Kirim ulang siaran #1 ke 2 orang" in (c["text"] or "") and c is not ask)
        await press(fake_api, COORDINATOR, ask, "Ya, kirim ulang")
        await fake_api.wait_for(lambda c: "Laporan siaran #2 (2 penerima)" in (c["text"] or ""), timeout=10)
        assert len([c for c in fake_api.messages_to(1002) if c["method"] == "sendMessage"]) == 1
        assert len([c for c in fake_api.messages_to(1001) if c["method"] == "sendMessage"]) == 2


async def test_a_version_2_database_upgrades_to_3_keeping_broadcasts(tmp_path):
    import aiosqlite

    from bot.storage import MIGRATIONS, Database
    from bot.storage.migrations import migrate
    from bot.storage.users import find_by_username

    path = tmp_path / "bot.sqlite3"
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        assert await migrate(conn, str(path), MIGRATIONS[:2]) == [1, 2]
        await conn.execute(
            "INSERT INTO broadcasts (text, audience, status, send_at, created_at)"
            " VALUES ('lama', '{}', 'done', '2026-01-01T00:00:00.000+00:00', '2026-01-01T00:00:00.000+00:00')"
        )
    async with await Database.open(path) as db:  # applies 3 only
        old = await store.get_broadcast(db, 1)
        assert old.text == "lama" and not old.ack_requested and old.progress_message_id is None
        assert await store.to_report(db) == []  # old broadcasts have no progress message to report
        await people(db, [1001])
        broadcast_id, count = await store.create_broadcast(db, "Halo", ack_requested=True)
        broadcast = await store.get_broadcast(db, broadcast_id)
        assert count == 1 and broadcast.ack_requested and broadcast.reported_at is None
        assert (await find_by_username(db, "@ORANG1001")).telegram_id == 1001
        assert await find_by_username(db, "@") is None


async def test_a_resend_leaves_out_people_who_deleted_their_data(fake_api, engine, tmp_path):
    from bot.storage.privacy import delete_person

    async with running_bot(fake_api, engine, tmp_path) as application:
        fast_progress(application)
        db = application.bot_data["services"].db
        await coordinator(db)
        await people(db, range(1001, 1004), role="kpm_kader")
        broadcast_id, _ = await store.create_broadcast(db, "Mohon konfirmasi", store.Audience(roles=("kpm_kader",)),
                                                       created_by=COORDINATOR, ack_requested=True)  # fmt: skip
        application.bot_data["broadcast_sender"].wake()
        await fake_api.wait_for(lambda c: c["chat_id"] == 1003 and c["text"] == "Mohon konfirmasi")
        async def all_delivered() -> bool:  # the last delivery is marked sent right after the API call returns
            return (await store.acknowledgements(db, broadcast_id))[1] == [1001, 1002, 1003]

        await until(all_delivered, what="the three deliveries to be marked sent")
        await delete_person(db, 1003)  # their delivery row stays, anonymised
        version = application.bot_data["services"].version  # "Kirim ulang …" under the report
        fake_api.callback(COORDINATOR, 1, f"{version}|b|resend|{broadcast_id}")
        await fake_api.wait_for(lambda c: f"Kirim ulang siaran #{broadcast_id} ke 2 orang" in (c["text"] or ""))
