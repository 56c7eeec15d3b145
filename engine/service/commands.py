"""Commands (imperative): what a caller asks the engine to do."""

from __future__ import annotations

from dataclasses import dataclass

from engine.domain.catalog import Product
from engine.domain.lanes import Lane
from engine.domain.orders import OrderIntent
from engine.domain.supply import SupplyPlan


@dataclass(frozen=True)
class PlacePreorder:
    account_id: str
    intent: OrderIntent
    idempotency_key: str | None = None


@dataclass(frozen=True)
class PutProduct:
    product: Product


@dataclass(frozen=True)
class ReplaceSupplyPlan:
    plan: SupplyPlan


@dataclass(frozen=True)
class ReplaceLanes:
    lanes: tuple[Lane, ...]
