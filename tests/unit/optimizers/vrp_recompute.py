"""Recompute route figures straight from coordinates, independently of the library's own checker."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from reference_data import DATA as REFERENCE

from optimizers.vrp_formats import VrpInstance

DATA = REFERENCE


def route_distance(inst: VrpInstance, route: Sequence[int]) -> float:
    path = [0, *route, 0]
    total = 0.0
    for a, b in itertools.pairwise(path):
        d = math.sqrt((inst.x[a] - inst.x[b]) ** 2 + (inst.y[a] - inst.y[b]) ** 2)
        total += math.floor(d + 0.5) if inst.distance_kind == "nint" else d
    return total


def assert_routes_feasible(inst: VrpInstance, routes: Sequence[Sequence[int]]) -> float:
    """Every customer exactly once, loads within capacity, service within windows; returns distance."""
    visited = sorted(n for r in routes for n in r)
    assert visited == list(range(1, inst.size)), "each customer must be visited exactly once"
    assert len([r for r in routes if r]) <= inst.vehicles
    for route in routes:
        assert sum(inst.demand[n] for n in route) <= inst.capacity
        if inst.ready is None or inst.due is None or inst.service is None:
            continue
        clock, prev = inst.ready[0], 0
        for node in route:
            travel = math.dist((inst.x[prev], inst.y[prev]), (inst.x[node], inst.y[node]))
            clock = max(clock + inst.service[prev] + travel, inst.ready[node])
            assert clock <= inst.due[node] + 1e-6, f"customer {node} served late"
            prev = node
        back = clock + inst.service[prev] + math.dist((inst.x[prev], inst.y[prev]), (inst.x[0], inst.y[0]))
        assert back <= inst.due[0] + 1e-6, "vehicle returns after the depot closes"
    return sum(route_distance(inst, r) for r in routes)


def solomon_prefix(inst: VrpInstance, customers: int) -> VrpInstance:
    """The depot and the first ``customers`` customers of a Solomon instance (a smaller, real VRPTW)."""
    keep = slice(0, customers + 1)
    assert inst.ready is not None and inst.due is not None and inst.service is not None
    return VrpInstance(
        name=f"{inst.name}.{customers}",
        x=inst.x[keep],
        y=inst.y[keep],
        demand=inst.demand[keep],
        capacity=inst.capacity,
        vehicles=inst.vehicles,
        labels=inst.labels[keep],
        ready=inst.ready[keep],
        due=inst.due[keep],
        service=inst.service[keep],
    )
