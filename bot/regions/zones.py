"""Indonesia's time zones (WIB, WITA, WIT) as a value the scheduler and the region catalogue share."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Zone:
    name: str  # "WIB" | "WITA" | "WIT"
    tz: str  # "Asia/Jakarta" | "Asia/Makassar" | "Asia/Jayapura"

    @property
    def zoneinfo(self) -> ZoneInfo:
        return ZoneInfo(self.tz)


WIB = Zone("WIB", "Asia/Jakarta")
