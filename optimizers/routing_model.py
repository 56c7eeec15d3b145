"""One OR-Tools routing solve: capacities, time windows, service times and vehicle fixed costs.

Used by ``optimizers.routing``, which runs several of these in parallel and keeps the best.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from optimizers.vrp_formats import VrpInstance

_STATUS = routing_enums_pb2.RoutingSearchStatus
log = logging.getLogger(__name__)

Objective = Literal["distance", "vehicles-then-distance"]

# Vehicles allowed beyond what the first solution used.
FLEET_SPARES = 5
CVRP_GLS_LAMBDA = 0.3
# For vehicles-then-distance, as fractions of the time budget: the first search ends at [0], removing
# routes stops at [1]; the rest polishes the distance.
REDUCE_SHARES = (0.2, 0.8)

STRATEGIES = {
    "parallel_cheapest_insertion": routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION,
    "local_cheapest_insertion": routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION,
    "savings": routing_enums_pb2.FirstSolutionStrategy.SAVINGS,
    "path_cheapest_arc": routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC,
}


@dataclass(frozen=True)
class Attempt:
    """The outcome of one solve, in the permuted model's terms mapped back to instance nodes."""

    strategy: str
    seed: int
    status: str
    routes: tuple[tuple[int, ...], ...]
    cost: int


@dataclass(frozen=True)
class _Data:
    instance: VrpInstance
    scale: int
    cost: list[list[int]]
    travel: list[list[int]]
    nodes: list[int]  # model index -> instance node; nodes[0] == 0 (the depot)
    seed: int
    fleet: int


def solve_attempt(
    instance: VrpInstance,
    *,
    objective: Objective,
    strategy: str,
    seed: int,
    deadline: float,
    solution_limit: int | None = None,
    remove_routes: bool = True,
) -> Attempt:
    """Build and solve one model until ``deadline`` (a ``time.monotonic()`` value) or ``solution_limit``.
    With ``vehicles-then-distance`` and ``remove_routes``, part of the time goes to doing with fewer
    vehicles (see ``_fewest_vehicles``).

    OR-Tools routing has no random seed, so ``seed`` permutes the customers' model indices: the search
    then breaks ties differently, which diversifies parallel attempts yet stays reproducible.
    """
    data = _build_data(instance, seed)
    first = _solve(data, objective, strategy, deadline, solution_limit=1, improve=False)
    if not first.routes:
        return first
    # Guided local search wastes effort on idle vehicles: with 25 vehicles for a solution that needs 8
    # it stalled 4-6% above the best known distance on R201; a fleet of the construction's size plus a
    # few spares lets it reach about 2% in the same time. The spares leave room to trade vehicles for
    # distance.
    fleet = min(data.fleet, len(first.routes) + FLEET_SPARES)
    if objective == "distance" or solution_limit is not None or not remove_routes:
        return _solve(dataclasses.replace(data, fleet=fleet), objective, strategy, deadline, solution_limit)
    return _fewest_vehicles(dataclasses.replace(data, fleet=fleet), strategy, deadline)


def _fewest_vehicles(data: _Data, strategy: str, deadline: float) -> Attempt:
    """Vehicles first: search with a fixed cost per vehicle, then repeatedly take one route away and
    re-insert its customers into the others (allowed to leave customers out at a large penalty, so the
    search always has a solution to improve); stop when a customer stays out. The last phase polishes
    the distance of the smallest complete fleet."""
    started = time.monotonic()
    budget = deadline - started
    best = _solve(data, "vehicles-then-distance", strategy, started + REDUCE_SHARES[0] * budget, None)
    reduce_until = started + REDUCE_SHARES[1] * budget
    log.debug("%s: fixed-cost search found %d routes", data.instance.name, len(best.routes))
    while best.routes and len(best.routes) > 1 and time.monotonic() < reduce_until:
        # Removing the route with the fewest customers leaves the least to re-insert.
        kept = sorted(best.routes, key=len)[1:]
        smaller = dataclasses.replace(data, fleet=len(kept))
        trial = _solve(
            smaller, "vehicles-then-distance", strategy, reduce_until, None, initial=kept, may_drop=True
        )
        served = sum(map(len, trial.routes))
        log.debug(
            "%s: %d vehicles serve %d of %d after %.1f s",
            data.instance.name, len(kept), served, data.instance.size - 1, time.monotonic() - started,
        )  # fmt: skip
        if served < data.instance.size - 1:
            break
        best = trial
    if not best.routes:
        return best
    final = dataclasses.replace(data, fleet=len(best.routes))
    polished = _solve(final, "vehicles-then-distance", strategy, deadline, None, initial=list(best.routes))
    return polished if polished.routes and polished.cost <= best.cost else best


