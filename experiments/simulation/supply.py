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

    The plan states ``planned_day`` with ``spread_days`` of uncertainty (what the engine promises
    from); the world draws the arrival from that same spread, plus a slip that the supplier announces
    on ``announce_day`` by moving the planned day to ``slipped_day``.
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


def _slip_days(slip: SlipIn, rng: np.random.Generator) -> int:
    if slip.probability <= 0 or slip.mean_days <= 0 or rng.random() >= slip.probability:
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
    """Draw the lot's fate; nothing arrives before tomorrow's morning (``today + 1``) unless planned so."""
    noise = round(rng.normal(0.0, spread_days)) if spread_days > 0 else 0
    slipped = planned_day + _slip_days(slip, rng)
    arrival = max(slipped + noise, today + 1 if planned_day > today else today)
    announce = None
    if slipped != planned_day:
        announce = max(today, min(planned_day - slip.notice_days, arrival - 1))
    return LotFate(
        sku, lot_id, kind, quantity, supplier, planned_day, spread_days, announce, slipped, arrival
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
