"""Running a scenario: the engine on an in-memory store, the agents in-process or on Ray, the world
around them; one policy at a time, or the engine's policies against every baseline."""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from experiments.simulation.kpis import compute_kpis, differences, never_shipped
from experiments.simulation.policies import BASELINES, ENGINE, PolicySet
from experiments.simulation.scenario import Scenario
from experiments.simulation.season import RUNTIMES, Season
from experiments.simulation.shards import SplitSeason
from experiments.simulation.world import total_days

log = logging.getLogger(__name__)
DayCallback = Callable[[], None]


@dataclass(frozen=True)
class RunResult:
    """One policy's run: its KPIs and its daily series (for plots)."""

    policy: str
    kpis: dict[str, float]
    series: dict[str, list[float]]
    refused_units: dict[str, int]
    undelivered: int  # parcels still on the road when the run ended
    never_shipped: int  # orders sold that had not shipped when the run ended


@dataclass(frozen=True)
class Comparison:
    """The engine's policies and each baseline on the same scenario and seed."""

    scenario: Scenario
    runtime: str
    engine: RunResult
    baselines: dict[str, RunResult] = field(default_factory=dict)
    shards: int = 1

    def differences(self) -> dict[str, dict[str, float]]:
        """Engine minus baseline, KPI by KPI, per baseline."""
        return {name: differences(self.engine.kpis, run.kpis) for name, run in self.baselines.items()}


def days_to_run(scenario: Scenario) -> int:
    """Simulated days of one run: the horizon (or the day after the last planned lot, if later) plus the
    days parcels need to arrive."""
    return total_days(scenario)


def run_policy(
    scenario: Scenario,
    policy: PolicySet = ENGINE,
    *,
    runtime: str = "inprocess",
    ray_address: str | None = None,
    on_day: DayCallback | None = None,
    shards: int = 1,
) -> RunResult:
    """Simulate the scenario under ``policy``; the same scenario, seed, policy and number of shards give
    the same KPIs (wall-clock KPIs aside) whichever runtime hosts the agents. With ``shards`` above one
    the products are split into that many seasons (``experiments.simulation.shards``): one after the
    other in process, side by side as Ray actors on Ray."""
    if runtime not in RUNTIMES:
        raise ValueError(f"unknown runtime {runtime!r}; use one of {', '.join(RUNTIMES)}")
    season: Season | SplitSeason = (
        Season(scenario, policy, runtime=runtime, ray_address=ray_address)
        if shards == 1
        else SplitSeason(scenario, policy, shards, runtime=runtime, ray_address=ray_address)
    )
    try:
        with cycle_collector_paused():
            started = time.perf_counter()
            for day in range(total_days(scenario)):
                season.day(day)
                if on_day is not None:
                    on_day()
            outcome = season.finish()
            wall = time.perf_counter() - started
    finally:
        season.close()
    kpis = compute_kpis(outcome.ledger, shipment_costs=outcome.shipment_costs, wall_seconds=wall)
    log.info("%s: %s", policy.name, kpis)
    return RunResult(
        policy.name,
        kpis,
        outcome.series,
        dict(outcome.ledger.units_refused),
        outcome.undelivered,
        never_shipped(outcome.ledger),
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
    shards: int = 1,
) -> Comparison:
    """The engine's policies, then each baseline, all on the same scenario, seed and shards."""
    runs = [
        run_policy(scenario, policy, runtime=runtime, ray_address=ray_address, on_day=on_day, shards=shards)
        for policy in (ENGINE, *baselines)
    ]
    return Comparison(scenario, runtime, runs[0], {run.policy: run for run in runs[1:]}, shards)
