"""`content check` on time_zones.yaml: a province that does not exist and a default zone that is not
one of the zones are each reported, in time_zones.yaml, at the zone and field where the mistake is.

Found by the mutation run (docs/benchmarks.md, "Mutation testing"): neither problem was checked, so
reporting them against the wrong file (or none) went unnoticed.
"""

from __future__ import annotations

from bot.content.models import Regions, TimeZones
from bot.content.problems import Problem
from bot.content.regions import region_problems

FILES = ("content/region_aliases.yaml", "content/time_zones.yaml")
REGIONS = Regions(
    source="t",
    provinces=[{"code": "64", "name": "Kalimantan Timur"}, {"code": "31", "name": "DKI Jakarta"}],
    regencies=[{"code": "64.02", "name": "Kabupaten Kutai Kartanegara"}],
)


def zones(default: str, wita_provinces: list[str]) -> TimeZones:
    return TimeZones.model_validate(
        {
            "reference": "Keppres 41/1987",
            "default": default,
            "zones": [
                {"name": "WIB", "tz": "Asia/Jakarta", "provinces": ["31"]},
                {"name": "WITA", "tz": "Asia/Makassar", "provinces": wita_provinces},
            ],
        }
    )


def test_the_valid_zones_have_no_problem() -> None:
    assert region_problems(REGIONS, None, zones("WIB", ["64"]), FILES) == []


def test_a_zone_naming_a_province_that_does_not_exist_is_reported_at_that_zone() -> None:
    found = region_problems(REGIONS, None, zones("WIB", ["64", "99"]), FILES)
    assert found == [Problem("content/time_zones.yaml", "WITA", "provinces", "99: no such province")]


def test_a_default_that_is_not_one_of_the_zones_is_reported_in_the_zones_file() -> None:
    found = region_problems(REGIONS, None, zones("WIT", ["64"]), FILES)
    assert found == [Problem("content/time_zones.yaml", None, "default", "'WIT' is not one of the zones")]
