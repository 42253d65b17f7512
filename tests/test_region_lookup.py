"""Finding official regions by what people type (bot.regions): names, aliases, kind words, typos,
ambiguity, codes at every level, and time zones."""

from __future__ import annotations

import pytest

from bot.content.models import RegionAliases, Regions, TimeZones
from bot.regions.catalogue import Catalogue
from bot.regions.names import PlaceNames
from bot.regions.places import Place, ancestors, within
from tests.conftest import CONTENT

KUKAR = "64.02"


@pytest.mark.parametrize(
    "typed",
    ["kukar", "Kab. Kutai Kartanegara", "kutai kartanegara", "KUTAI KARTANEGARA", "kutai kartanegra",
     "Kabupaten Kutai Kartanegara", "kab kukar"],
)  # fmt: skip
def test_the_ways_people_write_kutai_kartanegara_all_find_it_for_sure(catalogue, typed):
    found = catalogue.regency(typed)
    assert found.sure and found.place is not None and found.place.code == KUKAR


def test_a_name_of_two_places_is_offered_not_chosen(catalogue):
    found = catalogue.regency("bogor")
    assert not found.sure and found.place is None
    assert {p.name for p in found.places} == {"Kabupaten Bogor", "Kota Bogor"}


@pytest.mark.parametrize(("typed", "name"), [("kota bogor", "Kota Bogor"), ("kab bogor", "Kabupaten Bogor"),
                                             ("bogor kab", "Kabupaten Bogor")])  # fmt: skip
def test_a_kind_word_settles_the_ambiguity(catalogue, typed, name):
    found = catalogue.regency(typed)
    assert found.sure and found.place.name == name


def test_a_word_shared_by_several_names_offers_them_all(catalogue):
    found = catalogue.find("kutai")
    assert not found.sure
    assert {"Kabupaten Kutai Barat", "Kabupaten Kutai Kartanegara", "Kabupaten Kutai Timur"} <= {
        p.name for p in found.places
    }


def test_a_typo_close_to_two_names_is_not_taken_for_sure(catalogue):
    # "kutai timor" is one letter from Kutai Timur; a near-certain typo is taken …
    assert catalogue.regency("kutai timor").place.name == "Kabupaten Kutai Timur"
    # … but text equally far from several names is only offered.
    assert not catalogue.regency("kutai").sure


@pytest.mark.parametrize("typed", ["Halo??", "pak, sasaran 1000 hpk itu siapa aja ya?", "", "   ", "12345"])
def test_questions_and_noise_are_never_a_sure_region(catalogue, typed):
    assert catalogue.regency(typed).place is None


def test_jakarta_pusat_is_found_by_name_and_alias(catalogue):
    for typed in ("jakarta pusat", "jakpus", "Kota Administrasi Jakarta Pusat"):
        assert catalogue.find(typed).place.code == "31.71", typed


def test_kecamatan_and_desa_are_found_inside_their_parent(catalogue):
    district = catalogue.inside("tenggarong", KUKAR)
    assert district.place is not None and district.place.code == "64.02.06"
    assert catalogue.inside("tengarong", KUKAR).place.code == "64.02.06"  # one letter missing
    village = catalogue.inside("loa ipuh", "64.02.06")
    assert village.place is not None and village.place.code == "64.02.06.1002"
    # A kecamatan of another kabupaten is not inside this one.
    assert catalogue.inside("tanah abang", KUKAR).place is None


def test_codes_are_accepted_at_every_level_and_unknown_codes_are_not(catalogue):
    for code, name in (("64", "Kalimantan Timur"), ("64.02", "Kabupaten Kutai Kartanegara"),
                       ("64.02.06", "Tenggarong"), ("64.02.06.1002", "Loa Ipuh")):  # fmt: skip
        found = catalogue.find(code)
        assert found.sure and found.place.name == name
    assert catalogue.find("64.99").place is None
    assert catalogue.find("99").place is None
    assert catalogue.regency("64").place is None  # a province is not a kabupaten/kota


def test_a_region_can_be_named_with_where_it_lies(catalogue):
    assert catalogue.find("Tenggarong, Kukar").place.code == "64.02.06"
    assert catalogue.find("Loa Ipuh, Tenggarong, Kutai Kartanegara").place.code == "64.02.06.1002"


def test_a_kecamatan_is_found_anywhere_when_no_kabupaten_is_near(catalogue):
    assert catalogue.find("tenggarong").place.code == "64.02.06"
    # Two kecamatan are called Tanah Abang (Jakarta Pusat, and Penukal Abab Lematang Ilir): both offered,
    # and naming where it lies settles it.
    both = catalogue.find("kec tanah abang")
    assert not both.sure and {p.code for p in both.places} == {"31.71.07", "16.12.05"}
    assert catalogue.find("Tanah Abang, Jakarta Pusat").place.code == "31.71.07"


def test_a_short_name_is_never_taken_by_a_typo(catalogue):
    # "jabar" (Jawa Barat) is one letter from the alias "jakbar" (Jakarta Barat).
    assert catalogue.regency("jabar").place is None
    assert catalogue.find("jabar").place.code == "32"


def test_the_whole_text_is_tried_before_its_kind_word_is_dropped(catalogue):
    assert catalogue.find("kota jogja").place.name == "Kota Yogyakarta"
    assert catalogue.find("jogja").place.code == "34"


def test_labels_give_the_official_names_up_to_the_province(catalogue):
    assert catalogue.label("64.02.06.1002") == "Loa Ipuh, Tenggarong, Kabupaten Kutai Kartanegara, Kalimantan Timur"
    assert catalogue.short_label("64.02.06") == "Tenggarong, Kabupaten Kutai Kartanegara"


