"""A season split by product into shards that run side by side, each with its own engine, world and
allocation and pricing agents, and merged back into one set of KPIs.

Products never interact in the world except through logistics, so one logistics agent serves every
shard: at each day's cut-off it sees all the shards' orders ready to ship, as the whole season's agent
would, and each shard records the part of each shipment that carries its orders (the cost shared by
units). A season in two shards draws from its own random streams, so it is not the same season as the
whole one, but always the same for the same scenario, seed and number of shards, wherever the shards
run: one after the other in this process, or side by side on Ray, each shard an actor that hosts its
engine, its world and its allocation and pricing agents (their views never leave it; as actors of
their own they cost about 30% more wall time at 100,000 orders), and the logistics agent an actor of its
own. One shard is the whole scenario, with the scenario's seed.
"""

from __future__ import annotations

import functools
import gc
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import fields, replace
from datetime import datetime
from typing import Any

import numpy as np

from agents.logistics import LogisticsAgent
from engine.service.commands import AgentCommand, DispatchShipment
from engine.service.market import MarketView
from engine.service.ready_orders import ReadyOrders
from experiments.simulation.ledger import Ledger
from experiments.simulation.policies import PolicySet, build_agents
from experiments.simulation.scenario import Scenario, ScenarioError
from experiments.simulation.season import Season, SeasonOutcome

SUMMED_SERIES = ("orders_placed", "queued_units", "units_on_hand")


def split(scenario: Scenario, shards: int) -> list[Scenario]:
    """The scenario's products dealt round-robin into ``shards`` scenarios, each with its own seed."""
    if shards < 1:
        raise ScenarioError(f"shards must be at least 1, not {shards}")
    if shards > len(scenario.products):
        raise ScenarioError(
            f"{shards} shards need at least {shards} products; {scenario.name} has {len(scenario.products)}"
        )
    if shards == 1:
        return [scenario]
    return [
        scenario.model_copy(
            update={
                "products": scenario.products[index::shards],
                "seed": shard_seed(scenario.seed, index, shards),
            }
        )
        for index in range(shards)
    ]


def shard_seed(seed: int, index: int, shards: int) -> int:
    """A seed of its own for each shard, drawn from the scenario's seed and the split."""
    state = np.random.SeedSequence([seed, shards, index]).generate_state(1, dtype=np.uint32)
    return int(state[0])


class _Here:
    """Objects in this process, called one after the other (what ``ActorGroup`` does on Ray)."""

    def __init__(self, targets: Sequence[Any]) -> None:
        self.targets = list(targets)

    def call(self, method: str, *args: Any) -> list[Any]:
        return [getattr(target, method)(*args) for target in self.targets]

    def call_each(self, method: str, args: Sequence[tuple[Any, ...]]) -> list[Any]:
        return [getattr(target, method)(*own) for target, own in zip(self.targets, args, strict=True)]

    def submit(self, method: str, *args: Any, returns: int | None = None) -> list[Any]:
        return self.submit_each(method, [args] * len(self.targets), returns=returns)

    def submit_each(
        self, method: str, args: Sequence[tuple[Any, ...]], *, returns: int | None = None
    ) -> list[Any]:
        """The answers themselves, as ``ActorGroup.submit_each`` shapes its handles."""
        answers = self.call_each(method, args)
        if returns is None:
            return answers
        shaped = [list(answer) for answer in answers]
        if any(len(values) != returns for values in shaped):
            raise ValueError(f"{method} returned other than {returns} values")
        return shaped

    def wait(self, handles: Sequence[Any]) -> None:
        """Calls here are done when they return."""

    def close(self) -> None:
        for target in self.targets:
            getattr(target, "close", lambda: None)()


def _season_in_worker(scenario: Scenario, policy: PolicySet) -> Season:
    """A shard's season in a Ray worker, its allocation and pricing agents beside its engine. The worker
    hosts this season alone: the cycle collector stays off there, for the reasons
    ``cycle_collector_paused`` gives."""
    gc.collect()
    gc.freeze()
    gc.disable()
    return Season(scenario, policy, runtime="inprocess", shared_logistics=True)


class SharedLogistics:
    """The logistics agent of every shard: at the cut-off it decides on all the shards' orders ready to
    ship at once, and hands each shard its part of the shipments."""

    def __init__(self, agent: LogisticsAgent) -> None:
        self.agent = agent

    def decide(self, *ready: tuple[datetime, ReadyOrders]) -> list[list[AgentCommand]]:
        """``ready`` holds each shard's time and orders ready to ship, in shard order."""
        now = ready[0][0]
        every = ReadyOrders.joined(orders for _, orders in ready)
        view = MarketView(now=now, products=(), placed=(), cancelled=(), ready_orders=every, cursor=0)
        commands = self.agent.decide(view)
        shards = [orders.ids for _, orders in ready]
        return per_shard(commands, shards, dict(zip(every.ids, every.units, strict=True)))


