"""Small builders for catalog data in tests (the same shapes the API takes)."""

from __future__ import annotations

import secrets
from typing import Any


def unique(prefix: str) -> str:
    """A random reference, so tests sharing a database never see each other's data."""
    return f"{prefix}-{secrets.token_hex(4).upper()}"


def product_body(
    *,
    cap: int | None = 100,
    limit: int | None = None,
    enabled: bool = True,
    opens_at: str | None = "2020-01-01T00:00:00Z",
    closes_at: str | None = "2099-01-01T00:00:00Z",
    facility: str = "DC-T",
    max_pause_days: int | None = 30,
) -> dict[str, Any]:
    return {
        "name": "Test product",
        "price": "499.00",
        "currency": "USD",
        "facility": facility,
        "preorder": {
            "enabled": enabled,
            "opens_at": opens_at,
            "closes_at": closes_at,
            "cap_units": cap,
            "per_customer_limit": limit,
            "max_pause_days": max_pause_days,
        },
    }


def plan_body(*lots: tuple[str, int, str, float], beyond: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "runs": [
            {"id": lot_id, "quantity": qty, "expected_date": when, "spread_days": spread}
            for lot_id, qty, when, spread in lots
        ],
        "purchase_orders": [],
        "beyond_plan": beyond,
    }


def lanes_body(facility: str = "DC-T") -> dict[str, Any]:
    return {
        "lanes": [
            {
                "facility": facility,
                "country": "US",
                "handling_days": 1,
                "transit_days": {"p10": 2, "p50": 3, "p90": 6},
            },
            {
                "facility": facility,
                "country": "US",
                "region": "NY",
                "handling_days": 1,
                "transit_days": {"p10": 1, "p50": 1, "p90": 2},
            },
        ]
    }


def order_body(
    sku: str,
    *,
    quantity: int = 1,
    customer: str = "c-1",
    external_id: str | None = None,
    channel: str = "web",
    country: str = "US",
    region: str | None = "CA",
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "sku": sku,
        "quantity": quantity,
        "channel": channel,
        "customer": {
            "id": customer,
            "email": f"{customer}@example.com",
            "shipping_address": {"country": country, "postal_code": "94107"},
        },
    }
    if region is not None:
        body["customer"]["shipping_address"]["region"] = region
    if external_id is not None:
        body["external_id"] = external_id
    return body
