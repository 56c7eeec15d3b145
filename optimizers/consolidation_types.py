"""Inputs and outputs of shipment consolidation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

Point = tuple[float, float]


@dataclass(frozen=True)
class AllocatedOrder:
    """An order whose units are allocated: it can leave the depot from ``ready_day`` and must leave
    by ``due_day`` (days are integers on any common calendar)."""

    id: str
    customer: str
    address: Point
    region: str
    sku: str
    units: int
    weight: float
    volume: float
    ready_day: int
    due_day: int


@dataclass(frozen=True)
class VehicleType:
    """``count`` vehicles of this type are available each day, one trip each."""

    name: str
    capacity_weight: float
    capacity_volume: float
    fixed_cost: float
    cost_per_distance: float
    count: int

    def holds(self, weight: float, volume: float) -> bool:
        """Whether one vehicle of this type can carry ``weight`` and ``volume`` (within rounding)."""
        return weight <= self.capacity_weight + 1e-9 and volume <= self.capacity_volume + 1e-9


@dataclass(frozen=True)
class ConsolidationProblem:
    """Orders to ship from ``depot`` with ``fleet``.

    Rules: orders of the same customer at the same address whose shipping days can coincide become one
    parcel; an order may wait up to ``max_hold_days`` after it is ready (never past its due day) to
    travel with others; a shipment serves one region on one day with one vehicle.
    """

    orders: tuple[AllocatedOrder, ...]
    fleet: tuple[VehicleType, ...]
    depot: Point
    max_hold_days: int = 0

    def __post_init__(self) -> None:
        if not self.fleet:
            raise ValueError("the fleet needs at least one vehicle type")
        if self.max_hold_days < 0:
            raise ValueError("max_hold_days cannot be negative")
        ids = [o.id for o in self.orders]
        if len(set(ids)) != len(ids):
            raise ValueError("order ids must be unique")


@dataclass(frozen=True)
class ConsolidationParams:
    """Solver parameters for the CP-SAT packings; ``time_limit_s`` bounds the whole plan. The same
    seed gives the same plan whenever every packing finishes within its share of the time."""

    time_limit_s: float = 30.0
    seed: int = 0
    workers: int = 1


@dataclass(frozen=True)
class Parcel:
    id: str
    order_ids: tuple[str, ...]
    customer: str
    address: Point
    region: str
    weight: float
    volume: float
    ship_day: int


@dataclass(frozen=True)
class Shipment:
    """One vehicle trip: depot → ``stops`` in order → depot, carrying ``parcel_ids``."""

    id: str
    vehicle_type: str
    region: str
    ship_day: int
    parcel_ids: tuple[str, ...]
    order_ids: tuple[str, ...]
    stops: tuple[Point, ...]
    weight: float
    volume: float
    distance: float
    cost: float


@dataclass(frozen=True)
class Unplaceable:
    order_id: str
    reason: str


@dataclass(frozen=True)
class ConsolidationPlan:
    """The plan and its honest figures.

    ``cost`` sums the shipments' fixed and distance costs; ``naive_cost`` is one parcel per order and
    one trip per parcel; ``lower_bound`` holds for every plan that obeys the rules (no plan can cost
    less). ``status``: ``complete`` when every order ships, ``partial`` when some are unplaceable.
    ``groups_proven_optimal`` counts region-day packings CP-SAT proved cheapest out of ``groups``.
    The naive cost and the lower bound are computed when first read (so ``solve_seconds`` leaves them
    out): an agent planning every day never reads them, and they cost a fifth of a large plan.
    """

    status: str
    parcels: tuple[Parcel, ...]
    shipments: tuple[Shipment, ...]
    unplaceable: tuple[Unplaceable, ...]
    cost: float
    solve_seconds: float
    groups: int
    groups_proven_optimal: int
    figures: Callable[[], tuple[float, float]] = field(repr=False, compare=False)  # (naive, bound)

    @cached_property
    def _figures(self) -> tuple[float, float]:
        return self.figures()

    @property
    def naive_cost(self) -> float:
        return self._figures[0]

    @property
    def lower_bound(self) -> float:
        return self._figures[1]
