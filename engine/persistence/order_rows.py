"""A stored order row as the domain's ``Preorder``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine.domain.orders import Address, Customer, OrderIntent, OrderStatus, Preorder
from engine.domain.promise import DeliveryWindow, Promise
from engine.persistence.rows import utc


def order_from_row(row: Any) -> Preorder:
    intent = OrderIntent(
        sku=row.sku,
        quantity=row.quantity,
        customer=Customer(
            id=row.customer_id,
            email=row.customer_email,
            name=row.customer_name,
            shipping_address=Address(
                country=row.ship_country,
                region=row.ship_region,
                postal_code=row.ship_postal_code,
                city=row.ship_city,
                line1=row.ship_line1,
            ),
        ),
        channel=row.channel,
        external_id=row.external_id,
    )
    return Preorder(
        id=row.id,
        number=row.number,
        account_id=row.account_id,
        intent=intent,
        sequence=row.sequence,
        status=OrderStatus(row.status),
        unit_price=Decimal(row.unit_price),
        currency=row.currency,
        promise=Promise(
            row.expected_availability,
            DeliveryWindow(row.window_earliest, row.window_latest, row.window_confidence),
            row.promise_source,
        ),
        created_at=utc(row.created_at) or row.created_at,
        paused_at=utc(row.paused_at),
        resume_by=utc(row.resume_by),
        resumed_at=utc(row.resumed_at),
        conflict=row.conflict_reason,
        conflict_days=row.conflict_days or 0,
        first_latest=row.first_latest,
    )
