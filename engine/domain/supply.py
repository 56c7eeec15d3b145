"""The supply plan: production runs and purchase orders that will arrive, and what lies beyond them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cached_property


class LotKind(StrEnum):
    RUN = "run"
    PURCHASE_ORDER = "purchase_order"


@dataclass(frozen=True)
class SupplyLot:
    """Units expected on ``expected_date``; ``spread_days`` is the standard deviation of that date."""

    id: str
    kind: LotKind
    quantity: int
    expected_date: date
    spread_days: float = 0.0
    supplier: str | None = None
    facility: str | None = None


@dataclass(frozen=True)
class BeyondPlan:
    """How an open-ended product is promised past its planned lots: daily capacity or a lead time."""

    capacity_per_day: int | None = None
    lead_time_days: int | None = None
    spread_days: float = 0.0


@dataclass(frozen=True)
class SupplyPlan:
    sku: str
    version: int = 0
    lots: tuple[SupplyLot, ...] = field(default_factory=tuple)
    beyond_plan: BeyondPlan | None = None

    def ladder(self) -> tuple[SupplyLot, ...]:
        """Lots with outstanding units in the order they are expected (ties keep plan order)."""
        return self._ladder

    # A plan is immutable, so both are computed once per plan (the market view reads every plan, every tick).
    @cached_property
    def _ladder(self) -> tuple[SupplyLot, ...]:
        return tuple(
            sorted((lot for lot in self.lots if lot.quantity > 0), key=lambda lot: lot.expected_date)
        )

    @cached_property
    def planned_units(self) -> int:
        return sum(lot.quantity for lot in self.lots)