def _solve(
    data: _Data,
    objective: Objective,
    strategy: str,
    deadline: float,
    solution_limit: int | None,
    improve: bool = True,
    initial: list[tuple[int, ...]] | None = None,
    may_drop: bool = False,
) -> Attempt:
    manager = pywrapcp.RoutingIndexManager(data.instance.size, data.fleet, 0)
    routing = pywrapcp.RoutingModel(manager)
    add_distance_cost(routing, data)
    add_capacity(routing, data)
    if data.instance.has_time_windows:
        add_time_windows(routing, manager, data)
    if objective == "vehicles-then-distance":
        add_vehicle_fixed_cost(routing, data)
    if may_drop:
        add_optional_visits(routing, manager, data)
        # Stop as soon as every customer is back on a route: that is all a removal attempt needs.
        routing.AddAtSolutionCallback(lambda: _finish_when_all_served(routing, manager, data))

    params = search_parameters(strategy, deadline - time.monotonic(), solution_limit, improve)
    if not data.instance.has_time_windows:
        # Stronger penalties escape CVRP local optima sooner: A-n80-k10 went from +2.9% (0.1, the
        # default) to +1.3% (0.3) in 30 s; with time windows the default did as well or better.
        params.guided_local_search_lambda_coefficient = CVRP_GLS_LAMBDA
    solution = None
    if initial is not None:
        routing.CloseModelWithParameters(params)
        model_node = {n: i for i, n in enumerate(data.nodes)}
        start = routing.ReadAssignmentFromRoutes(
            [[manager.NodeToIndex(model_node[n]) for n in route] for route in initial], True
        )
        if start is not None:
            solution = routing.SolveFromAssignmentWithParameters(start, params)
    if solution is None and (initial is None or may_drop):
        solution = routing.SolveWithParameters(params)

    # Branch on status: a time-limited search that found something is FEASIBLE, not OPTIMAL.
    status = routing.status()
    if solution is None:
        label = "infeasible" if status == _STATUS.ROUTING_INFEASIBLE else "no_solution"
        return Attempt(strategy, data.seed, label, (), 0)
    routes = []
    for vehicle in range(data.fleet):
        index = routing.Start(vehicle)
        route = []
        while not routing.IsEnd(index):
            node = manager.IndexToNode(index)
            if node != 0:
                route.append(data.nodes[node])
            index = solution.Value(routing.NextVar(index))
        if route:
            routes.append(tuple(route))
    label = "optimal" if status == _STATUS.ROUTING_OPTIMAL else "feasible"
    return Attempt(strategy, data.seed, label, tuple(routes), int(solution.ObjectiveValue()))


def search_parameters(strategy: str, seconds: float, solution_limit: int | None, improve: bool = True) -> Any:
    """Construction by ``strategy``, then (if ``improve``) guided local search until the time or
    solution limit."""
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = STRATEGIES[strategy]
    if improve:
        params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(max(int(seconds * 1000), 10))
    if solution_limit is not None:
        params.solution_limit = solution_limit
    return params


