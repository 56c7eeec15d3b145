"""Vehicle routing with capacities, time windows, service times and vehicle fixed costs.

The objective is explicit: ``distance`` (total distance, any number of vehicles) or
``vehicles-then-distance`` (fewest vehicles, then shortest distance — the hierarchical convention).
With ``workers > 1`` several differently-started searches run in separate processes (the routing
solver is single-threaded and holds the GIL) and the best feasible answer wins.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from optimizers.route_check import check_routes
from optimizers.routing_model import STRATEGIES, Attempt, Objective, solve_attempt
from optimizers.vrp_formats import VrpInstance

log = logging.getLogger(__name__)

OBJECTIVES: tuple[Objective, ...] = ("distance", "vehicles-then-distance")

# Portfolios, one entry per worker: (first-solution strategy, try removing routes). Parallel cheapest
# insertion finds feasible starts on tight windows (R101, RC101) where the default strategy finds none;
# the second member searches differently so that the two processes do not repeat each other. For
# vehicles-then-distance, route removal found RC101 with 15 vehicles where the plain search kept 16,
# but it leaves less time to shorten routes (RC201: +4.9% instead of +2.5%), so one worker does each.
PORTFOLIOS: dict[Objective, tuple[tuple[str, bool], ...]] = {
    "distance": (
        ("parallel_cheapest_insertion", False),
        ("local_cheapest_insertion", False),
        ("savings", False),
        ("path_cheapest_arc", False),
    ),
    "vehicles-then-distance": (
        ("parallel_cheapest_insertion", True),
        ("parallel_cheapest_insertion", False),
        ("local_cheapest_insertion", True),
        ("local_cheapest_insertion", False),
    ),
}
# Without time windows, parallel cheapest insertion beat savings and local cheapest insertion on
# A-n80-k10 (+2.9% against +5.8% and +4.2% in 30 s), and restarting it from another customer order
# (seed) was the better second worker.
CVRP_PORTFOLIO = (("parallel_cheapest_insertion", False),)

# Returning results from the worker processes and shutting them down takes a moment; reserve it.
_COLLECT_S = 0.15


@dataclass(frozen=True)
class RoutingParams:
    """Solver parameters. ``solution_limit`` stops after that many improving solutions, which makes a
    run reproducible independently of machine speed (a pure time limit does not)."""

    objective: Objective = "distance"
    time_limit_s: float = 10.0
    seed: int = 0
    workers: int = 1
    solution_limit: int | None = None

    def __post_init__(self) -> None:
        if self.objective not in OBJECTIVES:
            raise ValueError(f"objective must be one of {OBJECTIVES}, not {self.objective!r}")
        if self.time_limit_s <= 0 or self.workers < 1:
            raise ValueError("time_limit_s must be positive and workers at least 1")


@dataclass(frozen=True)
class RoutingResult:
    """Routes as instance node indices in visiting order (depot omitted), with honest figures.

    ``distance`` and ``feasible`` are recomputed in floating point from the routes, not taken from the
    solver. ``status`` is ``optimal`` only when the solver proved it, ``feasible`` when it found routes
    without proof, ``no_solution`` when the time ran out first, ``infeasible`` when proven impossible.
    """

    instance: str
    objective: Objective
    status: str
    routes: tuple[tuple[int, ...], ...]
    route_labels: tuple[tuple[int, ...], ...]
    vehicles: int
    distance: float
    feasible: bool
    violations: tuple[str, ...]
    solve_seconds: float
    strategy: str


def solve_routing(instance: VrpInstance, params: RoutingParams) -> RoutingResult:
    """Find the best routes for ``instance`` under ``params.objective`` within ``params.time_limit_s``."""
    started = time.monotonic()
    untimed = params.objective == "distance" and not instance.has_time_windows
    portfolio = CVRP_PORTFOLIO if untimed else PORTFOLIOS[params.objective]
    jobs = [(*portfolio[w % len(portfolio)], params.seed + w) for w in range(params.workers)]
    if params.workers == 1:
        attempts = [_run(instance, params, *jobs[0], started + params.time_limit_s)]
    else:
        # Wall-clock time is comparable across processes (monotonic time is not), so children get an
        # absolute deadline and their start-up time counts against the budget.
        wall_deadline = time.time() + params.time_limit_s - _COLLECT_S
        # spawn, not fork: the caller may hold threads (test runners, servers) that fork would copy.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=params.workers, mp_context=context) as pool:
            futures = [
                pool.submit(_run_in_child, instance, params, strategy, reduce, seed, wall_deadline)
                for strategy, reduce, seed in jobs
            ]
            attempts = [f.result() for f in futures]
    return _best_result(instance, params.objective, attempts, time.monotonic() - started)


def _run(
    instance: VrpInstance, params: RoutingParams, strategy: str, reduce: bool, seed: int, deadline: float
) -> Attempt:
    assert strategy in STRATEGIES
    return solve_attempt(
        instance,
        objective=params.objective,
        strategy=strategy,
        remove_routes=reduce,
        seed=seed,
        deadline=deadline,
        solution_limit=params.solution_limit,
    )


def _run_in_child(
    instance: VrpInstance, params: RoutingParams, strategy: str, reduce: bool, seed: int, wall_deadline: float
) -> Attempt:
    remaining = max(wall_deadline - time.time(), 0.05)
    return _run(instance, params, strategy, reduce, seed, time.monotonic() + remaining)


def _best_result(
    instance: VrpInstance, objective: Objective, attempts: list[Attempt], seconds: float
) -> RoutingResult:
    scored = []
    for attempt in attempts:
        if not attempt.routes and instance.size > 1:
            continue
        check = check_routes(instance, attempt.routes)
        rank = (not check.feasible, check.vehicles if objective != "distance" else 0, check.distance)
        scored.append((rank, attempt, check))
    if not scored:
        status = "infeasible" if any(a.status == "infeasible" for a in attempts) else "no_solution"
        log.info("%s: no routes found (%s)", instance.name, status)
        return RoutingResult(instance.name, objective, status, (), (), 0, 0.0, False, (), seconds, "")
    _, best, check = min(scored, key=lambda item: item[0])
    labels = tuple(tuple(instance.labels[n] for n in route) for route in best.routes)
    return RoutingResult(
        instance=instance.name,
        objective=objective,
        status=best.status,
        routes=best.routes,
        route_labels=labels,
        vehicles=check.vehicles,
        distance=check.distance,
        feasible=check.feasible,
        violations=check.violations,
        solve_seconds=seconds,
        strategy=f"{best.strategy}/seed={best.seed}",
    )
