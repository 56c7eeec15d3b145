"""Domain events (past tense). Each is stored with the change that raised it, in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, ClassVar

_AS_IS = frozenset({str, int, float, bool, type(None)})


@dataclass(frozen=True)
class Event:
    name: ClassVar[str] = "event"

    def payload(self) -> dict[str, Any]:
        """The event as plain JSON-ready values; computed once (the outbox and the order's history
        both store it), so treat it as read-only."""
        cached: dict[str, Any] | None = self.__dict__.get("_payload")
        if cached is None:
            values = self.__dict__  # plain values as they are, without a call for each
            cached = {
                name: value if type(value) in _AS_IS else _plain(value)
                for name in _field_names(type(self))
                for value in (values[name],)
            }
            object.__setattr__(self, "_payload", cached)  # a cache, not a field: equality is unchanged
        return cached


_FIELD_NAMES: dict[type[Event], tuple[str, ...]] = {}


def _field_names(kind: type[Event]) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(kind))
    return names


def _plain(value: Any) -> Any:
    if type(value) in _AS_IS:
        return value
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class PreorderPlaced(Event):
    name: ClassVar[str] = "preorder_placed"
    order_id: str
    sku: str
    quantity: int
    sequence: int
    account_id: str
    channel: str
    customer_id: str
    customer_email: str
    promise: dict[str, Any]
    at: datetime


@dataclass(frozen=True)
class ProductChanged(Event):
    name: ClassVar[str] = "product_changed"
    sku: str
    at: datetime


@dataclass(frozen=True)
class SupplyPlanReplaced(Event):
    name: ClassVar[str] = "supply_plan_replaced"
    sku: str
    version: int
    at: datetime


@dataclass(frozen=True)
class LanesReplaced(Event):
    name: ClassVar[str] = "lanes_replaced"
    count: int
    at: datetime


@dataclass(frozen=True)
class PreorderPaused(Event):
    name: ClassVar[str] = "preorder_paused"
    order_id: str
    reason: str | None
    resume_by: datetime | None
    at: datetime


@dataclass(frozen=True)
class PreorderResumed(Event):
    name: ClassVar[str] = "preorder_resumed"
    order_id: str
    cause: str
    at: datetime


@dataclass(frozen=True)
class PreorderCancelled(Event):
    name: ClassVar[str] = "preorder_cancelled"
    order_id: str
    reason: str | None
    previous_status: str
    at: datetime
    sku: str
    quantity: int


@dataclass(frozen=True)
class PreorderAllocated(Event):
    name: ClassVar[str] = "preorder_allocated"
    order_id: str
    quantity: int
    receipt: str
    at: datetime


@dataclass(frozen=True)
class SupplyReceived(Event):
    name: ClassVar[str] = "supply_received"
    sku: str
    reference: str
    quantity: int
    lot_id: str | None
    allocated_orders: int
    left_on_hand: int
    at: datetime


@dataclass(frozen=True)
class PromisesChanged(Event):
    """One outbox message per re-promise: the notifier tells each listed customer."""

    name: ClassVar[str] = "promises_changed"
    sku: str
    cause: str
    order_ids: tuple[str, ...]
    at: datetime


@dataclass(frozen=True)
class PreorderShipped(Event):
    name: ClassVar[str] = "preorder_shipped"
    order_id: str
    shipment_id: str
    cause: str
    at: datetime


@dataclass(frozen=True)
class PreorderDelivered(Event):
    name: ClassVar[str] = "preorder_delivered"
    order_id: str
    at: datetime


@dataclass(frozen=True)
class DecisionTaken(Event):
    """An agent changed something (or recommends it), with its reason."""

    name: ClassVar[str] = "decision_taken"
    agent: str
    kind: str
    sku: str | None
    reason: str
    data: dict[str, Any]
    at: datetime
