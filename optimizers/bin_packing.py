"""Pack items into a heterogeneous fleet at least cost: first-fit decreasing, and CP-SAT seeded with it.

A bin's cost is its vehicle's fixed cost plus ``reach_cost`` times the farthest ``reach`` of the items
it holds — the round trip a vehicle must at least drive to serve them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

# CP-SAT needs integer coefficients; costs are kept to a thousandth.
_COST_SCALE = 1000


@dataclass(frozen=True)
class Item:
    weight: float
    volume: float
    reach: float


@dataclass(frozen=True)
class BinType:
    capacity_weight: float
    capacity_volume: float
    fixed_cost: float
    reach_cost: float
    available: int


@dataclass(frozen=True)
class Packing:
    """``bins`` lists (bin type index, item indices); ``unpacked`` items found no room.

    ``status`` is ``optimal`` when CP-SAT proved the packing cheapest, otherwise ``feasible``
    (or ``heuristic`` for first-fit decreasing alone); ``bound`` is the proven lower bound on cost."""

    bins: tuple[tuple[int, tuple[int, ...]], ...]
    unpacked: tuple[int, ...]
    cost: float
    bound: float
    status: str


def bin_cost(kind: BinType, items: Sequence[Item]) -> float:
    return kind.fixed_cost + kind.reach_cost * max((it.reach for it in items), default=0.0)


def first_fit_decreasing(items: Sequence[Item], kinds: Sequence[BinType]) -> Packing:
    """Largest items first into the first open bin with room; new bins use the roomiest type still
    available, and each finished bin is then moved to the cheapest available type that holds its load."""
    left = [k.available for k in kinds]
    cap_w = max(k.capacity_weight for k in kinds)
    cap_v = max(k.capacity_volume for k in kinds)
    order = sorted(range(len(items)), key=lambda i: -max(items[i].weight / cap_w, items[i].volume / cap_v))
    room = [_room(k) for k in kinds]
    bins: list[tuple[int, list[int], float, float]] = []
    limits: list[tuple[int, int]] = []  # each open bin's room
    unpacked: list[int] = []
    for i in order:
        it = items[i]
        for b, limit in enumerate(limits):
            kind, members, w, v = bins[b]
            if _fits_room(limit, w + it.weight, v + it.volume):
                members.append(i)
                bins[b] = (kind, members, w + it.weight, v + it.volume)
                break
        else:
            roomy = [t for t in range(len(kinds)) if left[t] > 0 and _fits(kinds[t], it.weight, it.volume)]
            if not roomy:
                unpacked.append(i)
                continue
            t = max(roomy, key=lambda t: (kinds[t].capacity_weight, kinds[t].capacity_volume))
            left[t] -= 1
            bins.append((t, [i], it.weight, it.volume))
            limits.append(room[t])
    final = []
    for kind, members, w, v in bins:
        left[kind] += 1
        fitting = [t for t in range(len(kinds)) if left[t] > 0 and _fits(kinds[t], w, v)]
        best = min(fitting, key=lambda t: bin_cost(kinds[t], [items[i] for i in members]))
        left[best] -= 1
        final.append((best, tuple(sorted(members))))
    cost = sum(bin_cost(kinds[t], [items[i] for i in m]) for t, m in final)
    return Packing(tuple(final), tuple(sorted(unpacked)), cost, 0.0, "heuristic")


def pack_optimally(
    items: Sequence[Item],
    kinds: Sequence[BinType],
    *,
    time_limit_s: float,
    seed: int = 0,
    workers: int = 1,
) -> Packing:
    """Cheapest packing of all items CP-SAT finds in ``time_limit_s``, never worse than first-fit
    decreasing (its solution is the hint and the fallback). Items FFD cannot place stay unpacked."""
    greedy = first_fit_decreasing(items, kinds)
    placeable = sorted(i for _, members in greedy.bins for i in members)
    if len(placeable) <= 1:
        return Packing(greedy.bins, greedy.unpacked, greedy.cost, greedy.cost, "optimal")
    model = cp_model.CpModel()
    # --- variables: one candidate bin per vehicle that might be used ---
    # A packing cheaper than first-fit cannot use more vehicles than first-fit's cost buys at the
    # cheapest possible price per vehicle, so more slots than that would only slow the search.
    cheapest = min(bin_cost(k, [min((items[i] for i in placeable), key=lambda it: it.reach)]) for k in kinds)
    most = len(placeable) if cheapest <= 0 else min(len(placeable), math.floor(greedy.cost / cheapest + 1e-9))
    slots = [t for t, kind in enumerate(kinds) for _ in range(min(kind.available, most))]
    x = {(i, b): model.new_bool_var(f"x{i}_{b}") for i in placeable for b in range(len(slots))}
    used = [model.new_bool_var(f"used{b}") for b in range(len(slots))]
    reach = [
        model.new_int_var(0, _scaled(max(items[i].reach for i in placeable)), f"r{b}")
        for b in range(len(slots))
    ]
    add_each_item_in_one_bin(model, x, placeable, len(slots))
    add_capacities(model, x, used, items, kinds, slots, placeable)
    add_reach(model, x, reach, items, placeable, len(slots))
    add_symmetry_breaking(model, used, slots)
    # --- objective: fixed cost of used vehicles plus their minimum round trip ---
    model.minimize(
        sum(_scaled(kinds[t].fixed_cost) * _COST_SCALE * used[b] for b, t in enumerate(slots))
        + sum(_scaled(kinds[t].reach_cost) * reach[b] for b, t in enumerate(slots))
    )
    _hint(model, greedy, x, used, reach, items, slots, placeable)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit_s, 0.01)
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = workers
    status = solver.solve(model)
    bound = max(solver.best_objective_bound / _COST_SCALE**2, 0.0) if status != cp_model.UNKNOWN else 0.0
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Packing(greedy.bins, greedy.unpacked, greedy.cost, bound, "heuristic")
    bins = tuple(
        (t, tuple(i for i in placeable if solver.value(x[i, b])))
        for b, t in enumerate(slots)
        if solver.value(used[b])
    )
    bins = tuple(entry for entry in bins if entry[1])
    cost = sum(bin_cost(kinds[t], [items[i] for i in m]) for t, m in bins)
    if cost > greedy.cost + 1e-9:
        bins, cost = greedy.bins, greedy.cost
    label = "optimal" if status == cp_model.OPTIMAL else "feasible"
    return Packing(bins, greedy.unpacked, cost, min(bound, cost), label)


def add_each_item_in_one_bin(
    model: cp_model.CpModel, x: dict[tuple[int, int], cp_model.IntVar], items: list[int], n_bins: int
) -> None:
    """Every placeable item goes in exactly one bin."""
    for i in items:
        model.add_exactly_one(x[i, b] for b in range(n_bins))


def add_capacities(
    model: cp_model.CpModel,
    x: dict[tuple[int, int], cp_model.IntVar],
    used: list[cp_model.IntVar],
    items: Sequence[Item],
    kinds: Sequence[BinType],
    slots: list[int],
    placeable: list[int],
) -> None:
    """Weight and volume in a bin stay within its vehicle's capacity, and only used bins hold items."""
    for b, t in enumerate(slots):
        cap_w = _floor_scaled(kinds[t].capacity_weight)
        cap_v = _floor_scaled(kinds[t].capacity_volume)
        model.add(sum(_ceil_scaled(items[i].weight) * x[i, b] for i in placeable) <= cap_w * used[b])
        model.add(sum(_ceil_scaled(items[i].volume) * x[i, b] for i in placeable) <= cap_v * used[b])


