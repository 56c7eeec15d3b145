"""Recompute the cost and check the feasibility of routes, independently of any solver."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from optimizers.vrp_formats import VrpInstance

# Solomon data are integers; anything tighter than this is floating-point noise, not a violation.
TOLERANCE = 1e-6


@dataclass(frozen=True)
class RouteCheck:
    """What the routes cost and every rule they break (empty ``violations`` means feasible)."""

    distance: float
    vehicles: int
    violations: tuple[str, ...]

    @property
    def feasible(self) -> bool:
        return not self.violations


def check_routes(instance: VrpInstance, routes: Sequence[Sequence[int]]) -> RouteCheck:
    """Check that ``routes`` (node indices, depot omitted) visit every customer exactly once within
    capacity, time windows and fleet size, and recompute their total distance in floating point."""
    violations: list[str] = []
    visits = [node for route in routes for node in route]
    customers = set(range(1, instance.size))
    if sorted(visits) != sorted(customers):
        missing = sorted(customers - set(visits))
        repeated = sorted({v for v in visits if visits.count(v) > 1})
        violations.append(f"customers missing {missing[:10]}, repeated {repeated[:10]}")
    used = [r for r in routes if r]
    if len(used) > instance.vehicles:
        violations.append(f"{len(used)} routes but only {instance.vehicles} vehicles")
    total = 0.0
    for k, route in enumerate(used):
        load = sum(instance.demand[i] for i in route)
        if load > instance.capacity:
            violations.append(f"route {k} carries {load} > capacity {instance.capacity}")
        total += _route_distance(instance, route)
        violations.extend(f"route {k}: {msg}" for msg in _time_window_violations(instance, route))
    return RouteCheck(distance=total, vehicles=len(used), violations=tuple(violations))


def _route_distance(instance: VrpInstance, route: Sequence[int]) -> float:
    path = [0, *route, 0]
    return sum(instance.distance(a, b) for a, b in itertools.pairwise(path))


def _time_window_violations(instance: VrpInstance, route: Sequence[int]) -> list[str]:
    if instance.ready is None or instance.due is None or instance.service is None:
        return []
    problems: list[str] = []
    time = instance.ready[0]
    prev = 0
    for node in route:
        # Arriving early means waiting until the window opens; arriving late is a violation.
        time = max(time + instance.service[prev] + instance.distance(prev, node), instance.ready[node])
        if time > instance.due[node] + TOLERANCE:
            problems.append(f"starts customer {instance.labels[node]} at {time:.3f} > {instance.due[node]}")
        prev = node
    back = time + instance.service[prev] + instance.distance(prev, 0)
    if back > instance.due[0] + TOLERANCE:
        problems.append(f"returns at {back:.3f} > depot closing {instance.due[0]}")
    return problems
