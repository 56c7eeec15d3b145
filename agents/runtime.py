"""Running agents: each tick, one market view for all of them, their commands applied through the engine."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from agents.base import Agent, wants_ready_orders
from engine.facade import PreorderEngine
from engine.service.commands import AgentCommand
from engine.service.market import MarketView

log = logging.getLogger(__name__)


class AgentsUnavailable(RuntimeError):
    """The agents' cluster cannot be reached or did not answer in time, or an agent's actor failed."""


@dataclass
class TickReport:
    commands: dict[str, int] = field(default_factory=dict)  # agent -> commands issued
    moved_orders: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Decisions:
    """A tick's view and what each agent decided on it, not yet applied."""

    view: MarketView
    commands: list[list[AgentCommand]]


class AgentRuntime:
    """Agents in this process. Subclasses decide elsewhere (``agents.ray_hosting``) with the same loop."""

    kind = "inprocess"

    def __init__(self, engine: PreorderEngine, agents: Sequence[Agent], *, cursor: int = 0) -> None:
        self.engine = engine
        self.agents = list(agents)
        self.cursor = cursor

    def decide_all(self, view: MarketView) -> list[list[AgentCommand]]:
        return [_decide(agent, seen) for agent, seen in zip(self.agents, self.views(view), strict=True)]

    def views(self, view: MarketView) -> list[MarketView]:
        """Each agent's view of the tick: the orders ready to ship only for an agent that reads them
        now (on Ray, the other actors need not unpickle up to a day's hundred thousand of them)."""
        if not view.ready_orders:
            return [view] * len(self.agents)
        without = replace(view, ready_orders=())
        return [view if wants_ready_orders(agent, view.now) else without for agent in self.agents]

    def tick(self) -> TickReport:
        return self.apply(self.decide())

    def decide(self, *, ready_orders: bool = False) -> Decisions:
        """Read the tick's view (with the orders ready to ship if some agent here will read them, or if
        ``ready_orders`` says an agent elsewhere will) and let every agent decide on it."""
        # Agents hosted elsewhere answer from this process's copies: a copy whose memory lags (logistics
        # on Ray does not know it already shipped today) errs towards reading the orders.
        now = self.engine.clock.now()
        ready = ready_orders or any(wants_ready_orders(agent, now) for agent in self.agents)
        view = self.engine.market_view(self.cursor, ready_orders=ready)
        return Decisions(view, self.decide_all(view))

    def apply(
        self, decisions: Decisions, *, then: Sequence[tuple[str, list[AgentCommand]]] = ()
    ) -> TickReport:
        """Apply each agent's commands in turn, then ``then``: (agent name, commands) decided elsewhere."""
        report = TickReport()
        names = [agent.name for agent in self.agents]
        for name, commands in [*zip(names, decisions.commands, strict=True), *then]:
            report.commands[name] = len(commands)
            report.moved_orders += self.engine.apply(name, commands)
        self.cursor = decisions.view.cursor
        return report

    def close(self) -> None:
        """Nothing to release in process."""


def _decide(agent: Agent, view: MarketView) -> list[AgentCommand]:
    """One agent's failure costs its own tick only: the others still act."""
    try:
        return agent.decide(view)
    except Exception:
        log.exception("agent %s failed this tick", agent.name)
        return []


class Ticker:
    """Ticks a runtime every ``seconds`` on a background thread until stopped (for ``preorder serve``)."""

    def __init__(self, runtime: AgentRuntime, seconds: float) -> None:
        self.runtime = runtime
        self.seconds = seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="agents", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.seconds):
            try:
                report = self.runtime.tick()
                if any(report.commands.values()):
                    log.info("agents acted: %s", report.commands)
            except Exception:  # the next tick tries again; a failed tick changes nothing
                log.exception("agent tick failed")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        self.runtime.close()
