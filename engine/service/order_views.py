"""The public shape of an order, as plain JSON-ready data (also what an idempotent replay returns)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from engine.domain.orders import OrderStatus, Preorder
from engine.domain.promise import Promise


def stamp(moment: datetime | None) -> str | None:
    """UTC time as the API shows it: ISO 8601 with a trailing Z."""
    if moment is None:
        return None
    return (moment.astimezone(UTC) if moment.tzinfo else moment).isoformat().replace("+00:00", "Z")


def promise_body(promise: Promise) -> dict[str, Any]:
    """A promise as the API shows it: expected availability and the delivery window."""
    window = promise.delivery_window
    return {
        "expected_availability": promise.expected_availability.isoformat(),
        "delivery_window": {
            "earliest": window.earliest.isoformat(),
            "latest": window.latest.isoformat(),
            "confidence": window.confidence,
        },
    }


def order_view(order: Preorder, *, orders_ahead: int | None, units_ahead: int | None) -> dict[str, Any]:
    """The order as its owner sees it. A paused order has no live promise: it shows the one it
    would have on resuming. Orders no longer in line have no queue position."""
    intent, promise = order.intent, order.promise
    address = intent.customer.shipping_address
    promised = promise_body(promise)
    paused = order.status is OrderStatus.PAUSED
    in_line = order.status.queued and orders_ahead is not None
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
        "queue_position": orders_ahead + 1 if in_line and orders_ahead is not None else None,
        "units_ahead": units_ahead if in_line else None,
        "expected_availability": None if paused else promised["expected_availability"],
        "delivery_window": None if paused else promised["delivery_window"],
        "promise_on_resume": promised if paused else None,
        "promise_source": promise.source,
        "paused_at": stamp(order.paused_at),
        "resume_by": stamp(order.resume_by),
        "conflict": order.conflict,
        "created_at": stamp(order.created_at),
    }
