"""The public shape of an order, as plain JSON-ready data (also what an idempotent replay returns)."""

from __future__ import annotations

from typing import Any

from engine.domain.orders import Preorder


def order_view(order: Preorder, *, orders_ahead: int, units_ahead: int) -> dict[str, Any]:
    intent, promise = order.intent, order.promise
    address = intent.customer.shipping_address
    return {
        "id": order.id,
        "number": order.number,
        "status": order.status.value,
        "status_label": order.status.label,
        "sku": intent.sku,
        "quantity": intent.quantity,
        "unit_price": str(order.unit_price),
        "currency": order.currency,
        "channel": intent.channel,
        "external_id": intent.external_id,
        "customer": {
            "id": intent.customer.id,
            "email": intent.customer.email,
            "name": intent.customer.name,
            "shipping_address": {
                "country": address.country,
                "region": address.region,
                "postal_code": address.postal_code,
                "city": address.city,
                "line1": address.line1,
            },
        },
        "queue_position": orders_ahead + 1,
        "units_ahead": units_ahead,
        "expected_availability": promise.expected_availability.isoformat(),
        "delivery_window": {
            "earliest": promise.delivery_window.earliest.isoformat(),
            "latest": promise.delivery_window.latest.isoformat(),
            "confidence": promise.delivery_window.confidence,
        },
        "promise_source": promise.source,
        "created_at": order.created_at.isoformat().replace("+00:00", "Z"),
    }
