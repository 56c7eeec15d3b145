"""Shipment consolidation: merge allocated orders into parcels, parcels into vehicle trips.

Decomposition, for scale: parcels are merged per customer address, shipping days are chosen per region
(fewest days that respect every order's hold and due date), then each region-day is packed into
vehicles with CP-SAT (first-fit decreasing as hint and fallback) and each vehicle's stops are ordered
into a short tour. ``consolidate_greedy`` is the baseline: no holding, first-fit decreasing only.
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections import defaultdict
from collections.abc import Callable, Sequence

from scipy.optimize import linprog

from optimizers.bin_packing import BinType, Item, Packing, first_fit_decreasing, pack_optimally
from optimizers.consolidation_types import (
    AllocatedOrder,
    ConsolidationParams,
    ConsolidationPlan,
    ConsolidationProblem,
    Parcel,
    Shipment,
    Unplaceable,
    VehicleType,
)
from optimizers.parcel_merge import make_parcels, ship_window, stab_days
from optimizers.tour import short_tour, tour_length

log = logging.getLogger(__name__)

# A packing search within a budget; None when the budget is too small to search (first fit decreasing
# then stands alone, rather than being computed and compared twice).
Packer = Callable[[Sequence[Item], Sequence[BinType], float], Packing | None]

# Keep a slice of the budget for tours and bookkeeping after the packings.
_PACKING_SHARE = 0.85
# Below this budget a CP-SAT call costs more in set-up than it can search; first-fit decreasing instead.
_MIN_CP_SAT_S = 0.02


def consolidate(problem: ConsolidationProblem, params: ConsolidationParams) -> ConsolidationPlan:
    """Plan shipments for every order that can ship, within ``params.time_limit_s`` seconds."""

    def packer(items: Sequence[Item], kinds: Sequence[BinType], budget: float) -> Packing | None:
        if budget < _MIN_CP_SAT_S:
            return None
        return pack_optimally(items, kinds, time_limit_s=budget, seed=params.seed, workers=params.workers)

    return _plan(problem, problem.max_hold_days, packer, params.time_limit_s)


def consolidate_greedy(problem: ConsolidationProblem) -> ConsolidationPlan:
    """Baseline: orders ship the day they are ready, packed first-fit decreasing."""

    def packer(items: Sequence[Item], kinds: Sequence[BinType], budget: float) -> Packing | None:
        return None

    return _plan(problem, 0, packer, math.inf)


def naive_cost(problem: ConsolidationProblem) -> float:
    """One parcel per order, one round trip per parcel on the cheapest vehicle that carries it
    (fleet counts ignored); orders no vehicle can carry are left out."""
    total = 0.0
    for order in problem.orders:
        trip = 2 * math.dist(problem.depot, order.address)
        costs = [v.fixed_cost + v.cost_per_distance * trip for v in problem.fleet if _carries(v, order)]
        total += min(costs, default=0.0)
    return total


def lower_bound(problem: ConsolidationProblem, orders: Sequence[AllocatedOrder]) -> float:
    """No rule-abiding plan ships ``orders`` for less.

    Per region: every trip costs at least a fixed cost plus the round trip to the region's nearest
    address; the trips must together carry all weight and volume and be at least as many as the
    fewest days hitting every order's shipping window (the cheapest such mix of vehicle types, as a
    linear relaxation); one trip also reaches the farthest address.
    """
    by_region: dict[str, list[AllocatedOrder]] = defaultdict(list)
    for order in orders:
        by_region[order.region].append(order)
    fleet = problem.fleet
    total = 0.0
    for group in by_region.values():
        reach = [math.dist(problem.depot, o.address) for o in group]
        near, far = min(reach), max(reach)
        trip_cost = [v.fixed_cost + 2 * v.cost_per_distance * near for v in fleet]
        weight = sum(o.weight for o in group)
        volume = sum(o.volume for o in group)
        days = len(set(stab_days([ship_window(o, problem.max_hold_days) for o in group])))
        trips = max(
            days,
            math.ceil(weight / max(v.capacity_weight for v in fleet) - 1e-9),
            math.ceil(volume / max(v.capacity_volume for v in fleet) - 1e-9),
        )
        farthest = 2 * min(v.cost_per_distance for v in fleet) * (far - near)
        total += _cheapest_trips(fleet, trip_cost, weight, volume, trips) + farthest
    return total


def _cheapest_trips(
    fleet: Sequence[VehicleType], trip_cost: list[float], weight: float, volume: float, trips: int
) -> float:
    """Least cost of fractional trips that carry ``weight`` and ``volume`` and number at least
    ``trips`` (a linear relaxation, so a valid lower bound)."""
    by_capacity = max(
        weight * min(c / v.capacity_weight for c, v in zip(trip_cost, fleet, strict=True)),
        volume * min(c / v.capacity_volume for c, v in zip(trip_cost, fleet, strict=True)),
        trips * min(trip_cost),
    )
    # minimise cost @ m  subject to  capacity_weight @ m >= weight, capacity_volume @ m >= volume,
    # sum(m) >= trips, m >= 0 (written as <= rows for linprog).
    result = linprog(
        c=trip_cost,
        A_ub=[[-v.capacity_weight for v in fleet], [-v.capacity_volume for v in fleet], [-1.0] * len(fleet)],
        b_ub=[-weight, -volume, -float(trips)],
        bounds=[(0, None)] * len(fleet),
        method="highs",
    )
    # The simple bounds above hold whatever the LP says; the LP only ever tightens them.
    return max(by_capacity, float(result.fun) * (1 - 1e-9)) if result.status == 0 else by_capacity


def _plan(
    problem: ConsolidationProblem, hold_days: int, packer: Packer, time_limit_s: float
) -> ConsolidationPlan:
    started = time.monotonic()
    unplaceable, shippable = _screen(problem)
    parcels = make_parcels(shippable, hold_days, lambda w, v: any(t.holds(w, v) for t in problem.fleet))
    groups: dict[tuple[int, str], list[Parcel]] = defaultdict(list)
    for parcel in parcels:
        groups[parcel.ship_day, parcel.region].append(parcel)
    # Heaviest region-days first: when a day's fleet runs short, the big loads still get vehicles.
    keys = sorted(groups, key=lambda k: (k[0], -sum(p.weight for p in groups[k]), k[1]))
    left_by_day: dict[int, list[int]] = defaultdict(lambda: [v.count for v in problem.fleet])
    deadline = started + _PACKING_SHARE * time_limit_s
    shipments: list[Shipment] = []
    proven = 0
    for n, key in enumerate(keys):
        day, region = key
        members = groups[key]
        left = left_by_day[day]
        kinds = [_bin_type(v, k) for v, k in zip(problem.fleet, left, strict=True)]
        items = [Item(p.weight, p.volume, 2 * math.dist(problem.depot, p.address)) for p in members]
        budget = max((deadline - time.monotonic()) / (len(keys) - n), 0.0)
        greedy = first_fit_decreasing(items, kinds)
        searched = packer(items, kinds, budget)
        packing = greedy if searched is None else _cheaper(problem, members, searched, greedy)
        proven += packing.status == "optimal"
        for kind, contents in packing.bins:
            left[kind] -= 1
            shipments.append(
                _shipment(problem, problem.fleet[kind], [members[i] for i in contents], region, day)
            )
        for i in packing.unpacked:
            reason = f"no vehicle left with room on day {day}"
            unplaceable.extend(Unplaceable(oid, reason) for oid in members[i].order_ids)
    shipped_ids = {oid for s in shipments for oid in s.order_ids}
    shipped = [o for o in shippable if o.id in shipped_ids]
    placed = {s_pid for s in shipments for s_pid in s.parcel_ids}
    status = "complete" if not unplaceable else "partial"
    return ConsolidationPlan(
        status=status,
        parcels=tuple(p for p in parcels if p.id in placed),
        shipments=tuple(shipments),
        unplaceable=tuple(unplaceable),
        cost=sum(s.cost for s in shipments),
        solve_seconds=time.monotonic() - started,
        groups=len(keys),
        groups_proven_optimal=proven,
        figures=functools.partial(_figures, problem, tuple(shipped)),
    )


def _figures(problem: ConsolidationProblem, shipped: Sequence[AllocatedOrder]) -> tuple[float, float]:
    return naive_cost(problem), lower_bound(problem, shipped)


def _cheaper(problem: ConsolidationProblem, members: list[Parcel], a: Packing, b: Packing) -> Packing:
    # The packing model prices a trip by its farthest stop, a lower bound on the real tour; judged by
    # the real tours, first-fit decreasing can occasionally win, and then it is kept.
    def real(p: Packing) -> tuple[int, float]:
        trips = [_shipment(problem, problem.fleet[k], [members[i] for i in c], "", 0) for k, c in p.bins]
        return len(p.unpacked), sum(t.cost for t in trips)

    return a if real(a) <= real(b) else b


def _screen(problem: ConsolidationProblem) -> tuple[list[Unplaceable], list[AllocatedOrder]]:
    refused: list[Unplaceable] = []
    shippable: list[AllocatedOrder] = []
    for order in problem.orders:
        if order.due_day < order.ready_day:
            refused.append(
                Unplaceable(order.id, f"due day {order.due_day} is before ready day {order.ready_day}")
            )
        elif not any(_carries(v, order) for v in problem.fleet):
            refused.append(Unplaceable(order.id, "heavier or bulkier than any vehicle"))
        else:
            shippable.append(order)
    return refused, shippable


def _shipment(
    problem: ConsolidationProblem, vehicle: VehicleType, parcels: list[Parcel], region: str, day: int
) -> Shipment:
    stops = sorted({p.address for p in parcels})
    order = short_tour(problem.depot, stops)
    route = tuple(stops[i] for i in order)
    distance = tour_length(problem.depot, route)
    return Shipment(
        id=f"S-{day}-{region}-{parcels[0].id}",
        vehicle_type=vehicle.name,
        region=region,
        ship_day=day,
        parcel_ids=tuple(p.id for p in parcels),
        order_ids=tuple(oid for p in parcels for oid in p.order_ids),
        stops=route,
        weight=sum(p.weight for p in parcels),
        volume=sum(p.volume for p in parcels),
        distance=distance,
        cost=vehicle.fixed_cost + vehicle.cost_per_distance * distance,
    )


def _bin_type(vehicle: VehicleType, available: int) -> BinType:
    return BinType(
        vehicle.capacity_weight,
        vehicle.capacity_volume,
        vehicle.fixed_cost,
        vehicle.cost_per_distance,
        available,
    )


def _carries(vehicle: VehicleType, order: AllocatedOrder) -> bool:
    return vehicle.holds(order.weight, order.volume)
