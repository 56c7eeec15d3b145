"""Pre-order velocity per SKU and per channel, learnt from the placements each market view reports."""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from engine.service.market import MarketView

DAY = timedelta(days=1)


@dataclass
class Velocity:
    """Units per day over a sliding window, per SKU and per (SKU, channel), plus running totals.

    Rates are measured over at least ``least`` of history, so a burst in the first seconds of a live
    server is not extrapolated to a whole season.
    """

    window: timedelta = timedelta(days=7)
    least: timedelta = DAY
    totals: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    ticks: int = 0
    _history: dict[object, deque[tuple[datetime, int]]] = field(default_factory=lambda: defaultdict(deque))
    _sums: dict[object, int] = field(default_factory=lambda: defaultdict(int))
    _channels: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    _started: datetime | None = None
    _now: datetime | None = None

    def observe(self, view: MarketView) -> None:
        self._started = self._started or view.now
        self._now = view.now
        sku_units: dict[str, int] = defaultdict(int)
        for sku, channel, units in view.placed:
            sku_units[sku] += units
            self.totals[(sku, channel)] += units
            self._channels[sku].add(channel)
            self._add((sku, channel), view.now, units)
        for sku, units in sku_units.items():
            self._add(sku, view.now, units)
        horizon = view.now - self.window
        for key, events in self._history.items():
            while events and events[0][0] <= horizon:
                self._sums[key] -= events.popleft()[1]
        self.ticks += 1

    def _add(self, key: object, now: datetime, units: int) -> None:
        self._history[key].append((now, units))
        self._sums[key] += units

    def rate(self, key: object) -> float:
        """Units per day for a SKU (``"SKU"``) or a channel of it (``("SKU", "web")``)."""
        if self._started is None or self._now is None:
            return 0.0
        span = max(min(self._now - self._started, self.window), self.least)
        return self._sums.get(key, 0) / (span / DAY)

    def channels(self, sku: str) -> list[str]:
        return sorted(self._channels.get(sku, ()))
