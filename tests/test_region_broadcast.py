"""Broadcasts by official region, end to end against the local fake Bot API: everyone in the area is
reached whatever they typed, a kecamatan target reaches only that kecamatan, a region-scoped
coordinator cannot reach beyond their regions (typed or forged), and times are read in their zone."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.storage import broadcasts as store
from bot.storage import get_user, register_user, set_region
from bot.storage.region_codes import map_free_text
from bot.storage.users import coordinator_regions, set_coordinator, set_region_code
from bot.telegram.broadcast_commands import DRAFT
from bot.telegram.keyboards import pack
from tests.conftest import ADMIN, running_bot
from tests.test_broadcast_telegram import fast_progress, press, reply_to, write_text

KOOR = 5001  # the coordinator of Kutai Kartanegara
TEXT = "Undangan rapat koordinasi pendamping, Senin 08.00 di kantor camat"
WITA = ZoneInfo("Asia/Makassar")


async def _companions(db) -> None:
    """The issue's companions who typed Kutai Kartanegara three ways (and one typo) before codes
    existed, one in Tenggarong who chose it from the list, and one in Jakarta Pusat."""
    typed = {101: "kukar", 102: "Kab. Kutai Kartanegara", 103: "kutai kartanegara", 104: "kutai kartanegra"}
    for telegram_id, text in typed.items():
        await register_user(db, telegram_id, f"P{telegram_id}", None, "id")
        await set_region(db, telegram_id, text)
    for telegram_id, code in {105: "64.02.06", 201: "31.71.07"}.items():
        await register_user(db, telegram_id, f"P{telegram_id}", None, "id")
        await set_region_code(db, telegram_id, code)


async def _scoped_coordinator(db) -> None:
    await register_user(db, KOOR, "Koor", "koor_kukar", "id")
    await set_region_code(db, KOOR, "64.02")
    await set_coordinator(db, KOOR, True, ["64.02"])


async def _preview_for(api, typed: str, shown: str) -> dict:
    """/siaran, the text, "Wilayah…", the typed region (echoed as ``shown``), "Lanjut": the preview summary."""
    menu = await write_text(api, TEXT)
    await press(api, KOOR, menu, "Wilayah…")
    await api.wait_for(lambda c: "Ketik wilayahnya" in (c["text"] or ""))
    menu = await reply_to(api, KOOR, typed, shown)
    await press(api, KOOR, menu, "Lanjut ›")
    return await api.wait_for(lambda c: "Penerima:" in (c["text"] or ""))


def _received(api, chat: int) -> list[str]:
    return [c["text"] for c in api.messages_to(chat) if c["method"] == "sendMessage"]


async def test_everyone_in_kutai_kartanegara_is_reached_whatever_they_typed(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        fast_progress(application)
        services = application.bot_data["services"]
        db = services.db
        await _companions(db)
        await map_free_text(db, services.catalogue.profile_code)  # as at start-up
        await _scoped_coordinator(db)
        summary = await _preview_for(fake_api, "Kutai Kartanegara", "wilayah Kabupaten Kutai Kartanegara")
        assert "Penerima: 6 orang" in summary["text"]  # the five companions and the coordinator
        assert "• Kabupaten Kutai Kartanegara: 6 orang" in summary["text"]
        await press(fake_api, KOOR, summary, "Kirim sekarang")
        await fake_api.wait_for(lambda c: "Laporan siaran #1" in (c["text"] or ""), timeout=10)
        for chat in (101, 102, 103, 104, 105):
            assert _received(fake_api, chat) == [TEXT], chat
        assert _received(fake_api, 201) == []  # Jakarta Pusat is not in Kutai Kartanegara


async def test_a_kecamatan_target_reaches_only_that_kecamatan(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        fast_progress(application)
        db = application.bot_data["services"].db
        await _companions(db)
        await _scoped_coordinator(db)
        await register_user(db, 106, "P106", None, "id")
        await set_region_code(db, 106, "64.02.06.1002")  # a kelurahan in Tenggarong
        summary = await _preview_for(fake_api, "Tenggarong, Kukar", "wilayah Tenggarong, Kabupaten Kutai Kartanegara")
        assert "Penerima: 2 orang" in summary["text"]
        await press(fake_api, KOOR, summary, "Kirim sekarang")
        await fake_api.wait_for(lambda c: "Laporan siaran #1" in (c["text"] or ""), timeout=10)
        assert _received(fake_api, 105) == [TEXT] and _received(fake_api, 106) == [TEXT]  # kecamatan and its desa
        for chat in (101, 102, 103, 104, 201):  # the rest of the kabupaten (no code yet) and Jakarta
            assert _received(fake_api, chat) == [], chat


async def test_a_scoped_coordinator_cannot_reach_jakarta_pusat_typed_or_forged(fake_api, engine, tmp_path, caplog):
    async with running_bot(fake_api, engine, tmp_path) as application:
        services = application.bot_data["services"]
        db = services.db
        await _companions(db)
        await _scoped_coordinator(db)
        menu = await write_text(fake_api, TEXT)
        await press(fake_api, KOOR, menu, "Wilayah…")
        await fake_api.wait_for(lambda c: "Ketik wilayahnya" in (c["text"] or ""))
        with caplog.at_level(logging.WARNING):
            refused = await reply_to(fake_api, KOOR, "Jakarta Pusat", "tidak bisa mengirim siaran ke")
            assert "Kabupaten Kutai Kartanegara" in refused["text"]
            # A forged region button (the draft's own kind of button, with another region's code).
            fake_api.callback(KOOR, menu["message_id"], pack(services.version, "b", "reg", "31.71"))
            await fake_api.wait_for(lambda c: c["chat_id"] == KOOR and "tidak bisa mengirim siaran ke" in c["text"]
                                    and c is not refused)  # fmt: skip
        assert "refused broadcast to ['31.71'] outside the regions ('64.02',)" in caplog.text
        assert application.user_data[KOOR][DRAFT]["regions"] == []
        # A draft altered behind the bot's back is refused at sending, and nothing is queued.
        application.user_data[KOOR][DRAFT]["regions"] = ["31.71"]
        await press(fake_api, KOOR, menu, "Lanjut ›")
        await fake_api.wait_for(lambda c: c["chat_id"] == KOOR and "hanya untuk admin dan koordinator" in c["text"])
        assert await store.list_broadcasts(db) == []
        # "Semua pelanggan" from a scoped coordinator is everyone in their regions only.
        application.user_data[KOOR][DRAFT]["regions"] = []
        await press(fake_api, KOOR, menu, "Semua pelanggan")
        summary = await fake_api.wait_for(lambda c: "Penerima:" in (c["text"] or ""))
        assert "Penerima: 2 orang" in summary["text"]  # the coordinator and Tenggarong; not Jakarta
        await press(fake_api, KOOR, summary, "Kirim sekarang")
        await fake_api.wait_for(lambda c: "disiapkan" in (c["text"] or "") or "Siaran #1" in (c["text"] or ""))
        [report] = await store.list_broadcasts(db)
        assert report.broadcast.audience.regions == ("64.02",)


async def test_a_coordinator_in_wita_schedules_in_wita(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        db = application.bot_data["services"].db
        await _companions(db)
        await _scoped_coordinator(db)
        menu = await write_text(fake_api, TEXT)
        await press(fake_api, KOOR, menu, "Semua pelanggan")
        summary = await fake_api.wait_for(lambda c: "Penerima:" in (c["text"] or ""))
        await press(fake_api, KOOR, summary, "Jadwalkan")
        asked = await fake_api.wait_for(lambda c: "Kapan dikirim" in (c["text"] or ""))
        assert "Waktunya WITA" in asked["text"]
        tomorrow = (datetime.now(WITA) + timedelta(days=1)).date()
        confirm = await reply_to(fake_api, KOOR, "besok jam 8 pagi", "Benar?")
        assert "pukul 08.00 WITA" in confirm["text"]
        await press(fake_api, KOOR, confirm, "Ya, jadwalkan")
        await fake_api.wait_for(lambda c: "dijadwalkan pada" in (c["text"] or ""))
        [report] = await store.list_broadcasts(db)
        assert report.broadcast.send_at == datetime.combine(tomorrow, time(8, 0), tzinfo=WITA)  # 07.00 WIB
        # It is due at that moment and not a minute before (the sender's own check).
        moment = report.broadcast.send_at
        assert await store.next_due(db, moment - timedelta(minutes=1)) is None
        assert (await store.next_due(db, moment)).id == report.broadcast.id


async def test_admin_grants_a_coordinator_for_a_region_and_they_are_told(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        db = application.bot_data["services"].db
        await register_user(db, KOOR, "Koor", "koor_kukar", "id")
        unsure = await reply_to(fake_api, ADMIN, "/peran @koor_kukar koordinator bogor", "bisa berarti")
        assert "32.01 (Kabupaten Bogor)" in unsure["text"] and "32.71 (Kota Bogor)" in unsure["text"]
        await reply_to(fake_api, ADMIN, "/peran @koor_kukar koordinator Kampung Durian Runtuh", "tidak ada di daftar")
        assert not (await get_user(db, KOOR)).coordinator  # nothing granted on an unsure region
        await reply_to(fake_api, ADMIN, "/peran @koor_kukar koordinator kukar; Kota Samarinda", "sekarang koordinator untuk")
        assert await coordinator_regions(db, KOOR) == ["64.02", "64.72"]
        told = await fake_api.wait_for(lambda c: c["chat_id"] == KOOR and "koordinator program untuk" in c["text"])
        assert "Kabupaten Kutai Kartanegara; Kota Samarinda" in told["text"] and "/siaran" in told["text"]
        await reply_to(fake_api, ADMIN, "/peran @koor_kukar hapus", "bukan koordinator atau petugas lagi")
        await fake_api.wait_for(lambda c: c["chat_id"] == KOOR and "sudah dicabut" in c["text"])
        assert await coordinator_regions(db, KOOR) == []


async def test_a_scoped_coordinator_sees_only_their_regions_reports(fake_api, engine, tmp_path):
    async with running_bot(fake_api, engine, tmp_path) as application:
        db = application.bot_data["services"].db
        await _companions(db)
        await _scoped_coordinator(db)
        for chat, question in ((105, "resep rendang padang yang enak gimana"), (201, "jadwal kereta ke bandung jam berapa")):
            await reply_to(fake_api, chat, question, "")
        scoped = await reply_to(fake_api, KOOR, "/belum_terjawab", "Pertanyaan belum terjawab")
        assert "resep rendang" in scoped["text"] and "kereta" not in scoped["text"]
        national = await reply_to(fake_api, ADMIN, "/belum_terjawab", "Pertanyaan belum terjawab")
        assert "resep rendang" in national["text"] and "kereta" in national["text"]
        await reply_to(fake_api, 201, "/belum_terjawab", "hanya untuk admin dan koordinator")
