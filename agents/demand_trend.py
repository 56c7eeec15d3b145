"""Whether a SKU's demand is fading: units at list price in the last week against the week before.

Scarcity pricing compares the units left with the orders still to come. Extrapolating the last week's
rate to the end of the window overstates them when demand fades, as an adoption curve does after its
peak: the price then rises against demand that will not come. Units are counted at their list-price
equivalent (units × (price / list price)^elasticity), so a price rise is not read as fading demand.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from engine.service.market import MarketView

WEEK = timedelta(days=7)


@dataclass
class DemandTrend:
    elasticity: float
    _events: dict[str, deque[tuple[datetime, float]]] = field(default_factory=lambda: defaultdict(deque))
    _started: datetime | None = None
    _now: datetime | None = None

    def observe(self, view: MarketView) -> None:
        self._started = self._started or view.now
        self._now = view.now
        relative = {p.sku: p.price / p.list_price for p in view.products if p.list_price > 0}
        for sku, _channel, units in view.placed:
            self._events[sku].append((view.now, units * relative.get(sku, 1.0) ** self.elasticity))
        horizon = view.now - 2 * WEEK
        for events in self._events.values():
            while events and events[0][0] <= horizon:
                events.popleft()

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
