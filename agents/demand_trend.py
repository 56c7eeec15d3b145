"""The demand still to come for a SKU, as the pricing agent reads it from the sales so far.

Scarcity pricing compares the units left with the orders still to come. Extrapolating the last week's
rate to the end of the window overstates them when demand fades, as an adoption curve does after its
peak: the price then rises against demand that will not come. Two readings, both in units at their
list-price equivalent (units × (price / list price)^elasticity, so a price rise is not read as fading
demand):

- ``DemandTrend``: the last week against the week before; when it fell, each later week is expected to
  fall by the same ratio. Needs two whole weeks and knows nothing of the curve's shape.
- ``AdoptionShape``: the shape of the launch's adoption curve (Bass ``p`` and ``q`` per day), as
  analogous launches give it (the demand model's prior). The units sold since the window opened
  measure the market size, and the curve says how much of it is still to come before the window
  closes, peak and fading included, from the first days on.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from engine.service.market import MarketView
from optimizers.demand import bass_share

WEEK = timedelta(days=7)
# Below this share of the curve seen, or this many units, a day's noise would decide the market size:
# read the trend instead (30 Poisson units are known to about ±18%).
MIN_SHARE_SEEN = 0.02
MIN_UNITS_SEEN = 30.0


@dataclass(frozen=True)
class AdoptionShape:
    """Bass innovation ``p`` and imitation ``q`` per day; the market size is left to the data."""

    p: float
    q: float

    def __post_init__(self) -> None:
        if not (self.p > 0 and self.q >= 0 and math.isfinite(self.p) and math.isfinite(self.q)):
            raise ValueError(f"an adoption shape needs p > 0 and q >= 0, got p={self.p}, q={self.q}")

    def share(self, days: float) -> float:
        """Bass F(t): the share of the market adopted ``days`` after the window opened."""
        return bass_share(self.p, self.q, days)

    def still_to_come(self, units_seen: float, now: float, closes: float) -> float | None:
        """Units still to come before ``closes`` (days since opening) when ``units_seen`` sold from the
        opening to ``now``; None while too little of the curve has passed to scale it."""
        seen = self.share(now)
        if seen < MIN_SHARE_SEEN or units_seen < MIN_UNITS_SEEN:
            return None
        return units_seen / seen * max(self.share(closes) - seen, 0.0)


@dataclass
class DemandTrend:
    elasticity: float
    _events: dict[str, deque[tuple[datetime, float]]] = field(default_factory=lambda: defaultdict(deque))
    _total: dict[str, float] = field(default_factory=dict)  # list-price units seen since the first view
    _started: datetime | None = None
    _now: datetime | None = None

    def observe(self, view: MarketView) -> None:
        self._started = self._started or view.now
        self._now = view.now
        relative = {p.sku: p.price / p.list_price for p in view.products if p.list_price > 0}
        for sku, _channel, units in view.placed:
            at_list = units * relative.get(sku, 1.0) ** self.elasticity
            self._events[sku].append((view.now, at_list))
            self._total[sku] = self._total.get(sku, 0.0) + at_list
        horizon = view.now - 2 * WEEK
        for events in self._events.values():
            while events and events[0][0] <= horizon:
                events.popleft()

    def units_seen(self, sku: str) -> float:
        """List-price units placed since the first view (a runtime's first view reads the whole outbox,
        so: since the window opened)."""
        return self._total.get(sku, 0.0)

    def weekly_ratio(self, sku: str) -> float | None:
        """List-price units of the last week over those of the week before; None until two whole weeks
        were seen, or when the week before sold nothing."""
        if self._started is None or self._now is None or self._now - self._started < 2 * WEEK:
            return None
        split = self._now - WEEK
        events = self._events.get(sku, ())
        before = sum(units for at, units in events if at <= split)
        last = sum(units for at, units in events if at > split)
        return last / before if before > 0 else None

    def days_of_demand(self, sku: str, days_left: float) -> float:
        """Days of today's rate the rest of the window holds: ``days_left`` while demand holds or grows;
        fewer when it fades, each week selling the last week's ratio of the week before."""
        ratio = self.weekly_ratio(sku)
        if ratio is None or ratio >= 1.0 or days_left <= 0:
            return max(days_left, 0.0)
        decay = -math.log(max(ratio, 0.01)) / 7.0  # per day
        return (1.0 - math.exp(-decay * days_left)) / decay
