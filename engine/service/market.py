"""What agents see each tick: products and their counters, what happened since the last tick, and the
orders ready to ship — one batch, so an agent on Ray costs one call per tick, never one per order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from engine.service.ports import UnitOfWork
from engine.service.ready_orders import ReadyOrder as ReadyOrder  # agents read it from the view
from engine.service.ready_orders import ReadyOrders


@dataclass(frozen=True)
class ProductState:
    sku: str
    list_price: float
    price: float
    currency: str
    facility: str
    cap_units: int | None
    units_reserved: int
    units_queued: int
    units_allocated: int
    units_on_hand: int
    planned_units: int  # outstanding in the supply plan
    opens_at: datetime | None
    closes_at: datetime | None
    quotas: tuple[tuple[str, int, int], ...]  # (channel, quota, reserved)
    price_changed_at: datetime | None = None  # when the pricing agent last set the price (any server)


@dataclass(frozen=True)
class MarketView:
    now: datetime
    products: tuple[ProductState, ...]
    placed: tuple[tuple[str, str, int], ...]  # (sku, channel, units) placed since the last view
    cancelled: tuple[tuple[str, int], ...]  # (sku, units)
    ready_orders: Sequence[ReadyOrder]  # a ``ReadyOrders`` batch from the engine
    cursor: int  # pass back to get only what happened after this view
    dead_letters_pending: int = 0
    last_dispatch: datetime | None = None  # when the newest shipment left (by any server, before any restart)


def market_view(uow: UnitOfWork, *, now: datetime, cursor: int, ready_limit: int) -> MarketView:
    placed: dict[tuple[str, str], int] = {}
    cancelled: dict[str, int] = {}
    while batch := uow.outbox_after(cursor, 50_000):
        for message_id, topic, _, payload in batch:
            cursor = message_id
            if topic == "preorder_placed":
                key = (payload["sku"], payload["channel"])
                placed[key] = placed.get(key, 0) + int(payload["quantity"])
            elif topic == "preorder_cancelled":
                sku = payload["sku"]
                cancelled[sku] = cancelled.get(sku, 0) + int(payload["quantity"])
    ready = uow.preorders.ready_to_ship(ready_limit) if ready_limit > 0 else ReadyOrders()
    return MarketView(
        now=now,
        products=product_states(uow),
        placed=tuple((sku, channel, units) for (sku, channel), units in sorted(placed.items())),
        cancelled=tuple(sorted(cancelled.items())),
        ready_orders=ready,
        cursor=cursor,
        last_dispatch=uow.shipments.last_dispatched_at(),
    )


def product_states(uow: UnitOfWork) -> tuple[ProductState, ...]:
    """Every product's price, terms, counters, planned units and channel quotas."""
    products = []
    for product in uow.products.all():
        counters = uow.queues.get(product.sku)
        if counters is None:
            continue
        products.append(
            ProductState(
                sku=product.sku,
                list_price=float(product.price),
                price=float(product.selling_price),
                currency=product.currency,
                facility=product.facility,
                cap_units=product.terms.cap_units,
                units_reserved=counters.units_reserved,
                units_queued=counters.units_queued,
                units_allocated=counters.units_allocated,
                units_on_hand=counters.units_on_hand,
                planned_units=uow.supply.get(product.sku).planned_units,
                opens_at=product.terms.opens_at,
                closes_at=product.terms.closes_at,
                quotas=tuple(
                    (q.channel, q.quota_units, q.reserved_units) for q in uow.quotas.for_sku(product.sku)
                ),
                price_changed_at=product.price_changed_at,
            )
        )
    return tuple(products)
