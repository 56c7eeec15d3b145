"""Promises: when an order's units will be there, and when its parcel will arrive.

An order is covered by the first supply lot at which cumulative supply reaches the units queued
ahead of it plus its own quantity. Free units on hand come first, dated today. Past the plan, an
open-ended product is promised from its daily capacity or its supplier lead time; otherwise it is
sold out. The delivery window comes from :mod:`engine.domain.delivery_window`.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from itertools import accumulate

from engine.domain.delivery_window import DeliveryModel, WindowOffsets, window_offsets
from engine.domain.errors import SoldOut
from engine.domain.lanes import Lane
from engine.domain.supply import SupplyPlan


@dataclass(frozen=True)
class DeliveryWindow:
    earliest: date
    latest: date
    confidence: float


@dataclass(frozen=True)
class Promise:
    expected_availability: date
    delivery_window: DeliveryWindow
    source: str  # the lot (run or purchase order) or rule that covers the order


@dataclass(frozen=True)
class Coverage:
    """Which supply covers a position in the queue, and how uncertain its date is."""

    available_on: date
    spread_days: float
    source: str


# Capacity beyond the plan covers at most this many days of production past the plan's last lot: an order
# further out is no promise (and, far enough, no date a calendar holds).
CAPACITY_HORIZON_DAYS = 3650


@dataclass(frozen=True)
class SupplyLadder:
    """Cumulative supply in the order it arrives, ready for O(log lots) look-ups."""

    today: date
    dates: tuple[date, ...]
    spreads: tuple[float, ...]
    sources: tuple[str, ...]
    cumulative: tuple[int, ...]
    plan: SupplyPlan

    @classmethod
    def build(cls, plan: SupplyPlan, on_hand_free: int, today: date) -> SupplyLadder:
        lots = plan.ladder()
        dates = [today] if on_hand_free > 0 else []
        spreads = [0.0] if on_hand_free > 0 else []
        sources = ["on hand"] if on_hand_free > 0 else []
        quantities = [on_hand_free] if on_hand_free > 0 else []
        for lot in lots:
            dates.append(max(lot.expected_date, today))
            spreads.append(lot.spread_days)
            sources.append(lot.id)
            quantities.append(lot.quantity)
        return cls(today, tuple(dates), tuple(spreads), tuple(sources), tuple(accumulate(quantities)), plan)

    @property
    def total(self) -> int:
        return self.cumulative[-1] if self.cumulative else 0

    def cover(self, position: int) -> Coverage:
        """Supply covering the ``position``-th unit in line (1-based); raise SoldOut if nothing will."""
        index = bisect.bisect_left(self.cumulative, position)
        if index < len(self.cumulative):
            return Coverage(self.dates[index], self.spreads[index], self.sources[index])
        return self._beyond(position - self.total)

    def _beyond(self, units_past_plan: int) -> Coverage:
        rule = self.plan.beyond_plan
        if rule is not None and rule.capacity_per_day:
            start = max(self.dates[-1], self.today) if self.dates else self.today
            days = math.ceil(units_past_plan / rule.capacity_per_day)
            if days > CAPACITY_HORIZON_DAYS:
                raise SoldOut(
                    f"capacity beyond plan of {self.plan.sku} ({rule.capacity_per_day} a day) cannot make "
                    f"this order within {CAPACITY_HORIZON_DAYS // 365} years of its last planned lot",
                    sku=self.plan.sku,
                )
            return Coverage(start + timedelta(days=days), rule.spread_days, "capacity beyond plan")
        if rule is not None and rule.lead_time_days is not None:
            return Coverage(
                self.today + timedelta(days=rule.lead_time_days), rule.spread_days, "supplier lead time"
            )
        raise SoldOut(
            f"no supply is planned for {self.plan.sku} beyond {self.total} units in line",
            sku=self.plan.sku,
        )


@lru_cache(maxsize=4096)
def _offsets(
    spread_days: float, handling_days: int, p10: float, p50: float, p90: float, confidence: float
) -> WindowOffsets:
    """The window around an availability date; a few distinct (spread, lane) pairs serve every order."""
    return window_offsets(DeliveryModel.of(spread_days, handling_days, p10, p50, p90), confidence)


def promise_for(coverage: Coverage, lane: Lane, confidence: float) -> Promise:
    """The promise for an order covered by ``coverage`` and delivered over ``lane``."""
    offsets = _offsets(
        coverage.spread_days,
        lane.handling_days,
        lane.transit.p10,
        lane.transit.p50,
        lane.transit.p90,
        confidence,
    )
    start = coverage.available_on
    window = DeliveryWindow(
        start + timedelta(days=offsets.earliest), start + timedelta(days=offsets.latest), offsets.confidence
    )
    return Promise(start, window, coverage.source)
