"""Logistics lanes: from a fulfilment facility to a destination, handling and transit time."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TransitDays:
    """Transit-time quantiles in days (10th, 50th, 90th percentile)."""

    p10: float
    p50: float
    p90: float


@dataclass(frozen=True)
class Lane:
    facility: str
    country: str
    region: str | None
    handling_days: int
    transit: TransitDays

    def serves(self, facility: str, country: str, region: str | None) -> bool:
        if self.facility != facility or self.country != country:
            return False
        return self.region is None or self.region == region


def best_lane(lanes: list[Lane], facility: str, country: str, region: str | None) -> Lane | None:
    """The most specific lane serving the destination: a region match beats a country-wide lane."""
    serving = [lane for lane in lanes if lane.serves(facility, country, region)]
    serving.sort(key=lambda lane: lane.region is None)
    return serving[0] if serving else None
