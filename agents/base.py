"""What every agent is: a name, and a decision from one market view to a list of engine commands."""

from __future__ import annotations

from typing import Protocol

from engine.service.commands import AgentCommand
from engine.service.market import MarketView


class Agent(Protocol):
    name: str

    def decide(self, view: MarketView) -> list[AgentCommand]:
        """Commands for this tick. Agents keep their own memory between ticks (velocities, what they
        already announced); they never touch storage."""
        ...
