"""Running a scenario: the engine on an in-memory store, the agents in-process or on Ray, the world
around them; one policy at a time, or the engine's policies against every baseline."""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from agents.runtime import AgentRuntime
from engine.bootstrap import bootstrap_in_memory
from engine.clock import ManualClock
from engine.config import Settings
from experiments.simulation.kpis import compute_kpis, differences
from experiments.simulation.policies import BASELINES, ENGINE, PolicySet, build_agents
from experiments.simulation.scenario import Scenario
from experiments.simulation.world import World, total_days

log = logging.getLogger(__name__)
RUNTIMES = ("inprocess", "ray")
DayCallback = Callable[[], None]


@dataclass(frozen=True)
class RunResult:
    """One policy's run: its KPIs and its daily series (for plots)."""

    policy: str
    kpis: dict[str, float]
    series: dict[str, list[float]]
    refused_units: dict[str, int]
    undelivered: int


@dataclass(frozen=True)
class Comparison:
    """The engine's policies and each baseline on the same scenario and seed."""

    scenario: Scenario
    runtime: str
    engine: RunResult
    baselines: dict[str, RunResult] = field(default_factory=dict)

    def differences(self) -> dict[str, dict[str, float]]:
        """Engine minus baseline, KPI by KPI, per baseline."""
        return {name: differences(self.engine.kpis, run.kpis) for name, run in self.baselines.items()}


def days_to_run(scenario: Scenario) -> int:
    """Simulated days of one run: the horizon plus the days parcels need to arrive."""
    return total_days(scenario)


def _runtime(kind: str, engine: object, agents: list[object], ray_address: str | None) -> AgentRuntime:
    if kind == "ray":
        from agents.ray_hosting import RayAgentRuntime  # the only door to Ray

        return RayAgentRuntime(engine, agents, address=ray_address)  # type: ignore[arg-type]
    if kind != "inprocess":
        raise ValueError(f"unknown runtime {kind!r}; use one of {', '.join(RUNTIMES)}")
    return AgentRuntime(engine, agents)  # type: ignore[arg-type]


def run_policy(
    scenario: Scenario,
    policy: PolicySet = ENGINE,
    *,
    runtime: str = "inprocess",
    ray_address: str | None = None,
    on_day: DayCallback | None = None,
) -> RunResult:
    """Simulate the scenario under ``policy``; the same scenario, seed and policy give the same KPIs
    (wall-clock KPIs aside) whichever runtime hosts the agents."""
    start = datetime.combine(scenario.start, datetime.min.time(), tzinfo=UTC)
    clock = ManualClock(start)
    settings = Settings(
        window_confidence=scenario.policies.promise_confidence,
        cut_off_hour=scenario.policies.cut_off_hour,
        bootstrap_admin_key=None,
        agent_ready_orders=10**9,  # one tick a day, at the cut-off: it must see every allocated order
    )
    engine = bootstrap_in_memory(settings, clock=clock)
    world = World(scenario, policy, engine, clock)
    world.load()
    agents = build_agents(scenario, policy)
    host = _runtime(runtime, engine, list(agents), ray_address)
    started = time.perf_counter()
    try:
        with cycle_collector_paused():
            for day in range(world.total_days):
                world.day(day, host)
                if on_day is not None:
                    on_day()
    finally:
        host.close()
    wall = time.perf_counter() - started
    costs = [shipment.cost for shipment in engine.shipments(limit=10**9)]
    kpis = compute_kpis(world.ledger, shipment_costs=costs, wall_seconds=wall)
    log.info("%s: %s", policy.name, kpis)
    return RunResult(
        policy.name, kpis, dict(world.series), dict(world.ledger.units_refused), world.undelivered()
    )


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Python's cycle collector, paused for a season. A run keeps millions of small objects alive
    (orders, history entries), and the collector walks each of them again as it ages: 30% of a
    100,000-order run's wall time with the default thresholds, still 8.5% when collecting every
    100,000 allocations. A season makes no cyclic garbage (a full collection after a 100,000-order
    season, and after each shipped scenario under every policy, found no unreachable object), so
    pausing it loses nothing: reference counting still frees everything else at once. Objects alive
    before the run are frozen out of collections during it; so are the run's own at its end, or the
    first young collection after it would walk them all at once (3 s of a 300,000-order run). Unless
    someone else froze objects first (the API's start-up), they then all go back to the oldest
    generation, which is collected only when it has grown by a quarter."""
    enabled, owner = gc.isenabled(), gc.get_freeze_count() == 0
    if owner:  # leave a freeze made by someone else as it is
        gc.collect()
        gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()  # also starts the count of young objects again from zero
        if enabled:
            gc.enable()
        if owner:
            gc.unfreeze()


def compare(
    scenario: Scenario,
    *,
    runtime: str = "inprocess",
    ray_address: str | None = None,
    baselines: Sequence[PolicySet] = BASELINES,
    on_day: DayCallback | None = None,
) -> Comparison:
    """The engine's policies, then each baseline, all on the same scenario and seed."""
    engine = run_policy(scenario, ENGINE, runtime=runtime, ray_address=ray_address, on_day=on_day)
    results = {
        b.name: run_policy(scenario, b, runtime=runtime, ray_address=ray_address, on_day=on_day)
        for b in baselines
    }
    return Comparison(scenario, runtime, engine, results)
