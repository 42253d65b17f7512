"""Shared fixtures: the shipped engine, and small content sets built on disk for checker tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.engine import Engine

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"
SEEDS = REPO / "seeds"
DEV_QUESTIONS = REPO / "tests" / "dev_questions.yaml"

VALID_FAQ = """\
- id: diklat-peserta
  topic: pelatihan
  question: Berapa peserta Diklat P2K2/FDS PKH Gelombang I 2020?
  alternates:
    - brp org yg ikut diklat fds di lembang
    - jumlah peserta diklat p2k2 tahun 2020
    - peserta diklat fds pkh dari mana aja
  answer: Diklat diikuti 120 orang dari berbagai kota dan kabupaten di Jawa Barat (berita 5 Maret 2020).
  as_of: 2020-03-05
  sources:
    - seed: 001_13326a4c87abcdf1
      quote: "yang diikuti oleh 120 orang yang berasal dari berbagai Kota/Kabupaten di wilayah Jawa Barat"
  related: [pendamping-jumlah]
- id: pendamping-jumlah
  topic: pelatihan
  question: Berapa jumlah pendamping sosial PKH yang ada saat ini?
  alternates:
    - ada brp pendamping pkh skrg
    - jumlah pendamping sosial pkh
    - pendamping pkh ada berapa orang
  answer: Sekitar 40 ribu orang pendamping sosial PKH (berita 28 Agustus 2020).
  as_of: 2020-08-28
  sources:
    - seed: 000_42ea3fd0ba118eea
      quote: "sekitar 40 ribu orang pendamping sosial PKH yang ada saat ini"
"""

VALID_GLOSSARY = """\
- term: KPM
  meanings:
    - expansion: Keluarga Penerima Manfaat
      meaning: Keluarga penerima bantuan PKH.
      sources: [{seed: 004_fd09f261e47bc23b, quote: "Keluarga Penerima Manfaat (KPM)"}]
    - expansion: Kader Pembangunan Manusia
      meaning: Kader desa dalam konvergensi stunting.
      sources: [{seed: 002_e301b5fa628fe7d7, quote: "Kader Pembangunan Manusia (KPM)"}]
"""

VALID_TOPICS = """\
- {id: pelatihan, title: Pelatihan, description: Diklat dan pelatihan.}
- {id: istilah, title: Istilah, description: Singkatan dan istilah.}
"""


def write_content(
    root: Path,
    faq: str = VALID_FAQ,
    glossary: str = VALID_GLOSSARY,
    topics: str = VALID_TOPICS,
    messages: str | None = None,
    lexicon: str | None = None,
) -> Path:
    """A small content set under root/content, with the real seeds beside it; returns the content dir."""
    content = root / "content"
    (content / "faq").mkdir(parents=True)
    (content / "faq" / "pelatihan.yaml").write_text(textwrap.dedent(faq), encoding="utf-8")
    (content / "glossary.yaml").write_text(textwrap.dedent(glossary), encoding="utf-8")
    (content / "topics.yaml").write_text(textwrap.dedent(topics), encoding="utf-8")
    shutil.copy(CONTENT / "calendar.yaml", content / "calendar.yaml")  # month names: dates in answers and seeds
    for name, text in (("messages.yaml", messages), ("lexicon.yaml", lexicon)):
        if text is None:
            shutil.copy(CONTENT / name, content / name)
        else:
            (content / name).write_text(textwrap.dedent(text), encoding="utf-8")
    shutil.copytree(SEEDS, root / "seeds")
    return content


@pytest.fixture
def env(monkeypatch, tmp_path) -> Path:
    """A clean environment for in-process `main()` runs, with the database in tmp_path."""
    for name in list(os.environ):
        if name.startswith(("TELEGRAM_", "BOT_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env
    db_path = tmp_path / "data" / "bot.sqlite3"
    monkeypatch.setenv("BOT_DB_PATH", str(db_path))
    monkeypatch.setenv("BOT_CONTENT_DIR", str(CONTENT))
    monkeypatch.setenv("BOT_SEEDS_DIR", str(SEEDS))
    return db_path


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine.from_directory(CONTENT)


@pytest.fixture(scope="session")
def catalogue(engine: Engine):
    """The official regions of the shipped content (regions.yaml, region_aliases.yaml, time_zones.yaml)."""
    from bot.regions.catalogue import Catalogue

    found = Catalogue.from_content(engine.content)
    assert found is not None
    return found


# The local fake Bot API (tests/fake_bot_api.py), for end-to-end tests over real HTTP.
from tests.fake_bot_api import TOKEN, FakeBotApi, fake_api  # noqa: E402, F401

ADMIN = 9001


@contextlib.asynccontextmanager
async def running_bot(api: FakeBotApi, engine: Engine, tmp_path: Path, **settings: Any) -> AsyncIterator:
    """Start the bot as run_polling would (initialize, post_init, polling, start), then stop it.

    ``settings`` override environment names, e.g. ``BOT_BROADCAST_RATE=5``.
    """
    from bot.config import Settings
    from bot.telegram.app import build_application, polling

    config = Settings(
        **{
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": api.url,
            "BOT_DB_PATH": tmp_path / "bot.sqlite3",
            "BOT_ADMIN_IDS": str(ADMIN),
        }
        | settings
    )
    async with polling(build_application(config, engine)) as application:
        yield application
