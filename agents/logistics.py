"""The logistics agent: at the daily cut-off, merge allocated orders into shipments and dispatch them."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache

from engine.service.commands import AgentCommand, DispatchShipment
from engine.service.market import MarketView, ReadyOrder
from optimizers.consolidation import consolidate
from optimizers.consolidation_types import (
    AllocatedOrder,
    ConsolidationParams,
    ConsolidationProblem,
    Point,
    Unplaceable,
    VehicleType,
)

DEFAULT_FLEET = (
    VehicleType(
        "van", capacity_weight=800, capacity_volume=800, fixed_cost=60, cost_per_distance=0.6, count=50
    ),
    VehicleType(
        "truck", capacity_weight=4000, capacity_volume=4000, fixed_cost=180, cost_per_distance=1.1, count=10
    ),
)


@dataclass(frozen=True)
class ParcelTariff:
    """What a parcel carrier charges to take one order alone: the one-parcel-per-order baseline."""

    base: float = 6.0
    per_kg: float = 0.3
    per_km: float = 0.005  # per km from the depot to the address

    def price(self, weight: float, distance: float) -> float:
        return self.base + self.per_kg * weight + self.per_km * distance


def grid_location(order: ReadyOrder) -> Point:
    """A stable stand-in location in km from country, region and postal code (no geocoder is available
    here): regions spread over a 1,000 km square around the depot, postal codes over 40 km inside them."""
    return _grid_point(order.country, order.region, order.postal_code)


@lru_cache(maxsize=65_536)
def _grid_point(country: str, region: str | None, postal_code: str | None) -> Point:
    area = hashlib.sha256(f"{country}/{region}".encode()).digest()
    postal = hashlib.sha256(f"{country}/{region}/{postal_code}".encode()).digest()
    return (
        (area[0] / 255 - 0.5) * 1000 + (postal[0] / 255 - 0.5) * 40,
        (area[1] / 255 - 0.5) * 1000 + (postal[1] / 255 - 0.5) * 40,
    )


@dataclass
class LogisticsAgent:
    fleet: tuple[VehicleType, ...] = DEFAULT_FLEET
    locate: Callable[[ReadyOrder], Point] = grid_location
    depot: Point = (0.0, 0.0)
    cut_off_hour: int = 17
    unit_weight: float = 5.0
    unit_volume: float = 5.0
    time_limit_s: float = 5.0
    consolidate: bool = True  # False: the baseline, each order alone as a parcel at ``parcel``'s tariff
    parcel: ParcelTariff = field(default_factory=ParcelTariff)
    name: str = "logistics"
    shipped_on: set[date] = field(default_factory=set)

    def wants_ready_orders(self, now: datetime) -> bool:
        """Only at the day's cut-off, once: the rest of the day the orders ready to ship are not read."""
        return now.hour >= self.cut_off_hour and now.date() not in self.shipped_on

    def decide(self, view: MarketView) -> list[AgentCommand]:
        today = view.now.date()
        if view.last_dispatch is not None and view.last_dispatch.date() == today:
            # Today's shipments have left, whoever sent them: remembered from the store, not from this
            # process, so a restart or a second server does not ship twice, and a dispatch that failed
            # (nothing stored) is planned again at the next tick.
            self.shipped_on.add(today)
        if view.now.hour < self.cut_off_hour or today in self.shipped_on or not view.ready_orders:
            return []
        orders = tuple(self._order(o, today.toordinal()) for o in view.ready_orders)
        if not self.consolidate:
            baseline = "one parcel per order with a parcel carrier (baseline policy)"
            return self._pickups(orders, today, "p", lambda region, count: baseline)
        problem = ConsolidationProblem(orders=orders, fleet=self.fleet, depot=self.depot, max_hold_days=0)
        plan = consolidate(problem, ConsolidationParams(time_limit_s=self.time_limit_s, seed=0, workers=1))
        by_id = {order.id: order for order in orders}
        commands: list[AgentCommand] = []
        for k, s in enumerate(plan.shipments, start=1):
            if s.ship_day > today.toordinal():
                continue
            shipment_id = f"{today:%Y%m%d}-{k:04d}"
            # A vehicle only where it beats the carrier: a few orders in a far region go as parcels.
            parcels = self._parcels(shipment_id, s.region, [by_id[i] for i in s.order_ids], "")
            if parcels.cost < s.cost:
                why = (
                    f"{_orders(len(s.order_ids))} to {s.region} as parcels ({parcels.cost:.0f}): "
                    f"a {s.vehicle_type} trip costs {s.cost:.0f}"
                )
                commands.append(replace(parcels, reason=why))
                continue
            reason = (
                f"daily cut-off: {_orders(len(s.order_ids))} to {s.region} merged on one {s.vehicle_type} "
                f"({s.cost:.0f}, against {parcels.cost:.0f} as parcels)"
            )
            commands.append(
                DispatchShipment(
                    shipment_id, s.order_ids, s.vehicle_type, s.region, s.distance, s.cost, reason
                )
            )
        return commands + self._overflow(plan.unplaceable, by_id, today)

    def _overflow(
        self, unplaceable: Sequence[Unplaceable], by_id: dict[str, AllocatedOrder], today: date
    ) -> list[AgentCommand]:
        """Orders today's fleet had no room for go with the parcel carrier, one pickup per region: an
        order a vehicle could carry never waits because the vans are full (it would miss its window).
        An order larger than any vehicle goes alone, as hired freight (see :meth:`_freight`)."""
        left = [by_id[miss.order_id] for miss in unplaceable]
        fit = [o for o in left if any(v.holds(o.weight, o.volume) for v in self.fleet)]
        oversize = [o for o in left if not any(v.holds(o.weight, o.volume) for v in self.fleet)]

        def why(region: str, count: int) -> str:
            return f"no vehicle left with room today: {_orders(count)} to {region} go as parcels"

        freight = [self._freight(o, f"{today:%Y%m%d}-f{k:04d}") for k, o in enumerate(oversize, start=1)]
        return self._pickups(fit, today, "o", why) + freight

    def _freight(self, order: AllocatedOrder, shipment_id: str) -> DispatchShipment:
        """One order heavier or bulkier than any vehicle: as many of the largest vehicle as it fills,
        hired for a round trip to the address alone."""
        largest = max(self.fleet, key=lambda v: (v.capacity_weight, v.capacity_volume))
        trips = math.ceil(max(order.weight / largest.capacity_weight, order.volume / largest.capacity_volume))
        distance = 2 * math.dist(self.depot, order.address)
        cost = trips * (largest.fixed_cost + largest.cost_per_distance * distance)
        reason = (
            f"1 order of {order.weight:,.0f} kg to {order.region} is more than one {largest.name} carries: "
            f"{trips} {largest.name}s hired for it alone ({cost:.0f})"
        )
        return DispatchShipment(
            shipment_id, (order.id,), f"{trips} x {largest.name}", order.region, distance, cost, reason
        )

    def _pickups(
        self, orders: Iterable[AllocatedOrder], today: date, tag: str, why: Callable[[str, int], str]
    ) -> list[AgentCommand]:
        """The orders handed to the parcel carrier, one pickup per region (ids ``YYYYMMDD-<tag>NNNN``)."""
        by_region: dict[str, list[AllocatedOrder]] = {}
        for order in orders:
            by_region.setdefault(order.region, []).append(order)
        return [
            self._parcels(f"{today:%Y%m%d}-{tag}{k:04d}", region, group, why(region, len(group)))
            for k, (region, group) in enumerate(sorted(by_region.items()), start=1)
        ]

    def _order(self, order: ReadyOrder, day: int) -> AllocatedOrder:
        return AllocatedOrder(
            id=order.id,
            customer=order.customer_id,
            address=self.locate(order),
            region=f"{order.country}-{order.region or '*'}",
            sku=order.sku,
            units=order.units,
            weight=order.units * self.unit_weight,
            volume=order.units * self.unit_volume,
            ready_day=day,
            due_day=max(day, order.due_day),
        )

    def _parcels(
        self, shipment_id: str, region: str, orders: list[AllocatedOrder], reason: str
    ) -> DispatchShipment:
        """The orders handed to the parcel carrier in one pickup, each a parcel at the tariff; the
        distance is what the tariff charged for (depot to each address, summed), not a route."""
        distances = [math.dist(self.depot, order.address) for order in orders]
        cost = sum(self.parcel.price(o.weight, d) for o, d in zip(orders, distances, strict=True))
        return DispatchShipment(
            shipment_id, tuple(o.id for o in orders), "parcel", region, sum(distances), cost, reason
        )


def _orders(count: int) -> str:
    return f"{count} order" if count == 1 else f"{count} orders"
