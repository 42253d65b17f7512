"""Hot reload: /muat_ulang, SIGHUP and the file watcher, against the fake Bot API.

Broken content never replaces what is serving, and the admin is told exactly what is wrong; a
reload in the middle of a stream of questions never gives an error or a reply that mixes two
content sets; the real `stunting-bot run` process goes through a failed and a successful reload.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.telegram import reload as reload_module
from bot.telegram.keyboards import content_version, pack, unpack
from tests.conftest import ADMIN, VALID_FAQ, running_bot, write_content
from tests.fake_bot_api import TOKEN, FakeBotApi
from tests.test_content_check import FAQ_PROBLEMS
from tests.test_content_limits import alias_bomb
from tests.test_run_process import bot_env, start_bot_process

USER = 5151
QUESTION = "brp org yg ikut diklat fds di lembang"  # an alternate of diklat-peserta in VALID_FAQ
OLD_ANSWER = "Diklat diikuti 120 orang"
NEW_ANSWER = "Diklat Gelombang I diikuti 120 orang"
REFUSED = "TIDAK dimuat ulang"


def answers(api: FakeBotApi, chat_id: int) -> list[dict]:
    return [c for c in api.sent if c.get("chat_id") == chat_id and c["method"] == "sendMessage"]


async def sent_after(api: FakeBotApi, seen: int, predicate, timeout: float = 10) -> dict:
    """The first call recorded after the first ``seen`` ones that satisfies ``predicate``."""
    deadline = time.monotonic() + timeout
    while True:
        for call in api.sent[seen:]:
            if predicate(call):
                return call
        assert time.monotonic() < deadline, f"nothing matching was sent within {timeout}s:\n{api.dump()}"
        await asyncio.sleep(0.02)


async def ask(api: FakeBotApi, chat_id: int, text: str, contains: str) -> dict:
    """Send a message and wait for a reply that arrives after it and contains ``contains``."""
    seen = len(api.sent)
    api.user_message(chat_id, text)
    return await sent_after(api, seen, lambda c: c.get("chat_id") == chat_id and contains in (c.get("text") or ""))


def faq_file(content: Path) -> Path:
    return content / "faq" / "pelatihan.yaml"


BROKEN = {kind: (faq, expected) for kind, (faq, expected) in FAQ_PROBLEMS.items()} | {
    "glossary term without expansion": (
        None, ["glossary.yaml, entry 'KPM', field 'meanings.1.expansion': Field required"],
    ),
    "message with an unknown placeholder": (None, ["entry 'suggest_item': unknown placeholder(s) ['nomor']"]),
    "duplicate YAML key": (None, ["lexicon.yaml: invalid YAML at line 4", "duplicate key 'yg'"]),
    "topics file deleted": (None, ["topics.yaml"]),
    "YAML alias bomb": (None, ["faq/bom.yaml: invalid YAML at line", "too many aliases"]),
} | ({
    "FIFO in the content": (None, ["faq/pipa.yaml: skipped: a FIFO (named pipe), not a regular file"]),
    "symlink to /dev/zero": (None, ["faq/nol.yaml: skipped: a device, not a regular file"]),
} if hasattr(os, "mkfifo") and Path("/dev/zero").exists() else {})  # fmt: skip


def break_content(content: Path, kind: str) -> None:
    """Write the broken version of one file for this kind of problem."""
    faq, _ = BROKEN[kind]
    if faq is not None:
        faq_file(content).write_text(faq, encoding="utf-8")
    elif kind == "glossary term without expansion":
        path = content / "glossary.yaml"
        path.write_text(path.read_text().replace("    - expansion: Kader Pembangunan Manusia\n      meaning:", "    - meaning:"))
    elif kind == "message with an unknown placeholder":
        path = content / "messages.yaml"
        path.write_text(path.read_text().replace('suggest_item: "{number}. {question}"', 'suggest_item: "{nomor}. {question}"'))
    elif kind == "duplicate YAML key":
        (content / "lexicon.yaml").write_text("replacements:\n  yg: yang\n  brp: berapa\n  yg: yagn\nfillers: [sih]\n")
    elif kind == "topics file deleted":
        (content / "topics.yaml").unlink()
    elif kind == "YAML alias bomb":  # froze the live bot for minutes (issue #13)
        (content / "faq" / "bom.yaml").write_text(alias_bomb(faq=True), encoding="utf-8")
    elif kind == "FIFO in the content":  # reading it would wait for a writer forever
        os.mkfifo(content / "faq" / "pipa.yaml")
    elif kind == "symlink to /dev/zero":  # reading it would never end
        (content / "faq" / "nol.yaml").symlink_to("/dev/zero")


async def test_every_kind_of_broken_content_is_refused_named_and_answers_stay(fake_api, tmp_path):
    content = write_content(tmp_path)
    pristine = {path: path.read_bytes() for path in content.rglob("*.yaml")}
    async with running_bot(fake_api, Engine.from_directory(content), tmp_path, BOT_CONTENT_DIR=str(content)):
        await ask(fake_api, USER, QUESTION, OLD_ANSWER)
        for number, (kind, (_, expected)) in enumerate(BROKEN.items()):
            break_content(content, kind)
            reply = await ask(fake_api, ADMIN, "/muat_ulang", REFUSED)
            text = " ".join(reply["text"].split())
            for problem in expected:
                assert problem in text, f"{kind}: {problem!r} not in {text!r}"
            assert "Konten lama tetap dipakai" in text, kind
            # The old content keeps answering, word for word (one person per kind: the flood limit).
            answer = await ask(fake_api, USER + 1 + number, QUESTION, "Sumber")
            assert OLD_ANSWER in answer["text"], kind
            for path in content.rglob("*.yaml"):  # repair for the next kind
                if path not in pristine:
                    path.unlink()
            for path, data in pristine.items():
                path.write_bytes(data)


async def test_successful_reload_reports_changes_and_serves_the_new_answer(fake_api, tmp_path):
    content = write_content(tmp_path)
    async with running_bot(fake_api, Engine.from_directory(content), tmp_path, BOT_CONTENT_DIR=str(content)) as app:
        old_version = app.bot_data["services"].version
        first = await ask(fake_api, USER, QUESTION, OLD_ANSWER)
        changed = VALID_FAQ.replace("answer: Diklat diikuti 120 orang", f"answer: {NEW_ANSWER}")
        added = """\
