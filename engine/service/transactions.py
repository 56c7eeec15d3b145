"""Running a use case as one transaction, retried when the store reports a transient conflict."""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import TypeVar

from engine.service.ports import UnitOfWork

T = TypeVar("T")


class StoreUnavailable(Exception):
    """The store kept failing after retries; the caller decides what happens to the intake."""


class TransactionRunner(abc.ABC):
    @abc.abstractmethod
    def run(self, work: Callable[[UnitOfWork], T], *, writes: bool = True, snapshot: bool = True) -> T:
        """Run ``work`` in a fresh unit of work, retrying transient failures; domain errors pass through.

        A read (``writes=False``) sees one snapshot of the store across its statements unless
        ``snapshot`` is false (a read of one statement, or of data that cannot disagree with itself).
        """
