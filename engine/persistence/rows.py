"""Turning rows into domain objects and back."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from engine.domain.catalog import PreorderTerms, Product
from engine.domain.lanes import Lane, TransitDays
from engine.domain.supply import BeyondPlan, LotKind, SupplyLot


def stored_time(value: datetime | str) -> datetime:
    """A timestamp as the driver returns it: SQLite's naive UTC text, or PostgreSQL's aware datetime."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc(value: datetime | None) -> datetime | None:
    """SQLite hands datetimes back naive; everything we store is UTC."""
    return None if value is None else stored_time(value)


def product_from_row(row: Any) -> Product:
    return Product(
        sku=row.sku,
        name=row.name,
        price=Decimal(row.price),
        currency=row.currency,
        facility=row.facility,
        terms=PreorderTerms(
            enabled=bool(row.preorder_enabled),
            opens_at=utc(row.opens_at),
            closes_at=utc(row.closes_at),
            cap_units=row.cap_units,
            per_customer_limit=row.per_customer_limit,
            max_pause_days=row.max_pause_days,
        ),
        current_price=None if row.current_price is None else Decimal(row.current_price),
        price_changed_at=utc(row.price_changed_at),
    )


def product_to_row(product: Product, now: datetime) -> dict[str, Any]:
    terms = product.terms
    return {
        "sku": product.sku,
        "name": product.name,
        "price": str(product.price),
        "currency": product.currency,
        "facility": product.facility,
        "preorder_enabled": terms.enabled,
        "opens_at": terms.opens_at,
        "closes_at": terms.closes_at,
        "cap_units": terms.cap_units,
        "per_customer_limit": terms.per_customer_limit,
        "max_pause_days": terms.max_pause_days,
        "current_price": None if product.current_price is None else str(product.current_price),
        "price_changed_at": product.price_changed_at,
        "updated_at": now,
    }


def lot_from_row(row: Any) -> SupplyLot:
    return SupplyLot(
        id=row.lot_id,
        kind=LotKind(row.kind),
        quantity=row.quantity,
        expected_date=row.expected_date,
        spread_days=row.spread_days,
        supplier=row.supplier,
        facility=row.facility,
    )


def lot_to_row(sku: str, lot: SupplyLot) -> dict[str, Any]:
    return {
        "sku": sku,
        "lot_id": lot.id,
        "kind": lot.kind.value,
        "quantity": lot.quantity,
        "expected_date": lot.expected_date,
        "spread_days": lot.spread_days,
        "supplier": lot.supplier,
        "facility": lot.facility,
    }


def beyond_from_json(data: dict[str, Any] | None) -> BeyondPlan | None:
    return None if not data else BeyondPlan(**data)


def beyond_to_json(rule: BeyondPlan | None) -> dict[str, Any] | None:
    if rule is None:
        return None
    return {
        "capacity_per_day": rule.capacity_per_day,
        "lead_time_days": rule.lead_time_days,
        "spread_days": rule.spread_days,
    }


def lane_from_row(row: Any) -> Lane:
    return Lane(
        facility=row.facility,
        country=row.country,
        region=row.region or None,
        handling_days=row.handling_days,
        transit=TransitDays(row.transit_p10, row.transit_p50, row.transit_p90),
    )


def lane_to_row(lane: Lane) -> dict[str, Any]:
    return {
        "facility": lane.facility,
        "country": lane.country,
        "region": lane.region or "",
        "handling_days": lane.handling_days,
        "transit_p10": lane.transit.p10,
        "transit_p50": lane.transit.p50,
        "transit_p90": lane.transit.p90,
    }