def add_reach(
    model: cp_model.CpModel,
    x: dict[tuple[int, int], cp_model.IntVar],
    reach: list[cp_model.IntVar],
    items: Sequence[Item],
    placeable: list[int],
    n_bins: int,
) -> None:
    """A bin's reach is at least the farthest of its items."""
    for b in range(n_bins):
        for i in placeable:
            model.add(reach[b] >= _scaled(items[i].reach)).only_enforce_if(x[i, b])


def add_symmetry_breaking(model: cp_model.CpModel, used: list[cp_model.IntVar], slots: list[int]) -> None:
    """Vehicles of one type are interchangeable: use them in order."""
    for b in range(1, len(slots)):
        if slots[b] == slots[b - 1]:
            model.add_implication(used[b], used[b - 1])


def _hint(
    model: cp_model.CpModel,
    greedy: Packing,
    x: dict[tuple[int, int], cp_model.IntVar],
    used: list[cp_model.IntVar],
    reach: list[cp_model.IntVar],
    items: Sequence[Item],
    slots: list[int],
    placeable: list[int],
) -> None:
    # Without this first-fit hint CP-SAT found nothing for 100 items in 30 s; with it, it proves
    # optimality quickly. The hint must respect the symmetry breaking: fill each type's slots in order.
    next_slot = {t: slots.index(t) for t in set(slots)}
    where: dict[int, int] = {}
    for t, members in greedy.bins:
        b = next_slot[t]
        next_slot[t] += 1
        model.add_hint(used[b], True)
        model.add_hint(reach[b], max(_scaled(items[i].reach) for i in members))
        where.update((i, b) for i in members)
    for b in range(len(slots)):
        if b not in where.values():
            model.add_hint(used[b], False)
            model.add_hint(reach[b], 0)
    for i in placeable:
        for b in range(len(slots)):
            model.add_hint(x[i, b], where[i] == b)


def _fits(kind: BinType, weight: float, volume: float) -> bool:
    return _fits_room(_room(kind), weight, volume)


def _room(kind: BinType) -> tuple[int, int]:
    """A bin type's capacity (weight, volume) in the units ``_fits_room`` compares."""
    return _floor_scaled(kind.capacity_weight), _floor_scaled(kind.capacity_volume)


def _fits_room(room: tuple[int, int], weight: float, volume: float) -> bool:
    return _ceil_scaled(weight) <= room[0] and _ceil_scaled(volume) <= room[1]


def _scaled(value: float) -> int:
    return round(value * _COST_SCALE)


def _ceil_scaled(value: float) -> int:
    return math.ceil(value * _COST_SCALE - 1e-9)


def _floor_scaled(value: float) -> int:
    return math.floor(value * _COST_SCALE + 1e-9)
