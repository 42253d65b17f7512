"""The source shown under an answer, field by field (the mutation run, docs/benchmarks.md "Mutation
testing", found only that *a* source was shown): an article's title, date, place and outlet come from
seeds/index.yaml, the quote from the entry; a reference keeps its title, issuer, year, link and the
passages it states; `stunting-bot ask --json` gives exactly these keys; the source line a person
reads names the title, the outlet and the date.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.knowledge import SourceRef
from bot.engine import Engine, load_and_check
from bot.reply_text import source_line
from tests.conftest import VALID_FAQ, write_content

DIKLAT_SEED = "001_13326a4c87abcdf1"
DIKLAT_TITLE = "Genjot Kompetensi Pendamping PKH, Kemensos Gelar Diklat FDS PKH"
DIKLAT_QUOTE = "yang diikuti oleh 120 orang yang berasal dari berbagai Kota/Kabupaten di wilayah Jawa Barat"

REFERENCE_ENTRY = """\
- id: stunting-target
  topic: pelatihan
  question: Berapa target prevalensi stunting nasional tahun 2024?
  alternates:
    - target stunting 2024 berapa persen
    - target nasional prevalensi stunting
    - stunting harus turun ke berapa di 2024
  answer: Target nasional prevalensi stunting 14% pada tahun 2024 (Perpres 72/2021).
  as_of: 2021
  sources:
    - title: Peraturan Presiden Nomor 72 Tahun 2021 tentang Percepatan Penurunan Stunting
      issuer: Pemerintah Republik Indonesia
      year: 2021
      url: https://peraturan.bpk.go.id/Details/174964/perpres-no-72-tahun-2021
      states:
        - "target nasional prevalensi Stunting yang harus dicapai sebesar 14% (empat belas persen) pada tahun 2024"
"""


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    root = tmp_path_factory.mktemp("sources")
    content = write_content(root, faq=VALID_FAQ + REFERENCE_ENTRY)
    index = root / "seeds" / "index.yaml"
    text = index.read_text(encoding="utf-8")
    block = f"- id: {DIKLAT_SEED}\n  title: {DIKLAT_TITLE}\n  outlet: null\n"
    assert text.count(block) == 1
    # give the diklat article an outlet (no shipped seed names one), to see it carried through
    index.write_text(text.replace(block, block.replace("outlet: null", "outlet: Kemensos RI")), encoding="utf-8")
    loaded, problems = load_and_check(content)
    assert loaded is not None and not [p for p in problems if p.severity == "error"], problems
    return Engine(loaded)


def entry_sources(engine: Engine, entry_id: str) -> tuple[SourceRef, ...]:
    return next(e for e in engine.entries if e.id == entry_id).sources


def test_an_article_source_has_the_seed_index_fields_and_the_entry_quote(engine: Engine) -> None:
    assert entry_sources(engine, "diklat-peserta") == (
        SourceRef(
            seed=DIKLAT_SEED, title=DIKLAT_TITLE, date="5 Maret 2020", quote=DIKLAT_QUOTE,
            place="Lembang", outlet="Kemensos RI",
        ),
    )  # fmt: skip
    other = entry_sources(engine, "pendamping-jumlah")[0]
    assert (other.title, other.date, other.place, other.outlet) == (
        "Kemensos dan Tanoto Foundation Bekerja Sama Kembangkan SDM Kesos untuk Penanganan Stunting",
        "Jumat, 28 Agustus 2020",
        "Jakarta",
        None,
    )


def test_a_reference_source_keeps_its_title_issuer_year_link_and_passages(engine: Engine) -> None:
    (source,) = entry_sources(engine, "stunting-target")
    assert source == SourceRef(
        seed=None,
        title="Peraturan Presiden Nomor 72 Tahun 2021 tentang Percepatan Penurunan Stunting",
        issuer="Pemerintah Republik Indonesia",
        year=2021,
        url="https://peraturan.bpk.go.id/Details/174964/perpres-no-72-tahun-2021",
        states=(
            "target nasional prevalensi Stunting yang harus dicapai sebesar 14% (empat belas persen) pada tahun 2024",
        ),
    )


def test_the_json_of_a_source_has_exactly_its_keys(engine: Engine) -> None:
    (article,) = entry_sources(engine, "diklat-peserta")
    assert article.to_dict() == {
        "seed": DIKLAT_SEED, "title": DIKLAT_TITLE, "date": "5 Maret 2020", "quote": DIKLAT_QUOTE,
        "outlet": "Kemensos RI",
    }  # fmt: skip
    (without_outlet,) = entry_sources(engine, "pendamping-jumlah")
    assert set(without_outlet.to_dict()) == {"seed", "title", "date", "quote"}
    (reference,) = entry_sources(engine, "stunting-target")
    assert reference.to_dict() == {
        "reference": {
            "title": "Peraturan Presiden Nomor 72 Tahun 2021 tentang Percepatan Penurunan Stunting",
            "issuer": "Pemerintah Republik Indonesia",
            "year": 2021,
            "url": "https://peraturan.bpk.go.id/Details/174964/perpres-no-72-tahun-2021",
        }
    }


def test_ask_json_and_the_source_line_show_the_article(engine: Engine) -> None:
    reply = engine.ask("berapa peserta diklat p2k2 fds pkh gelombang I 2020")
    assert reply.status == "answer" and reply.entry is not None and reply.entry.id == "diklat-peserta"
    assert reply.to_dict()["sources"] == [
        {
            "seed": DIKLAT_SEED,
            "title": DIKLAT_TITLE,
            "date": "5 Maret 2020",
            "quote": DIKLAT_QUOTE,
            "outlet": "Kemensos RI",
        }
    ]
    messages = engine.content.messages
    assert source_line(reply.sources[0], messages) == f"{DIKLAT_TITLE}, Kemensos RI (5 Maret 2020)"


def test_without_the_seed_index_entry_the_source_is_shown_by_its_id(tmp_path: Path) -> None:
    content = write_content(tmp_path)
    index = tmp_path / "seeds" / "index.yaml"
    text = index.read_text(encoding="utf-8")
    start = text.index(f"- id: {DIKLAT_SEED}\n")
    end = text.index("\n- id: ", start + 1) + 1
    index.write_text(text[:start] + text[end:], encoding="utf-8")
    loaded, _ = load_and_check(content)
    assert loaded is not None
    source = next(e for e in Engine(loaded).entries if e.id == "diklat-peserta").sources[0]
    assert (source.title, source.date, source.place, source.outlet) == (DIKLAT_SEED, None, None, None)
