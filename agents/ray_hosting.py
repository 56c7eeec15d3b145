"""The one module that knows Ray: agents as actors, one call per agent per tick, results as commands.

The policy classes are unchanged; a small facade hides ``ObjectRef``s, sets timeouts and turns Ray
failures into a clear error.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Sequence
from typing import Any

import ray

from agents.base import Agent
from agents.runtime import AgentRuntime
from engine.facade import PreorderEngine
from engine.service.commands import AgentCommand
from engine.service.market import MarketView


class AgentsUnavailable(RuntimeError):
    """The Ray cluster did not answer in time."""


class AgentActor:
    """Hosts one policy object; its memory lives in the actor between ticks."""

    def __init__(self, agent: Agent) -> None:
        self.agent = agent
        # An actor unpickles a whole market view every tick (every product, every order ready to
        # ship): the cycle collector's default thresholds would walk those objects again and again.
        gc.freeze()
        gc.set_threshold(50_000, 20, 100)

    def decide(self, view: MarketView) -> list[AgentCommand]:
        return self.agent.decide(view)

    def state(self) -> Agent:
        return self.agent


def start_ray(address: str | None = None) -> None:
    """Join the cluster at ``address`` (or ``RAY_ADDRESS``), else start a local one sized for this machine."""
    if ray.is_initialized():
        return
    address = address or os.environ.get("RAY_ADDRESS")
    if address:
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
    else:
        ray.init(num_cpus=os.cpu_count() or 2, include_dashboard=False, log_to_driver=False)


class RayAgentRuntime(AgentRuntime):
    kind = "ray"

    def __init__(
        self,
        engine: PreorderEngine,
        agents: Sequence[Agent],
        *,
        cursor: int = 0,
        address: str | None = None,
        timeout_s: float = 120.0,
    ) -> None:
        super().__init__(engine, agents, cursor=cursor)
        start_ray(address)
        self.timeout_s = timeout_s
        remote = ray.remote(num_cpus=0)(AgentActor)
        self.actors: list[Any] = [remote.remote(agent) for agent in self.agents]

    def decide_all(self, view: MarketView) -> list[list[AgentCommand]]:
        views = self.views(view)
        distinct = {id(seen): seen for seen in views}
        refs = {key: ray.put(seen) for key, seen in distinct.items()}  # one copy of each for all actors
        try:
            calls = [
                actor.decide.remote(refs[id(seen)]) for actor, seen in zip(self.actors, views, strict=True)
            ]
            return list(ray.get(calls, timeout=self.timeout_s))
        except (ray.exceptions.GetTimeoutError, ray.exceptions.RayError) as failure:
            raise AgentsUnavailable(f"agents on Ray did not answer: {failure}") from failure

    def close(self) -> None:
        for actor in self.actors:
            ray.kill(actor)
        self.actors = []
