"""Customers after they ordered: they pause, resume and cancel, and each holds one promise.

The promise a customer holds is the one made when they placed the order, or, once they paused it,
the one made when it resumed (by them or at the pause limit): a paused order has no live promise
(the engine's order view says so), and the wait a customer asked for is not the promise's error.
Under the ``naive_promise`` baseline the held promise is the fixed lead time from that day.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

import numpy as np

from engine.domain.errors import DomainError
from engine.domain.promise import Promise
from engine.facade import PreorderEngine
from engine.service.access import Caller
from experiments.simulation.ledger import Ledger
from experiments.simulation.policies import PolicySet
from experiments.simulation.scenario import Scenario

ACCOUNT = "simulation"
CALLER = Caller(ACCOUNT, "simulation", frozenset({"admin"}))


class Customers:
    """Daily pause, resume and cancel decisions of the customers in line, taken through the engine."""

    def __init__(
        self,
        scenario: Scenario,
        policy: PolicySet,
        engine: PreorderEngine,
        ledger: Ledger,
        rng: np.random.Generator,
    ) -> None:
        self.scenario, self.policy, self.engine = scenario, policy, engine
        self.ledger, self.rng = ledger, rng

    def promise(self, day: int, lane_index: int, order: dict[str, Any]) -> tuple[int, int, int]:
        """(availability, earliest, latest) as simulation days: what the customer is told on ``day``
        about the order whose engine view is ``order``."""
        if not self.policy.engine_promise:
            return self._naive(day, lane_index)
        window, day_of = order["delivery_window"], date.fromisoformat
        return self._days(
            day_of(order["expected_availability"]), day_of(window["earliest"]), day_of(window["latest"])
        )

    def promised(
        self, day: int, lane_index: int, promise: Promise, *, from_stock: bool = False
    ) -> tuple[int, int, int]:
        """The same for the engine's ``promise`` itself (what a placement answers with); an order served
        from the shelf is promised from today under the naive baseline too."""
        if not self.policy.engine_promise:
            return self._naive(day, lane_index, lead_days=0 if from_stock else None)
        window = promise.delivery_window
        return self._days(promise.expected_availability, window.earliest, window.latest)

    def _days(self, *days: date) -> tuple[int, int, int]:
        first = self.scenario.start.toordinal()
        availability, earliest, latest = (d.toordinal() - first for d in days)
        return availability, earliest, latest

    def _naive(self, day: int, lane_index: int, lead_days: int | None = None) -> tuple[int, int, int]:
        lane = self.scenario.lanes[lane_index]
        available = day + (self.scenario.policies.naive_lead_time_days if lead_days is None else lead_days)
        handling = lane.handling_days + available
        return (
            available,
            handling + math.floor(lane.transit_days.p10),
            handling + math.ceil(lane.transit_days.p90),
        )

    def act(self, day: int) -> list[int]:
        """Today's cancellations, pauses and resumes; returns the rows cancelled."""
        behaviour, ledger = self.scenario.customers, self.ledger
        cancels = self._pick(
            lambda: ledger.waiting.items + ledger.paused.items, behaviour.cancel_rate_per_day
        )
        pauses = self._pick(lambda: ledger.waiting.items, behaviour.pause_rate_per_day)
        resumes = self._pick(lambda: ledger.paused.items, behaviour.resume_rate_per_day)
        cancelled = []
        for row in sorted(set(cancels)):
            if _try(partial(self.engine.cancel, CALLER, ledger.ids[row], "customer cancelled")) is not None:
                ledger.cancel(row)
                cancelled.append(row)
        for row in pauses:
            if row not in ledger.waiting:
                continue
            if _try(partial(self.engine.pause, CALLER, ledger.ids[row], None)) is not None:
                ledger.waiting.discard(row)
                ledger.paused.add(row)
        for row in resumes:
            if row in ledger.paused:
                order = _try(partial(self.engine.resume, CALLER, ledger.ids[row]))
                if order is not None:
                    ledger.resume(row, day, self.promise(day, ledger.lane[row], order))
        return cancelled

    def resumed_at_limit(self, day: int, order_ids: list[str]) -> None:
        """Orders the engine resumed because their maximum pause ran out: each holds a new promise."""
        for order_id in order_ids:
            row = self.ledger.row_of.get(order_id)
            if row is not None:
                order = self.engine.order(CALLER, order_id)
                self.ledger.resume(row, day, self.promise(day, self.ledger.lane[row], order))

    def _pick(self, line: Callable[[], list[int]], rate: float) -> list[int]:
        """Each row of ``line`` with probability ``rate``; the line is read only when the rate is not
        zero (copying a million-order line every day cost a season's run seconds)."""
        if rate <= 0:
            return []
        rows = line()
        if not rows:
            return []
        count = int(self.rng.binomial(len(rows), rate))
        if count == 0:
            return []
        return [rows[i] for i in self.rng.choice(len(rows), size=count, replace=False).tolist()]


def _try(action: Callable[[], dict[str, Any]]) -> dict[str, Any] | None:
    """The order after the action, or None when the engine refused it."""
    try:
        return action()
    except DomainError:
        return None  # e.g. the order was allocated meanwhile and can no longer be paused
