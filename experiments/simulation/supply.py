"""Supply in the simulated world: when planned lots really arrive, which slip, and what replenishment
orders a supplier-led (open-ended) product raises."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.domain.supply import LotKind
from experiments.simulation.scenario import LotIn, ReplenishIn, SlipIn


@dataclass(frozen=True)
class LotFate:
    """One lot's plan and what really happens to it.

    The lot's timing noise is Normal(0, ``spread_days``) around its planned day (rounded to a whole
    day) plus a slip drawn from the scenario's slip model. Until the supplier knows whether it slips,
    the plan the engine gets states ``stated_day`` with ``stated_spread``: the planned day moved by the
    expected slip, and a spread holding the noise and the slip's variance (the root-mean-square
    distance between the stated day and the real arrival), so the engine promises from the same
    uncertainty the world draws from. On ``announce_day`` the supplier confirms the lot: the plan then
    states ``slipped_day`` (the planned day if it does not slip) with the noise ``spread_days`` alone.
    ``announce_day`` is None when there is nothing to confirm (no slip risk, or already known when
    the lot was planned, in which case the stated day and spread are already the confirmed ones).
    """

    sku: int
    id: str
    kind: LotKind
    quantity: int
    supplier: str | None
    planned_day: int
    spread_days: float
    announce_day: int | None
    slipped_day: int
    arrival_day: int
    stated_day: int
    stated_spread: float


def _at_risk(slip: SlipIn) -> bool:
    return slip.probability > 0 and slip.mean_days > 0


def slip_moments(slip: SlipIn) -> tuple[float, float]:
    """Mean (days) and variance (days²) of the slip :func:`realise` draws.

    A lot slips with ``probability`` by ``max(1, ceil(Exp(mean_days)))`` days; the ceiling of an
    exponential is geometric on 1, 2, … with ratio q = exp(−1 / mean_days).
    """
    if not _at_risk(slip):
        return 0.0, 0.0
    q = math.exp(-1.0 / slip.mean_days)
    first = 1.0 / (1.0 - q)
    second = (1.0 + q) / (1.0 - q) ** 2
    mean = slip.probability * first
    return mean, slip.probability * second - mean**2


def stated_before_notice(planned_day: int, spread_days: float, slip: SlipIn) -> tuple[int, float]:
    """The day and spread a plan honestly states for a lot whose slip is not known yet."""
    mean, variance = slip_moments(slip)
    day = planned_day + round(mean)
    bias = planned_day + mean - day  # what rounding the day to a whole day leaves of the mean slip
    return day, math.sqrt(spread_days**2 + variance + bias**2)


def _slip_days(slip: SlipIn, rng: np.random.Generator) -> int:
    if not _at_risk(slip) or rng.random() >= slip.probability:
        return 0
    return max(1, math.ceil(rng.exponential(slip.mean_days)))


def realise(
    *,
    sku: int,
    lot_id: str,
    kind: LotKind,
    quantity: int,
    supplier: str | None,
    planned_day: int,
    spread_days: float,
    slip: SlipIn,
    today: int,
    rng: np.random.Generator,
) -> LotFate:
    """Draw the lot's fate; nothing arrives before tomorrow's morning (``today + 1``) unless planned so.

    The supplier knows whether the lot slips ``slip.notice_days`` before the planned day (and always
    before it arrives); a lot with slip risk is confirmed or moved then.
    """
    noise = round(rng.normal(0.0, spread_days)) if spread_days > 0 else 0
    slipped = planned_day + _slip_days(slip, rng)
    arrival = max(slipped + noise, today + 1 if planned_day > today else today)
    known = max(today, min(planned_day - slip.notice_days, arrival - 1))
    announce: int | None = None
    stated_day, stated_spread = slipped, spread_days
    if _at_risk(slip) and known > today:
        announce = known
        stated_day, stated_spread = stated_before_notice(planned_day, spread_days, slip)
    return LotFate(
        sku,
        lot_id,
        kind,
        quantity,
        supplier,
        planned_day,
        spread_days,
        announce,
        slipped,
        arrival,
        stated_day,
        stated_spread,
    )


def realise_planned(sku: int, lot: LotIn, kind: LotKind, rng: np.random.Generator) -> LotFate:
    return realise(
        sku=sku,
        lot_id=lot.id,
        kind=kind,
        quantity=lot.quantity,
        supplier=lot.supplier or ("factory" if kind is LotKind.RUN else "supplier"),
        planned_day=lot.day,
        spread_days=lot.spread_days,
        slip=lot.slip,
        today=0,
        rng=rng,
    )


@dataclass
class Replenisher:
    """A base-stock supplier policy for an open-ended product: every review, order up to the demand
    expected over lead time, review period and safety days, net of stock and orders on the way."""

    sku: int
    rule: ReplenishIn
    received: int = 0
    on_order: int = 0
    raised: int = 0

    def order(self, day: int, *, net_units_sold: int, recent_units_per_day: float) -> int:
        """Units to order today (0 outside review days or when the position covers the target)."""
        if day % self.rule.review_every_days:
            return 0
        cover = self.rule.lead_time_days + self.rule.review_every_days + self.rule.safety_days
        target = recent_units_per_day * cover
        position = self.received + self.on_order - net_units_sold
        quantity = math.ceil(target - position)
        if quantity <= 0:
            return 0
        self.on_order += quantity
        self.raised += 1
        return quantity

    def fate(self, quantity: int, day: int, rng: np.random.Generator, sku_code: str) -> LotFate:
        return realise(
            sku=self.sku,
            lot_id=f"PO-{day:04d}",
            kind=LotKind.PURCHASE_ORDER,
            quantity=quantity,
            supplier=f"supplier-of-{sku_code}"[:100],
            planned_day=day + self.rule.lead_time_days,
            spread_days=self.rule.spread_days,
            slip=self.rule.slip,
            today=day,
            rng=rng,
        )
