"""The routing optimizer: feasible, optimal on tiny instances, honest, and obedient to its parameters."""

from __future__ import annotations

import dataclasses
import itertools
import math
import time
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vrp_recompute import DATA, assert_routes_feasible, route_distance, solomon_prefix

from optimizers.routing import RoutingParams, solve_routing
from optimizers.routing_baseline import route_nearest_neighbour
from optimizers.vrp_formats import VrpInstance, read_instance


def tiny(
    points: list[tuple[float, float]], demand: list[int], capacity: int, **windows: object
) -> VrpInstance:
    n = len(points)
    return VrpInstance(
        name="tiny",
        x=tuple(p[0] for p in points),
        y=tuple(p[1] for p in points),
        demand=tuple(demand),
        capacity=capacity,
        vehicles=n - 1,
        labels=tuple(range(n)),
        **windows,  # type: ignore[arg-type]
    )


def partitions(items: list[int]) -> Iterator[list[list[int]]]:
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for smaller in partitions(rest):
        for k in range(len(smaller)):
            yield [*smaller[:k], [first, *smaller[k]], *smaller[k + 1 :]]
        yield [[first], *smaller]


def route_feasible(inst: VrpInstance, route: tuple[int, ...]) -> bool:
    if sum(inst.demand[n] for n in route) > inst.capacity:
        return False
    if inst.ready is None or inst.due is None or inst.service is None:
        return True
    clock, prev = inst.ready[0], 0
    for node in route:
        clock = max(clock + inst.service[prev] + inst.distance(prev, node), inst.ready[node])
        if clock > inst.due[node]:
            return False
        prev = node
    return clock + inst.service[prev] + inst.distance(prev, 0) <= inst.due[0]


def brute_force(inst: VrpInstance, vehicles_first: bool) -> tuple[int, float]:
    """Best (vehicles, distance) by enumerating every partition and every visiting order."""
    candidates = []
    for blocks in partitions(list(range(1, inst.size))):
        lengths = [
            min(
                (route_distance(inst, p) for p in itertools.permutations(b) if route_feasible(inst, p)),
                default=math.inf,
            )
            for b in blocks
        ]
        candidates.append((len(blocks), sum(lengths)))
    if vehicles_first:
        return min(c for c in candidates if c[1] < math.inf)
    return min(candidates, key=lambda c: c[1])


SQUARE = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (-10.0, 0.0), (0.0, -10.0)]


def test_a_tiny_cvrp_is_solved_to_its_brute_force_optimum() -> None:
    # Given five customers around a depot and a capacity that forces at least two routes
    inst = tiny(SQUARE, [0, 4, 3, 4, 3, 4], capacity=10)

    # When it is routed for distance
    result = solve_routing(inst, RoutingParams(time_limit_s=1.0))

    # Then the routes are feasible and as short as exhaustive enumeration allows
    distance = assert_routes_feasible(inst, result.routes)
    assert distance == pytest.approx(result.distance)
    assert result.distance == pytest.approx(brute_force(inst, vehicles_first=False)[1], abs=1e-6)


def test_vehicles_then_distance_trades_distance_for_fewer_vehicles() -> None:
    # Given a depot between two far customers and one window that is easy only for a direct trip
    points = [(0.0, 0.0), (30.0, 0.0), (-30.0, 0.0), (31.0, 0.0)]
    windows = {"ready": (0.0, 0.0, 0.0, 0.0), "due": (400.0, 400.0, 400.0, 400.0), "service": (0.0,) * 4}
    inst = tiny(points, [0, 1, 1, 1], capacity=10, **windows)

    # When routed under each objective
    by_distance = solve_routing(inst, RoutingParams(objective="distance", time_limit_s=0.5))
    by_vehicles = solve_routing(inst, RoutingParams(objective="vehicles-then-distance", time_limit_s=0.5))

    # Then each matches the brute-force optimum of its own objective
    assert by_distance.distance == pytest.approx(brute_force(inst, vehicles_first=False)[1])
    assert (by_vehicles.vehicles, by_vehicles.distance) == pytest.approx(
        brute_force(inst, vehicles_first=True)
    )
    assert by_vehicles.vehicles == 1


def test_routes_on_real_solomon_customers_respect_capacity_windows_and_report_their_distance() -> None:
    # Given the first 25 customers of R101 (tight windows) and C101
    for name in ("R101", "C101"):
        inst = solomon_prefix(read_instance(DATA / "solomon" / f"{name}.txt", "solomon"), 25)

        # When routed for two seconds
        result = solve_routing(inst, RoutingParams(time_limit_s=1.5))

        # Then recomputing from the coordinates confirms feasibility and the reported distance
        assert result.feasible and result.status in {"feasible", "optimal"}
        assert assert_routes_feasible(inst, result.routes) == pytest.approx(result.distance, abs=1e-6)
        assert result.route_labels == tuple(tuple(inst.labels[n] for n in r) for r in result.routes)


