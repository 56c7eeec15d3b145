"""Commands (imperative): what a caller asks the engine to do."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine.domain.catalog import Product
from engine.domain.lanes import Lane
from engine.domain.orders import OrderIntent
from engine.domain.supply import SupplyPlan


@dataclass(frozen=True)
class PlacePreorder:
    account_id: str
    intent: OrderIntent
    idempotency_key: str | None = None
    dead_letter_id: int | None = None  # a replay of this letter: one order per letter, however many replays


@dataclass(frozen=True)
class PutProduct:
    product: Product


@dataclass(frozen=True)
class ReplaceSupplyPlan:
    plan: SupplyPlan


@dataclass(frozen=True)
class ReplaceLanes:
    lanes: tuple[Lane, ...]


@dataclass(frozen=True)
class LoadCatalog:
    """Products, their supply plans and lanes, loaded in one transaction."""

    products: tuple[PutProduct, ...]
    plans: tuple[ReplaceSupplyPlan, ...]
    lanes: ReplaceLanes | None
    only_into_empty: bool = False  # load nothing if the catalog already has a product (demo data)


# --- what agents ask for (applied through the engine, each with its reason) -------------------------
@dataclass(frozen=True)
class SetPrice:
    """A new price for orders placed from now on; confirmed orders keep theirs."""

    sku: str
    price: Decimal
    reason: str


@dataclass(frozen=True)
class SetChannelQuotas:
    """Shares of an exclusive run per channel; intake refuses a channel past its share."""

    sku: str
    quotas: tuple[tuple[str, int], ...]
    reason: str


@dataclass(frozen=True)
class RecommendProduction:
    """Advice only: the forecast and the supply plan disagree."""

    sku: str
    recommended_units: int
    planned_units: int
    reason: str


@dataclass(frozen=True)
class DispatchShipment:
    """Allocated orders leave together on one vehicle, in route order."""

    shipment_id: str
    order_ids: tuple[str, ...]
    vehicle: str
    region: str
    distance: float
    cost: float
    reason: str


@dataclass(frozen=True)
class MarkDelivered:
    order_ids: tuple[str, ...]


@dataclass(frozen=True)
class ReplayDeadLetters:
    """Place again what the store could not take (the intake agent asks when letters are pending)."""

    limit: int
    reason: str


AgentCommand = (
    SetPrice | SetChannelQuotas | RecommendProduction | DispatchShipment | MarkDelivered | ReplayDeadLetters
)
