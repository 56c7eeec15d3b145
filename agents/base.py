"""What every agent is: a name, and a decision from one market view to a list of engine commands."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from engine.service.commands import AgentCommand
from engine.service.market import MarketView


class Agent(Protocol):
    """An agent. One that reads ``view.ready_orders`` also says when, with ``wants_ready_orders(now)``:
    a tick reads the orders ready to ship (up to tens of thousands) only when some agent will use them,
    and otherwise shows an empty tuple."""

    name: str

    def decide(self, view: MarketView) -> list[AgentCommand]:
        """Commands for this tick. Agents keep their own memory between ticks (velocities, what they
        already announced); they never touch storage."""
        ...


def wants_ready_orders(agent: Agent, now: datetime) -> bool:
    """Whether ``agent`` will read the orders ready to ship at ``now`` (False if it never says)."""
    wants = getattr(agent, "wants_ready_orders", None)
    return bool(wants(now)) if callable(wants) else False