def test_a_customer_heavier_than_any_vehicle_yields_no_routes_and_says_so() -> None:
    inst = tiny(SQUARE[:3], [0, 4, 11], capacity=10)

    result = solve_routing(inst, RoutingParams(time_limit_s=0.5))

    assert result.status in {"infeasible", "no_solution"}
    assert not result.feasible and result.routes == ()


@pytest.mark.parametrize("workers", [1, 2])
def test_the_time_limit_bounds_the_whole_call(workers: int) -> None:
    inst = read_instance(DATA / "solomon" / "RC101.txt", "solomon")

    started = time.monotonic()
    result = solve_routing(inst, RoutingParams(time_limit_s=1.5, workers=workers))
    elapsed = time.monotonic() - started

    assert result.feasible
    assert elapsed <= 1.5 + 0.5 and result.solve_seconds <= elapsed


def test_the_same_seed_and_solution_limit_give_the_same_routes() -> None:
    inst = solomon_prefix(read_instance(DATA / "solomon" / "RC101.txt", "solomon"), 30)
    params = RoutingParams(time_limit_s=10.0, seed=7, solution_limit=40)

    first = solve_routing(inst, params)
    second = solve_routing(inst, params)

    assert first.routes and first.routes == second.routes


customers = st.lists(
    st.tuples(st.integers(-50, 50), st.integers(-50, 50), st.integers(1, 10), st.integers(0, 150)),
    min_size=1,
    max_size=8,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(customers, st.integers(10, 25))
def test_every_customer_is_served_once_within_capacity_and_window(
    rows: list[tuple[int, int, int, int]], capacity: int
) -> None:
    # Given customers whose window opens at a random time and stays open long enough to visit alone
    points = [(0.0, 0.0), *((float(x), float(y)) for x, y, _, _ in rows)]
    ready = [0.0, *(float(r) for _, _, _, r in rows)]
    due = [1000.0, *(r + math.dist(p, (0, 0)) + 30 for p, r in zip(points[1:], ready[1:], strict=True))]
    inst = tiny(
        points,
        [0, *(d for _, _, d, _ in rows)],
        capacity,
        ready=tuple(ready),
        due=tuple(due),
        service=(0.0,) + (5.0,) * len(rows),
    )

    # When routed briefly
    result = solve_routing(inst, RoutingParams(time_limit_s=0.3, solution_limit=30))

    # Then the independent recomputation agrees that the routes are feasible
    assert result.feasible
    assert assert_routes_feasible(inst, result.routes) == pytest.approx(result.distance, abs=1e-6)


def test_the_nearest_neighbour_baseline_is_feasible_and_never_shorter_than_the_optimizer_here() -> None:
    # Given 25 real R101 customers (tight windows)
    inst = solomon_prefix(read_instance(DATA / "solomon" / "R101.txt", "solomon"), 25)

    # When both the greedy baseline and the optimizer route them
    greedy = route_nearest_neighbour(inst)
    optimized = solve_routing(inst, RoutingParams(time_limit_s=1.0))

    # Then both are feasible by independent recomputation, and the optimizer is no worse
    assert greedy.status == "heuristic"
    assert assert_routes_feasible(inst, greedy.routes) == pytest.approx(greedy.distance)
    assert optimized.distance <= greedy.distance + 1e-6


def test_a_fleet_far_larger_than_the_customers_is_routed_within_the_time_limit() -> None:
    # Given three customers and ten thousand vehicles (a file may say a billion)
    inst = dataclasses.replace(tiny(SQUARE[:4], [0, 1, 1, 1], capacity=10), vehicles=10_000)

    # When routed for half a second
    started = time.monotonic()
    result = solve_routing(inst, RoutingParams(time_limit_s=0.5))

    # Then the idle vehicles cost neither time nor the answer
    assert result.feasible and result.vehicles == 1
    assert time.monotonic() - started <= 0.5 + 0.5


def test_a_time_window_narrower_than_a_thousandth_is_served_not_a_solver_failure() -> None:
    # Given a customer 5 away whose window opens and closes at 10.0005, and one open all day
    inst = tiny(
        [(0.0, 0.0), (3.0, 4.0), (0.0, 1.0)],
        [0, 1, 1],
        capacity=10,
        ready=(0.0, 10.0005, 0.0),
        due=(100.0, 10.0005, 100.0),
        service=(0.0, 0.0, 0.0),
    )

    # When routed
    result = solve_routing(inst, RoutingParams(time_limit_s=0.5))

    # Then both are served and the exact recomputation finds the schedule on time
    assert result.feasible
    assert assert_routes_feasible(inst, result.routes) == pytest.approx(result.distance, abs=1e-6)
