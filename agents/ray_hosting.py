"""The one module that knows Ray: agents as actors, one call per agent per tick, results as commands;
and any plain objects (a simulation's shards) as actors called together, one call each per step.

The policy classes are unchanged; a small facade hides ``ObjectRef``s, sets timeouts and turns Ray
failures into a clear error.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Sequence
from typing import Any

import ray

from agents.base import Agent
from agents.runtime import AgentRuntime, AgentsUnavailable
from engine.facade import PreorderEngine
from engine.reachability import not_grpc, unreachable
from engine.service.commands import AgentCommand
from engine.service.market import MarketView

__all__ = ["ActorGroup", "AgentsUnavailable", "RayAgentRuntime", "start_ray"]


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


def start_ray(address: str | None = None, *, connect_timeout_s: float = 5.0) -> None:
    """Join the cluster at ``address`` (or ``RAY_ADDRESS``), else start a local one sized for this
    machine; :class:`AgentsUnavailable` says why when that fails. A ``host:port`` address nobody
    listens on fails within ``connect_timeout_s`` (Ray itself would keep retrying for minutes)."""
    if ray.is_initialized():
        return
    address = address or os.environ.get("RAY_ADDRESS")
    if address:
        _check_listening(address, connect_timeout_s)
    try:
        if address:
            ray.init(address=address, include_dashboard=False, log_to_driver=False)
        else:
            ray.init(num_cpus=os.cpu_count() or 2, include_dashboard=False, log_to_driver=False)
    except (ConnectionError, RuntimeError, ValueError) as failure:  # what ray.init raises on a bad address
        where = f"the Ray cluster at {address}" if address else "a local Ray"
        raise AgentsUnavailable(f"cannot start agents on {where}: {failure}") from failure


def _check_listening(address: str, timeout_s: float) -> None:
    """Nothing for addresses Ray resolves itself (``auto``, ``local``); for ``[ray://]host:port``, a
    TCP connection and a gRPC greeting, or :class:`AgentsUnavailable`. Ray's own client waits about
    40 s before it gives up on a port where some other service listens."""
    host, colon, port = address.removeprefix("ray://").rpartition(":")
    if not colon or not port.isdigit():
        return
    reason = unreachable(host, int(port), timeout_s=timeout_s)
    if reason is not None:
        raise AgentsUnavailable(f"no Ray cluster answers at {address}: {reason}")
    if os.environ.get("RAY_USE_TLS", "0").lower() in ("0", "false", ""):  # TLS: the greeting is encrypted
        reason = not_grpc(host, int(port), timeout_s=timeout_s)
        if reason is not None:
            raise AgentsUnavailable(f"what listens at {address} is not a Ray cluster: {reason}")


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
        return _gather(
            [actor.decide.remote(refs[id(seen)]) for actor, seen in zip(self.actors, views, strict=True)],
            self.timeout_s,
        )

    def close(self) -> None:
        self.actors = _killed(self.actors)


def _gather(calls: list[Any], timeout_s: float) -> list[Any]:
    """The answers of ``calls`` in order, or :class:`AgentsUnavailable` saying why there are none."""
    try:
        return list(ray.get(calls, timeout=timeout_s))
    except (ray.exceptions.GetTimeoutError, ray.exceptions.RayError) as failure:
        raise AgentsUnavailable(f"actors on Ray failed or did not answer: {failure}") from failure


def _killed(actors: list[Any]) -> list[Any]:
    for actor in actors:
        ray.kill(actor)
    return []


class _Hosted:
    """Hosts one plain object built in the actor; its memory lives there between calls."""

    def __init__(self, build: Callable[[], Any]) -> None:
        gc.freeze()  # as in AgentActor: calls bring large batches (a day's orders ready to ship)
        gc.set_threshold(50_000, 20, 100)
        self.target = build()

    def call(self, method: str, *args: Any) -> Any:
        return getattr(self.target, method)(*args)

    def call_returning(self, count: int, method: str, *args: Any) -> Any:
        """``call`` for a method that returns a sequence of ``count`` values, each its own Ray object."""
        values = tuple(self.call(method, *args))
        if len(values) != count:
            raise ValueError(f"{method} returned {len(values)} values, not {count}")
        return values if count > 1 else values[0]


class ActorGroup:
    """Objects built by ``builders``, each in its own actor (spread over the cluster's nodes), called
    together: ``call`` runs a method on all of them at once and returns their answers in order.

    ``submit`` starts the calls and returns their answers still in the actors (opaque handles): passed
    as arguments to another call of a group, they go from actor to actor without passing through this
    process, and that call waits for them; ``wait`` waits for handles without reading them."""

    def __init__(
        self, builders: Sequence[Callable[[], Any]], *, address: str | None = None, timeout_s: float = 900.0
    ) -> None:
        start_ray(address)
        self.timeout_s = timeout_s
        remote = ray.remote(num_cpus=0)(_Hosted).options(scheduling_strategy="SPREAD")
        self.actors: list[Any] = [remote.remote(build) for build in builders]

    def call(self, method: str, *args: Any) -> list[Any]:
        return self.call_each(method, [args] * len(self.actors))

    def call_each(self, method: str, args: Sequence[tuple[Any, ...]]) -> list[Any]:
        """``method`` on every object at once, each with its own arguments."""
        return _gather(self.submit_each(method, args), self.timeout_s)

    def submit(self, method: str, *args: Any, returns: int | None = None) -> list[Any]:
        return self.submit_each(method, [args] * len(self.actors), returns=returns)

    def submit_each(
        self, method: str, args: Sequence[tuple[Any, ...]], *, returns: int | None = None
    ) -> list[Any]:
        """Start ``method`` on every object, each with its own arguments: one handle per object; or,
        for a method that returns a sequence of ``returns`` values, a list of as many handles."""
        if returns is None:
            return [actor.call.remote(method, *own) for actor, own in zip(self.actors, args, strict=True)]
        calls = [
            actor.call_returning.options(num_returns=returns).remote(returns, method, *own)
            for actor, own in zip(self.actors, args, strict=True)
        ]
        return [list(handles) if returns > 1 else [handles] for handles in calls]

    def wait(self, handles: Sequence[Any]) -> None:
        """Until the calls behind ``handles`` are done (or one failed: :class:`AgentsUnavailable`)."""
        _gather(list(handles), self.timeout_s)

    def close(self) -> None:
        self.actors = _killed(self.actors)
