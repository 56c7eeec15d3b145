"""The pre-order: one order line waiting for supply, with its place in the queue and its promise."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from engine.domain.events import Event, PreorderPlaced
from engine.domain.promise import Promise


class OrderStatus(StrEnum):
    PRE_ORDER = "pre_order"
    PAUSED = "paused"
    ALLOCATED = "allocated"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    OrderStatus.PRE_ORDER: "Pre-Order",
    OrderStatus.PAUSED: "Paused",
    OrderStatus.ALLOCATED: "Allocated",
    OrderStatus.SHIPPED: "Shipped",
    OrderStatus.DELIVERED: "Delivered",
    OrderStatus.CANCELLED: "Cancelled",
}


@dataclass(frozen=True)
class Address:
    country: str
    region: str | None = None
    postal_code: str | None = None
    city: str | None = None
    line1: str | None = None


@dataclass(frozen=True)
class Customer:
    id: str
    email: str
    shipping_address: Address
    name: str | None = None


@dataclass(frozen=True)
class OrderIntent:
    """A canonical order as it enters the engine, whatever channel it came from."""

    sku: str
    quantity: int
    customer: Customer
    channel: str
    external_id: str | None = None


@dataclass
class Preorder:
    id: str
    number: str
    account_id: str
    intent: OrderIntent
    sequence: int
    status: OrderStatus
    unit_price: Decimal
    currency: str
    promise: Promise
    created_at: datetime
    events: list[Event] = field(default_factory=list)

    @classmethod
    def place(
        cls,
        *,
        order_id: str,
        account_id: str,
        intent: OrderIntent,
        sequence: int,
        unit_price: Decimal,
        currency: str,
        promise: Promise,
        now: datetime,
    ) -> Preorder:
        """A new order in the queue at ``sequence``; records ``PreorderPlaced``."""
        order = cls(
            id=order_id,
            number=f"{intent.sku}-{sequence:06d}",
            account_id=account_id,
            intent=intent,
            sequence=sequence,
            status=OrderStatus.PRE_ORDER,
            unit_price=unit_price,
            currency=currency,
            promise=promise,
            created_at=now,
        )
        order.events.append(
            PreorderPlaced(
                order_id=order_id,
                sku=intent.sku,
                quantity=intent.quantity,
                sequence=sequence,
                account_id=account_id,
                channel=intent.channel,
                customer_id=intent.customer.id,
                customer_email=intent.customer.email,
                promise={
                    "expected_availability": promise.expected_availability.isoformat(),
                    "earliest": promise.delivery_window.earliest.isoformat(),
                    "latest": promise.delivery_window.latest.isoformat(),
                    "confidence": promise.delivery_window.confidence,
                    "source": promise.source,
                },
                at=now,
            )
        )
        return order
