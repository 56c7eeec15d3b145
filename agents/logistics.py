"""The logistics agent: at the daily cut-off, merge allocated orders into shipments and dispatch them."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from engine.service.commands import AgentCommand, DispatchShipment
from engine.service.market import MarketView, ReadyOrder
from optimizers.consolidation import consolidate
from optimizers.consolidation_types import (
    AllocatedOrder,
    ConsolidationParams,
    ConsolidationProblem,
    Point,
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


def grid_location(order: ReadyOrder) -> Point:
    """A stable stand-in location in km from country, region and postal code (no geocoder is available
    here): regions spread over a 1,000 km square around the depot, postal codes over 40 km inside them."""
    region = hashlib.sha256(f"{order.country}/{order.region}".encode()).digest()
    postal = hashlib.sha256(f"{order.country}/{order.region}/{order.postal_code}".encode()).digest()
    return (
        (region[0] / 255 - 0.5) * 1000 + (postal[0] / 255 - 0.5) * 40,
        (region[1] / 255 - 0.5) * 1000 + (postal[1] / 255 - 0.5) * 40,
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
    consolidate: bool = True  # False: the baseline, one parcel per order on its own trip
    name: str = "logistics"
    shipped_on: set[date] = field(default_factory=set)

    def decide(self, view: MarketView) -> list[AgentCommand]:
        today = view.now.date()
        if view.now.hour < self.cut_off_hour or today in self.shipped_on or not view.ready_orders:
            return []
        self.shipped_on.add(today)
        orders = tuple(self._order(o, today.toordinal()) for o in view.ready_orders)
        if not self.consolidate:
            return [self._alone(order, today) for order in orders]
        problem = ConsolidationProblem(orders=orders, fleet=self.fleet, depot=self.depot, max_hold_days=0)
        plan = consolidate(problem, ConsolidationParams(time_limit_s=self.time_limit_s, seed=0, workers=1))
        reason = (
            f"daily cut-off: {len(orders)} orders in {len(plan.shipments)} shipments, cost {plan.cost:.0f} "
            f"against {plan.naive_cost:.0f} one parcel per order"
        )
        return [
            DispatchShipment(
                f"{today:%Y%m%d}-{k:04d}", s.order_ids, s.vehicle_type, s.region, s.distance, s.cost, reason
            )
            for k, s in enumerate(plan.shipments, start=1)
            if s.ship_day <= today.toordinal()
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

    def _alone(self, order: AllocatedOrder, today: date) -> DispatchShipment:
        vehicle = min(
            (v for v in self.fleet if v.capacity_weight >= order.weight),
            key=lambda v: v.fixed_cost,
            default=self.fleet[-1],
        )
        distance = 2 * math.dist(self.depot, order.address)
        cost = vehicle.fixed_cost + vehicle.cost_per_distance * distance
        return DispatchShipment(
            f"{today:%Y%m%d}-{order.id}",
            (order.id,),
            vehicle.name,
            order.region,
            distance,
            cost,
            "one parcel per order (baseline policy)",
        )
