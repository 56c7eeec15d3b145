"""The pre-order: one order line waiting for supply, with its place in the queue and its promise."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from engine.domain.errors import InvalidTransition
from engine.domain.events import (
    Event,
    PreorderAllocated,
    PreorderCancelled,
    PreorderPaused,
    PreorderPlaced,
    PreorderResumed,
)
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

    @property
    def queued(self) -> bool:
        """Waiting for supply: holds a place that counts ahead of later orders."""
        return self in (OrderStatus.PRE_ORDER, OrderStatus.PAUSED)


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
    paused_at: datetime | None = None
    resume_by: datetime | None = None
    resumed_at: datetime | None = None
    conflict: str | None = None
    conflict_days: int = 0
    first_latest: date | None = None  # the latest delivery date first promised
    events: list[Event] = field(default_factory=list)

    def _refuse(self, action: str) -> InvalidTransition:
        return InvalidTransition(
            f"cannot {action} an order that is {self.status.value}",
            current_status=self.status.value,
            action=action,
        )

    def pause(self, now: datetime, *, reason: str | None, max_pause_days: int | None) -> bool:
        """Pause a waiting order; it keeps its sequence. False when it was already paused."""
        if self.status is OrderStatus.PAUSED:
            return False
        if self.status is not OrderStatus.PRE_ORDER:
            raise self._refuse("pause")
        self.status = OrderStatus.PAUSED
        self.paused_at = now
        self.resume_by = None if max_pause_days is None else now + timedelta(days=max_pause_days)
        self.events.append(PreorderPaused(self.id, reason, self.resume_by, now))
        return True

    def resume(self, now: datetime, *, cause: str = "customer resumed") -> bool:
        """Back in line with the same sequence. False when a resume already took effect."""
        if self.status is OrderStatus.PRE_ORDER and self.resumed_at is not None:
            return False
        if self.status is not OrderStatus.PAUSED:
            raise self._refuse("resume")
        self.status = OrderStatus.PRE_ORDER
        self.paused_at = None
        self.resume_by = None
        self.resumed_at = now
        self.events.append(PreorderResumed(self.id, cause, now))
        return True

    def allocate(self, now: datetime, *, receipt: str) -> None:
        """Units were assigned to this waiting order: it is ready to ship."""
        if self.status is not OrderStatus.PRE_ORDER:
            raise self._refuse("allocate")
        self.status = OrderStatus.ALLOCATED
        self.events.append(PreorderAllocated(self.id, self.intent.quantity, receipt, now))

    def cancel(self, now: datetime, *, reason: str | None) -> OrderStatus | None:
        """Cancel before shipping; returns the status it left (None when already cancelled)."""
        if self.status is OrderStatus.CANCELLED:
            return None
        if self.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
            raise self._refuse("cancel")
        previous = self.status
        self.status = OrderStatus.CANCELLED
        self.paused_at = None
        self.resume_by = None
        self.conflict = None
        self.events.append(
            PreorderCancelled(self.id, reason, previous.value, now, self.intent.sku, self.intent.quantity)
        )
        return previous

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