@pytest.mark.parametrize(
    ("code", "zone"),
    [("31.71", "WIB"), ("62.01", "WIB"), ("61", "WIB"), ("64.02.06", "WITA"), ("51.03", "WITA"),
     ("63.71", "WITA"), ("65", "WITA"), ("81.71", "WIT"), ("94.01", "WIT"), (None, "WIB")],
)  # fmt: skip
def test_the_time_zone_comes_from_the_province(catalogue, code, zone):
    assert catalogue.zone(code).name == zone


def test_free_text_of_older_profiles_maps_only_when_sure(catalogue):
    assert catalogue.profile_code("kukar", "Tenggarong") == "64.02.06"
    assert catalogue.profile_code("kutai kartanegra", None) == KUKAR
    assert catalogue.profile_code("Kutai Kartanegara", "Kampung Antah") == KUKAR  # the kecamatan matched nothing
    assert catalogue.profile_code("bogor", None) is None  # two places
    assert catalogue.profile_code("Kampung Durian Runtuh", None) is None


def test_codes_contain_their_descendants_only():
    assert within("64.02.06.1002", "64.02") and within("64.02", "64.02") and within("64.02", "64")
    assert not within("64.20", "64.2") and not within("64.02", "64.02.06") and not within(None, "64")
    assert ancestors("64.02.06") == ["64", "64.02", "64.02.06"]


def test_an_alias_and_kind_words_come_from_the_content_file_not_the_code():
    places = [Place("99.01", "Kabupaten Contoh Raya", "kabupaten"), Place("99.71", "Kota Contoh Raya", "kota")]
    plain = PlaceNames(places)
    assert plain.find("cora").place is None
    assert not plain.find("contoh raya").sure
    named = PlaceNames(places, {"99.01": ["cora"]}, {"kota": ["kot"]})
    assert named.find("cora").place.code == "99.01"
    assert named.find("kot contoh raya").place.code == "99.71"


def test_without_time_zones_everyone_keeps_wib():
    regions = Regions(source="test", provinces=[{"code": "64", "name": "Kalimantan Timur"}])
    assert Catalogue(regions, RegionAliases(), None).zone("64").name == "WIB"
    zones = TimeZones(reference="r", default="WIB", zones=[{"name": "WITA", "tz": "Asia/Makassar", "provinces": ["64"]},
                                                           {"name": "WIB", "tz": "Asia/Jakarta", "provinces": ["31"]}])  # fmt: skip
    assert Catalogue(regions, RegionAliases(), zones).zone("64.02").name == "WITA"


def _problems(aliases: dict | None = None, zones: dict | None = None) -> list[str]:
    from bot.content.regions import region_problems

    regions = Regions(source="t", provinces=[{"code": "64", "name": "Kalimantan Timur"}, {"code": "31", "name": "DKI"}],
                      regencies=[{"code": "64.02", "name": "Kabupaten Kutai Kartanegara"}])  # fmt: skip
    found = region_problems(
        regions,
        RegionAliases.model_validate(aliases) if aliases else None,
        TimeZones.model_validate(zones) if zones else None,
        ("content/region_aliases.yaml", "content/time_zones.yaml"),
    )
    return [f"{p.file}: {p.message}" for p in found]


ZONES = {"reference": "Keppres 41/1987", "default": "WIB",
         "zones": [{"name": "WIB", "tz": "Asia/Jakarta", "provinces": ["31"]},
                   {"name": "WITA", "tz": "Asia/Makassar", "provinces": ["64"]}]}  # fmt: skip


def test_content_check_refuses_an_alias_of_two_regions_or_of_no_region():
    assert _problems({"aliases": [{"code": "64.02", "names": ["kukar"]}]}, ZONES) == []
    two = _problems({"aliases": [{"code": "64.02", "names": ["kk"]}, {"code": "64", "names": ["KK"]}]})
    assert len(two) == 1 and "also a name of 64.02" in two[0] and two[0].startswith("content/region_aliases.yaml")
    none = _problems({"aliases": [{"code": "64.09", "names": ["x"]}]})
    assert len(none) == 1 and "no such region" in none[0]


def test_content_check_wants_every_province_in_exactly_one_zone():
    missing = {**ZONES, "zones": ZONES["zones"][:1]}
    assert any("province 64 (Kalimantan Timur) has no zone" in p for p in _problems(zones=missing))
    twice = {**ZONES, "zones": [*ZONES["zones"], {"name": "WIT", "tz": "Asia/Jayapura", "provinces": ["64"]}]}
    assert any("64 is also in WITA" in p for p in _problems(zones=twice))
    bad_tz = {**ZONES, "zones": [{"name": "WIB", "tz": "Asia/Nowhere", "provinces": ["31", "64"]}]}
    assert any("unknown time zone" in p for p in _problems(zones=bad_tz))


def test_the_shipped_region_files_pass_the_check(catalogue):
    from bot.engine import load_and_check

    _, problems = load_and_check(CONTENT)
    assert not [p for p in problems if "region_aliases" in p.file or "time_zones" in p.file]


def test_a_typo_as_close_to_two_names_is_only_offered():
    places = [Place("99.01.01", "Karang Anyar", "kecamatan"), Place("99.01.02", "Karang Anyer", "kecamatan")]
    found = PlaceNames(places).find("karang anyor")  # one letter from each
    assert not found.sure and {p.code for p in found.places} == {"99.01.01", "99.01.02"}
    assert PlaceNames(places[:1]).find("karang anyor").sure  # alone, the same typo is near-certain
