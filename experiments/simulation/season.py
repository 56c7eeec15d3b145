"""One season of the simulated world around one engine: the engine on an in-memory store, the world
around it and the agents (in process or as Ray actors), advanced one day at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from agents.logistics import LogisticsAgent
from agents.runtime import AgentRuntime, Decisions
from engine.bootstrap import bootstrap_in_memory
from engine.clock import ManualClock
from engine.config import Settings
from engine.service.commands import AgentCommand
from engine.service.ready_orders import ReadyOrders
from experiments.simulation.ledger import Ledger
from experiments.simulation.policies import PolicySet, build_agents
from experiments.simulation.scenario import Scenario
from experiments.simulation.world import World

RUNTIMES = ("inprocess", "ray")


@dataclass(frozen=True)
class SeasonOutcome:
    """What one season leaves for the KPIs and plots."""

    ledger: Ledger
    shipment_costs: list[float]
    series: dict[str, list[float]]
    undelivered: int
    products: int


def agent_runtime(kind: str, engine: object, agents: list[object], ray_address: str | None) -> AgentRuntime:
    """The agents in this process (``inprocess``) or each as a Ray actor (``ray``)."""
    if kind == "ray":
        from agents.ray_hosting import RayAgentRuntime  # the only door to Ray

        return RayAgentRuntime(engine, agents, address=ray_address)  # type: ignore[arg-type]
    if kind != "inprocess":
        raise ValueError(f"unknown runtime {kind!r}; use one of {', '.join(RUNTIMES)}")
    return AgentRuntime(engine, agents)  # type: ignore[arg-type]


class Season:
    """The engine, the world and the agents of one scenario (or one shard of it) under one policy.

    A shard's season has no logistics agent of its own (``shared_logistics``): one agent serves every
    shard, between ``until_cut_off`` (which returns the orders ready to ship) and ``after_cut_off``."""

    def __init__(
        self,
        scenario: Scenario,
        policy: PolicySet,
        *,
        runtime: str = "inprocess",
        ray_address: str | None = None,
        shared_logistics: bool = False,
    ) -> None:
        start = datetime.combine(scenario.start, datetime.min.time(), tzinfo=UTC)
        settings = Settings(
            window_confidence=scenario.policies.promise_confidence,
            cut_off_hour=scenario.policies.cut_off_hour,
            bootstrap_admin_key=None,
            agent_ready_orders=10**9,  # one tick a day, at the cut-off: it must see every allocated order
        )
        clock = ManualClock(start)
        self.engine = bootstrap_in_memory(settings, clock=clock)
        self.world = World(scenario, policy, self.engine, clock)
        self.world.load()
        agents = build_agents(scenario, policy)
        if shared_logistics:
            agents = [agent for agent in agents if not isinstance(agent, LogisticsAgent)]
        self.host = agent_runtime(runtime, self.engine, list(agents), ray_address)
        self._decided: Decisions | None = None

    def day(self, day: int) -> None:
        self.world.day(day, self.host)

    def until_cut_off(self, day: int) -> tuple[datetime, ReadyOrders]:
        """The day up to the cut-off, and this season's agents' decisions on its view; returns the
        time and the orders ready to ship, for the logistics agent the shards share."""
        self.world.until_cut_off(day)
        self._decided = self.host.decide(ready_orders=True)
        ready = self._decided.view.ready_orders
        assert isinstance(ready, ReadyOrders)  # what the engine's view holds
        return self._decided.view.now, ready

    def after_cut_off(self, day: int, shipments: list[AgentCommand]) -> None:
        """Apply this season's agents' decisions, then the shared logistics agent's ``shipments``."""
        if self._decided is None:
            raise RuntimeError("after_cut_off before until_cut_off")
        report = self.host.apply(self._decided, then=[("logistics", shipments)])
        self._decided = None
        self.world.shipped(day, report.moved_orders)

    def finish(self) -> SeasonOutcome:
        """Release the agents and hand over what the season recorded."""
        self.close()
        world = self.world
        costs = [shipment.cost for shipment in self.engine.shipments(limit=10**9)]
        return SeasonOutcome(
            world.ledger, costs, dict(world.series), world.undelivered(), len(world.scenario.products)
        )

    def close(self) -> None:
        self.host.close()
