"""Greedy routing baseline: Solomon's (1987) time-oriented nearest neighbour, one vehicle at a time.

It shows what the optimizer buys. Each vehicle leaves the depot and repeatedly drives to the
"nearest" customer it can still serve (capacity left, window not yet closed, able to return in time),
where nearness blends distance, waiting time and urgency; when none is left it goes home and the next
vehicle starts. Without time windows it is the plain nearest neighbour.
"""

from __future__ import annotations

import time

from optimizers.route_check import check_routes
from optimizers.routing import RoutingResult
from optimizers.routing_model import Objective
from optimizers.vrp_formats import VrpInstance


def route_nearest_neighbour(instance: VrpInstance, objective: Objective = "distance") -> RoutingResult:
    """Routes built greedily; ``status`` is ``heuristic``, or ``no_solution`` when some customer can
    be served by no vehicle alone or the fleet runs out."""
    started = time.monotonic()
    left = set(range(1, instance.size))
    routes: list[tuple[int, ...]] = []
    while left and len(routes) < instance.vehicles:
        route = _one_route(instance, left)
        if not route:
            break
        routes.append(route)
        left -= set(route)
    check = check_routes(instance, routes)
    labels = tuple(tuple(instance.labels[n] for n in r) for r in routes)
    return RoutingResult(
        instance=instance.name,
        objective=objective,
        status="heuristic" if not left else "no_solution",
        routes=tuple(routes),
        route_labels=labels,
        vehicles=check.vehicles,
        distance=check.distance,
        feasible=check.feasible,
        violations=check.violations,
        solve_seconds=time.monotonic() - started,
        strategy="nearest_neighbour",
    )


def _one_route(instance: VrpInstance, left: set[int]) -> tuple[int, ...]:
    route: list[int] = []
    here, load = 0, 0
    clock = instance.ready[0] if instance.ready is not None else 0.0
    while True:
        options = []
        for node in left - set(route):
            if load + instance.demand[node] > instance.capacity:
                continue
            start = _service_start(instance, here, node, clock)
            if start is None:
                continue
            options.append((_closeness(instance, here, node, clock, start), node, start))
        if not options:
            return tuple(route)
        _, here, clock = min(options)
        route.append(here)
        load += instance.demand[here]


# Solomon's weights for distance, waiting time and urgency.
_WEIGHTS = (0.4, 0.4, 0.2)


def _closeness(instance: VrpInstance, here: int, node: int, clock: float, start: float) -> float:
    distance = instance.distance(here, node)
    if instance.due is None or instance.service is None:
        return distance
    departure = clock + instance.service[here]
    waiting = start - departure
    urgency = instance.due[node] - (departure + distance)
    return _WEIGHTS[0] * distance + _WEIGHTS[1] * waiting + _WEIGHTS[2] * urgency


def _service_start(instance: VrpInstance, here: int, node: int, clock: float) -> float | None:
    """When service at ``node`` would start after leaving ``here``, or None if too late to serve it
    and still get back to the depot before it closes."""
    if instance.ready is None or instance.due is None or instance.service is None:
        return clock
    start = max(clock + instance.service[here] + instance.distance(here, node), instance.ready[node])
    back = start + instance.service[node] + instance.distance(node, 0)
    if start > instance.due[node] or back > instance.due[0]:
        return None
    return start