def _build_data(instance: VrpInstance, seed: int) -> _Data:
    # Solomon distances are real numbers: cost rounds them, travel time rounds them *up*, so a schedule
    # that fits the integer model also fits in exact arithmetic.
    scale = 1 if instance.distance_kind == "nint" else 1000
    rng = np.random.default_rng(seed)
    nodes = [0, *(int(v) + 1 for v in rng.permutation(instance.size - 1))]
    dist = instance.distance_matrix()[np.ix_(nodes, nodes)] * scale
    cost = np.rint(dist).astype(np.int64)
    travel = np.ceil(dist - 1e-9).astype(np.int64)
    if instance.service is not None:
        service = np.asarray([instance.service[n] for n in nodes]) * scale
        travel = travel + np.rint(service).astype(np.int64)[:, None]
    # No solution uses more vehicles than there are customers; a larger fleet (10**9 in a file) would
    # only cost memory, as OR-Tools allocates per vehicle.
    fleet = min(instance.vehicles, max(instance.size - 1, 1))
    return _Data(instance, scale, cost.tolist(), travel.tolist(), nodes, seed, fleet)


def add_distance_cost(routing: pywrapcp.RoutingModel, data: _Data) -> None:
    """Arc cost = scaled distance, the same for every vehicle."""
    # A matrix (not a Python callback) keeps every arc evaluation inside C++: many times faster search.
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(data.cost))


def add_capacity(routing: pywrapcp.RoutingModel, data: _Data) -> None:
    """Load on a vehicle never exceeds its capacity."""
    demand = routing.RegisterUnaryTransitVector([data.instance.demand[n] for n in data.nodes])
    routing.AddDimensionWithVehicleCapacity(demand, 0, [data.instance.capacity] * data.fleet, True, "load")


def add_time_windows(
    routing: pywrapcp.RoutingModel, manager: pywrapcp.RoutingIndexManager, data: _Data
) -> None:
    """Service starts inside each customer's window; vehicles leave and return within the depot's."""
    inst = data.instance
    assert inst.ready is not None and inst.due is not None
    ready = [math.ceil(inst.ready[n] * data.scale - 1e-9) for n in data.nodes]
    due = [math.floor(inst.due[n] * data.scale + 1e-9) for n in data.nodes]
    # A window narrower than one scaled unit (ready 1.0004, due 1.0006) rounds to an empty range, which
    # OR-Tools rejects outright; open it at the rounded due time instead. The recomputed check of the
    # routes still holds them to the exact window.
    ready = [min(r, d) for r, d in zip(ready, due, strict=True)]

    callback = routing.RegisterTransitMatrix(data.travel)
    # Slack is waiting time: a vehicle may arrive early and wait for the window to open.
    routing.AddDimension(callback, due[0], due[0], False, "time")
    dimension = routing.GetDimensionOrDie("time")
    for node in range(1, inst.size):
        dimension.CumulVar(manager.NodeToIndex(node)).SetRange(ready[node], due[node])
    for vehicle in range(data.fleet):
        dimension.CumulVar(routing.Start(vehicle)).SetRange(ready[0], due[0])
        dimension.CumulVar(routing.End(vehicle)).SetRange(ready[0], due[0])


def add_optional_visits(
    routing: pywrapcp.RoutingModel, manager: pywrapcp.RoutingIndexManager, data: _Data
) -> None:
    """A customer may be left out, at a penalty worth more than any vehicle: leave out as few as
    possible (a soft constraint used while trying to do with fewer vehicles)."""
    penalty = drop_penalty(data)
    for node in range(1, data.instance.size):
        routing.AddDisjunction([manager.NodeToIndex(node)], penalty)


def drop_penalty(data: _Data) -> int:
    return 10 * _vehicle_cost(data)


def _finish_when_all_served(
    routing: pywrapcp.RoutingModel, manager: pywrapcp.RoutingIndexManager, data: _Data
) -> None:
    for node in range(1, data.instance.size):
        index = manager.NodeToIndex(node)
        if routing.NextVar(index).Value() == index:
            return
    routing.solver().FinishCurrentSearch()


def _vehicle_cost(data: _Data) -> int:
    return 2 * max(max(row) for row in data.cost) * data.instance.size


def add_vehicle_fixed_cost(routing: pywrapcp.RoutingModel, data: _Data) -> None:
    """Every used vehicle costs more than any distance one vehicle fewer could add: vehicles first."""
    routing.SetFixedCostOfAllVehicles(_vehicle_cost(data))
