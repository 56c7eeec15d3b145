"""Where intakes that could not be processed are kept, with their payload (a port; see ports.py)."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class DeadLetter:
    id: int
    account_id: str | None
    source: str
    payload: str
    reason: str
    attempts: int
    created_at: datetime
    resolved_at: datetime | None = None
    outcome: str | None = None


class DeadLetters(abc.ABC):
    """Intakes that could not be processed, kept with their payload outside the failed transaction."""

    @abc.abstractmethod
    def add(
        self, *, account_id: str | None, source: str, payload: str, reason: str, attempts: int
    ) -> int: ...

    @abc.abstractmethod
    def page(self, *, limit: int, offset: int = 0, pending_only: bool = True) -> list[DeadLetter]:
        """Oldest first."""

    @abc.abstractmethod
    def settle(self, letter_id: int, *, outcome: str | None, reason: str | None) -> None:
        """Resolved with ``outcome``; or, with ``outcome`` None, one more failed attempt for ``reason``."""
