"""The intake agent: nothing lost — intakes the store could not take are placed again, every tick."""

from __future__ import annotations

from dataclasses import dataclass

from engine.service.commands import AgentCommand, ReplayDeadLetters
from engine.service.market import MarketView


@dataclass
class IntakeAgent:
    batch: int = 100
    name: str = "intake"

    def decide(self, view: MarketView) -> list[AgentCommand]:
        if not view.dead_letters_pending:
            return []
        reason = f"{view.dead_letters_pending} intakes are waiting in the dead-letter queue"
        return [ReplayDeadLetters(min(self.batch, view.dead_letters_pending), reason)]
