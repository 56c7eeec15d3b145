"""Where intakes that could not be processed are kept, with their payload (a port; see ports.py)."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime, timedelta


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
    retry_at: datetime | None = None


def retry_delay(attempts: int) -> timedelta:
    """How long a letter that failed ``attempts`` times (the intake itself, then each replay) waits
    before an automatic replay: 5 s after its first failed replay, doubling, at most an hour (a store
    outage is retried promptly; a letter that keeps failing does not crowd out newer ones)."""
    return timedelta(seconds=min(5 * 2 ** min(max(attempts - 2, 0), 20), 3600))


class DeadLetters(abc.ABC):
    """Intakes that could not be processed, kept with their payload outside the failed transaction."""

    @abc.abstractmethod
    def add(
        self, *, account_id: str | None, source: str, payload: str, reason: str, attempts: int
    ) -> int: ...

    @abc.abstractmethod
    def page(
        self, *, limit: int, offset: int = 0, pending_only: bool = True, due_at: datetime | None = None
    ) -> list[DeadLetter]:
        """Oldest first; with ``due_at``, only pending letters whose ``retry_at`` has come by then."""

    @abc.abstractmethod
    def settle(self, letter_id: int, *, outcome: str | None, reason: str | None) -> None:
        """Resolved with ``outcome``; or, with ``outcome`` None, one more failed attempt for ``reason``,
        due again after :func:`retry_delay`."""