- id: diklat-tempat
  topic: pelatihan
  question: Di mana Diklat P2K2/FDS PKH Gelombang I diadakan?
  alternates:
    - diklat fds diadakan dimana
    - lokasi diklat p2k2 di mana
    - tempat pelatihan fds pkh
  answer: Di Balai Besar Pendidikan dan Pelatihan Kesejahteraan Sosial (BBPPKS) Bandung, Lembang.
  sources:
    - seed: 001_13326a4c87abcdf1
      quote: "BBPPKS"
"""
        faq_file(content).write_text(changed.replace("- id: pendamping-jumlah", "- id: pendamping-total", 1)
                                     .replace("related: [pendamping-jumlah]", "related: [pendamping-total]") + added)
        summary = await ask(fake_api, ADMIN, "/muat_ulang", "Konten dimuat ulang")
        text = summary["text"]
        assert "Baru: 2" in text and "Berubah: 1" in text and "Dihapus: 1" in text  # +tempat +total, ~peserta, -jumlah
        assert NEW_ANSWER in (await ask(fake_api, USER, QUESTION, "Sumber"))["text"]
        assert "BBPPKS" in (await ask(fake_api, USER, "diklat fds diadakan dimana", "Sumber"))["text"]
        assert app.bot_data["services"].version != old_version

        # A button from the old content set: an entry that still exists answers with today's text;
        # one that was removed gets a kind "this button is out of date", never an error.
        seen = len(fake_api.sent)
        fake_api.callback(USER, first["message_id"], pack(old_version, "a", "diklat-peserta"))
        await sent_after(fake_api, seen, lambda c: c.get("chat_id") == USER and NEW_ANSWER in (c.get("text") or ""))
        seen = len(fake_api.sent)
        fake_api.callback(USER, first["message_id"], pack(old_version, "a", "pendamping-jumlah"))
        stale = await sent_after(fake_api, seen, lambda c: c["method"] == "answerCallbackQuery" and c.get("text"))
        assert "versi lama" in stale["text"] and stale["show_alert"]
        assert not any("kesalahan" in (c.get("text") or "") for c in answers(fake_api, USER))


async def test_reload_while_questions_are_answered_never_errs_or_mixes(fake_api, tmp_path):
    """Two content sets that differ in every answer and in the button version; 300 questions from
    30 people while the sets are swapped back and forth: every answer is wholly from one set."""
    content = write_content(tmp_path)
    variant_a = VALID_FAQ.replace("answer: Diklat diikuti", "answer: (A) Diklat diikuti").replace(
        "answer: Sekitar 40 ribu", "answer: (A) Sekitar 40 ribu")
    variant_b = variant_a.replace("(A)", "(B)").replace("Berapa jumlah pendamping sosial PKH yang ada saat ini?",
                                                         "Ada berapa pendamping sosial PKH saat ini?")
    faq_file(content).write_text(variant_a)
    engine_a = Engine.from_directory(content)
    faq_file(content).write_text(variant_b)
    engine_b = Engine.from_directory(content)
    versions = {"(A)": content_version(engine_a.entries), "(B)": content_version(engine_b.entries)}
    assert versions["(A)"] != versions["(B)"]
    faq_file(content).write_text(variant_a)
    async with running_bot(fake_api, engine_a, tmp_path, BOT_CONTENT_DIR=str(content)) as app:
        reloader = app.bot_data["reloader"]
        people = range(300_000, 300_030)

        async def swap_back_and_forth() -> int:
            done = 0
            for variant in (variant_b, variant_a) * 4:
                faq_file(content).write_text(variant)
                assert (await reloader.reload()).ok
                done += 1
                await asyncio.sleep(0.02)
            return done

        swapper = asyncio.create_task(swap_back_and_forth())
        for round_ in range(10):
            for person in people:
                fake_api.user_message(person, QUESTION if (person + round_) % 2 else "jumlah pendamping sosial pkh")
            await asyncio.sleep(0.05)
        assert await swapper == 8
        await fake_api.wait_for(lambda c: len([x for x in fake_api.sent if x.get("chat_id") in people
                                               and x["method"] == "sendMessage"]) >= 300, timeout=30)
    replies = [c for c in fake_api.sent if c.get("chat_id") in people and c["method"] == "sendMessage"]
    assert len(replies) == 300
    for reply in replies:
        text = reply["text"]
        assert "kesalahan" not in text
        marks = [mark for mark in versions if mark in text]
        assert len(marks) == 1, text  # an answer from exactly one set
        buttons = [b for row in reply["reply_markup"]["inline_keyboard"] for b in row]
        assert {unpack(b["callback_data"]).version for b in buttons} == {versions[marks[0]]}, text
    assert {mark for r in replies for mark in versions if mark in r["text"]} == {"(A)", "(B)"}  # both served


async def until(predicate, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"not true within {timeout}s"
        await asyncio.sleep(0.02)


def reload_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "content-reload"]


async def test_reload_past_its_time_limit_fails_keeps_the_old_content_and_later_reloads_work(
    fake_api, tmp_path, monkeypatch
):
    """A check that never ends (here: blocked on an event) is reported as failed after the time
    limit; while it still runs, reloads are refused without starting another thread; its result,
    when it finally ends, is thrown away; the next reload loads the content as usual."""
    content = write_content(tmp_path)
    release, started = threading.Event(), threading.Event()
    real_load = reload_module.load_engine

    def stuck_load(content_dir, seeds_dir):
        started.set()
        release.wait(60)
        return real_load(content_dir, seeds_dir)

    monkeypatch.setattr(reload_module, "load_engine", stuck_load)
    async with running_bot(fake_api, Engine.from_directory(content), tmp_path, BOT_CONTENT_DIR=str(content)) as app:
        try:
            reloader = app.bot_data["reloader"]
            assert reloader.timeout_s == reload_module.RELOAD_TIMEOUT_S == 30
            reloader.timeout_s = 0.5
            await ask(fake_api, USER, QUESTION, OLD_ANSWER)
            # the stuck load reads this edit once released: it must still not be swapped in
            faq_file(content).write_text(VALID_FAQ.replace("answer: Diklat diikuti 120 orang", f"answer: {NEW_ANSWER}"))

            refused = await ask(fake_api, ADMIN, "/muat_ulang", REFUSED)
            text = " ".join(refused["text"].split())
            assert "took longer than 0.5 s and was abandoned" in text and "Konten lama tetap dipakai" in text
            assert started.is_set() and reloader.busy and len(reload_threads()) == 1
            assert reload_threads()[0].daemon  # a stuck load never keeps the bot from exiting
            assert OLD_ANSWER in (await ask(fake_api, USER, QUESTION, "Sumber"))["text"]  # the bot still answers

            again = await ask(fake_api, ADMIN, "/muat_ulang", REFUSED)
            assert "an earlier reload is still running" in " ".join(again["text"].split())
            assert len(reload_threads()) == 1  # no second stuck thread

            release.set()
            await until(lambda: not reloader.busy)
            await until(lambda: not reload_threads())
            assert OLD_ANSWER in (await ask(fake_api, USER, QUESTION, "Sumber"))["text"]  # its result is discarded

            done = await ask(fake_api, ADMIN, "/muat_ulang", "Konten dimuat ulang")
            assert "Berubah: 1" in done["text"]
            assert NEW_ANSWER in (await ask(fake_api, USER, QUESTION, "Sumber"))["text"]
        finally:
            release.set()  # never leave the thread blocked (nor the bot's shutdown waiting for it)


async def test_reload_past_its_time_limit_by_sighup_or_the_watcher_tells_every_admin(fake_api, tmp_path, monkeypatch):
    content = write_content(tmp_path)
    release = threading.Event()
    real_load = reload_module.load_engine
    monkeypatch.setattr(reload_module, "load_engine", lambda *args: release.wait(60) and real_load(*args))
    async with running_bot(fake_api, Engine.from_directory(content), tmp_path, BOT_CONTENT_DIR=str(content)) as app:
        try:
            reloader = app.bot_data["reloader"]
            reloader.timeout_s = 0.2
            started = time.monotonic()
            outcome = await asyncio.wait_for(reloader.reload_and_notify("tg_reload_by_signal"), 10)
            assert not outcome.ok and time.monotonic() - started < 5
            told = await fake_api.wait_for(lambda c: c.get("chat_id") == ADMIN and REFUSED in (c.get("text") or ""))
            assert "SIGHUP" in told["text"] and "took longer than 0.2 s" in " ".join(told["text"].split())
            release.set()
            await until(lambda: not reloader.busy)
            assert (await reloader.reload()).ok
        finally:
            release.set()


async def test_watcher_reloads_on_save_and_tells_the_admins(fake_api, tmp_path):
    content = write_content(tmp_path)
    async with running_bot(fake_api, Engine.from_directory(content), tmp_path,
                           BOT_CONTENT_DIR=str(content), BOT_CONTENT_WATCH="true"):
        await ask(fake_api, USER, QUESTION, OLD_ANSWER)
        await asyncio.sleep(0.3)  # the watcher is running
        faq_file(content).write_text(FAQ_PROBLEMS["unknown topic"][0])
        refused = await fake_api.wait_for(lambda c: c.get("chat_id") == ADMIN and REFUSED in (c.get("text") or ""), timeout=15)
        assert "berkas konten berubah" in refused["text"] and "unknown topic 'keuangan'" in refused["text"]
        faq_file(content).write_text(VALID_FAQ.replace("answer: Diklat diikuti 120 orang", f"answer: {NEW_ANSWER}"))
        await fake_api.wait_for(lambda c: c.get("chat_id") == ADMIN and "Konten dimuat ulang" in (c.get("text") or ""), timeout=15)
        assert NEW_ANSWER in (await ask(fake_api, USER, QUESTION, "Sumber"))["text"]


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="SIGHUP is Unix only")
async def test_real_process_failed_then_successful_reload(fake_api, tmp_path):
    """`stunting-bot run`: broken content via /muat_ulang is refused, then SIGHUP loads the fix."""
    content = write_content(tmp_path)
    env = bot_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake_api.url, BOT_DB_PATH=str(tmp_path / "bot.sqlite3"),
                  BOT_CONTENT_DIR=str(content), BOT_ADMIN_IDS=str(ADMIN))
    process = await start_bot_process(fake_api, env)
    try:
        await ask(fake_api, USER, QUESTION, OLD_ANSWER)
        faq_file(content).write_text(FAQ_PROBLEMS["quote not in the article"][0])
        refused = await ask(fake_api, ADMIN, "/muat_ulang", REFUSED)
        assert "quote does not occur in seed" in refused["text"]
        assert OLD_ANSWER in (await ask(fake_api, USER, QUESTION, "Sumber"))["text"]

        faq_file(content).write_text(VALID_FAQ.replace("answer: Diklat diikuti 120 orang", f"answer: {NEW_ANSWER}"))
        seen = len(fake_api.sent)
        process.send_signal(signal.SIGHUP)
        done = await sent_after(fake_api, seen, lambda c: c.get("chat_id") == ADMIN
                                and "Konten dimuat ulang" in (c.get("text") or ""), timeout=15)
        assert "SIGHUP" in done["text"] and "Berubah: 1" in done["text"]
        assert NEW_ANSWER in (await ask(fake_api, USER, QUESTION, "Sumber"))["text"]
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), timeout=15)
    log = output.decode()
    assert process.returncode == 0, log
    assert "content reload refused" in log and "content reloaded" in log
    assert "Traceback" not in log and TOKEN not in log
