"""An order ready to ship, as the logistics agent reads it: what a parcel needs, nothing more; and an
order's state, as shipping and delivery check it before they move the order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from engine.domain.orders import OrderStatus, Preorder


class OrderState(NamedTuple):
    id: str
    sku: str
    quantity: int
    status: OrderStatus


@dataclass(frozen=True)
class ReadyOrder:
    id: str
    sku: str
    units: int
    customer_id: str
    country: str
    region: str | None
    postal_code: str | None
    due_day: int  # proleptic ordinal of the promised latest delivery date

    @classmethod
    def of(cls, order: Preorder) -> ReadyOrder:
        address = order.intent.customer.shipping_address
        return cls(
            order.id,
            order.intent.sku,
            order.intent.quantity,
            order.intent.customer.id,
            address.country,
            address.region,
            address.postal_code,
            order.promise.delivery_window.latest.toordinal(),
        )