class SplitSeason:
    """The scenario in ``shards`` seasons and one logistics agent for all of them, advanced a day at a
    time; ``finish`` merges the shards' outcomes."""

    def __init__(
        self, scenario: Scenario, policy: PolicySet, shards: int, *, runtime: str, ray_address: str | None
    ) -> None:
        parts = split(scenario, shards)
        (logistics,) = [
            agent for agent in build_agents(scenario, policy) if isinstance(agent, LogisticsAgent)
        ]
        self.seasons: Any
        self.logistics: Any
        if runtime == "ray":
            from agents.ray_hosting import ActorGroup  # the only door to Ray

            self.seasons = ActorGroup(
                [functools.partial(_season_in_worker, part, policy) for part in parts], address=ray_address
            )
            self.logistics = ActorGroup([functools.partial(SharedLogistics, logistics)])
        else:
            self.seasons = _Here([Season(part, policy, shared_logistics=True) for part in parts])
            self.logistics = _Here([SharedLogistics(logistics)])
        self.shards = len(parts)
        self._finishing: list[Any] = []  # the calls that end the last day submitted

    def day(self, day: int) -> None:
        """Submit the day's three steps. On Ray the orders ready to ship go from the shards to the
        logistics actor, and each shard's shipments back to it, without passing through this process;
        and this process waits for the day before, not this one, so that each shard goes on to the next
        day as soon as it has applied its shipments (an actor runs its calls in the order sent)."""
        ready = self.seasons.submit("until_cut_off", day)
        (shipments,) = self.logistics.submit("decide", *ready, returns=self.shards)
        done = self.seasons.submit_each("after_cut_off", [(day, own) for own in shipments])
        self.seasons.wait(self._finishing)
        self._finishing = done

    def finish(self) -> SeasonOutcome:
        self.seasons.wait(self._finishing)
        return merge(self.seasons.call("finish"))

    def close(self) -> None:
        self.seasons.close()
        self.logistics.close()


def per_shard(
    commands: Sequence[AgentCommand], shards: Sequence[Sequence[str]], units: dict[str, int]
) -> list[list[AgentCommand]]:
    """Each shard's part of the logistics agent's shipments: the orders of that shard, with the
    shipment's cost and distance shared by units (a shipment within one shard stays as it is)."""
    shard_of = {order_id: k for k, ids in enumerate(shards) for order_id in ids}
    result: list[list[AgentCommand]] = [[] for _ in shards]
    for command in commands:
        if not isinstance(command, DispatchShipment):
            raise TypeError(f"the shared logistics agent sent {type(command).__name__}, not a shipment")
        by_shard: dict[int, list[str]] = {}
        for order_id in command.order_ids:
            by_shard.setdefault(shard_of[order_id], []).append(order_id)
        if len(by_shard) == 1:
            result[next(iter(by_shard))].append(command)
            continue
        total = sum(units[order_id] for order_id in command.order_ids)
        for k, ids in by_shard.items():
            share = sum(units[order_id] for order_id in ids) / total
            part = replace(
                command, order_ids=tuple(ids), distance=command.distance * share, cost=command.cost * share
            )
            result[k].append(part)
    return result


def merge(outcomes: Sequence[SeasonOutcome]) -> SeasonOutcome:
    """The shards' outcomes as one season: ledgers one after the other, costs together, daily series
    summed (the price index averaged over products)."""
    if len(outcomes) == 1:
        return outcomes[0]
    ledger = Ledger()
    series: dict[str, list[float]] = defaultdict(list)
    products = sum(outcome.products for outcome in outcomes)
    for outcome in outcomes:
        _append(ledger, outcome.ledger)
    for key in outcomes[0].series:
        columns = np.array([outcome.series[key] for outcome in outcomes], dtype=float)
        if key in SUMMED_SERIES:
            series[key] = columns.sum(axis=0).tolist()
        else:  # the price index: a mean over products
            weights = np.array([outcome.products for outcome in outcomes], dtype=float)
            series[key] = (weights @ columns / products).tolist()
    costs = [cost for outcome in outcomes for cost in outcome.shipment_costs]
    undelivered = sum(outcome.undelivered for outcome in outcomes)
    return SeasonOutcome(ledger, costs, dict(series), undelivered, products)


# The ledger's per-row columns (lists indexed by row); the per-order dicts are keyed by row or id.
_ROW_COLUMNS = tuple(
    f.name
    for f in fields(Ledger)
    if isinstance(getattr(Ledger(), f.name), list) and f.name != "decision_seconds"
)


def _append(ledger: Ledger, part: Ledger) -> None:
    offset = len(ledger.ids)
    for column in _ROW_COLUMNS:
        getattr(ledger, column).extend(getattr(part, column))
    ledger.last_window.update((row + offset, window) for row, window in part.last_window.items())
    ledger.resumed.update((row + offset, promise) for row, promise in part.resumed.items())
    ledger.row_of.update((order_id, row + offset) for order_id, row in part.row_of.items())
    ledger.units_demanded += part.units_demanded
    for reason, units in part.units_refused.items():
        ledger.refuse(reason, units)
    ledger.decision_seconds.extend(part.decision_seconds)
