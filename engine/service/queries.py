"""Read views: orders as their owners see them, and the wait time a new order would get."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.domain.errors import InvalidData, NotFound, SoldOut, UnknownSku
from engine.domain.lanes import best_lane
from engine.domain.orders import Preorder
from engine.domain.promise import promise_for
from engine.service.catalog_cache import CatalogCache
from engine.service.order_views import order_view, promise_body, stamp
from engine.service.ports import OrderQuery, UnitOfWork


def live_view(uow: UnitOfWork, order: Preorder) -> dict[str, Any]:
    """The order with its live place in the queue (orders no longer in line have none)."""
    if not order.status.queued:
        return order_view(order, orders_ahead=None, units_ahead=None)
    orders_ahead, units_ahead = uow.preorders.ahead_of(order.intent.sku, order.sequence)
    return order_view(order, orders_ahead=orders_ahead, units_ahead=units_ahead)


def get_order(uow: UnitOfWork, *, account_id: str, order_id: str, is_admin: bool = False) -> dict[str, Any]:
    """The order, its place and promise, and its history: why it is where it is, with this date."""
    order = uow.preorders.get(order_id)
    if order is None or (order.account_id != account_id and not is_admin):
        raise NotFound(f"no pre-order with id {order_id!r}")
    view = live_view(uow, order)
    view["history"] = with_promise_before(uow.preorders.history(order))
    return view


def with_promise_before(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """History entries for the API; each promise change shows the promise before it and after it."""
    shown, promise = [], None
    for entry in entries:
        data = dict(entry["data"] or {})
        if entry["type"] == "preorder_placed" and "promise" in data:
            placed = data["promise"]
            promise = {
                "expected_availability": placed["expected_availability"],
                "earliest": placed["earliest"],
                "latest": placed["latest"],
                "source": placed.get("source"),
            }
        elif entry["type"] == "promise_changed" or (
            entry["type"] == "preorder_allocated" and "after" in data
        ):
            data["before"], promise = promise, data.get("after")  # re-promised, or promised from the shelf
        shown.append({"type": entry["type"], "at": stamp(entry["at"]), "cause": entry["cause"], "data": data})
    return shown


def queue_page(uow: UnitOfWork, sku: str, *, after: int, limit: int) -> dict[str, Any]:
    """The SKU's line in sequence order (waiting, paused and allocated orders), with totals."""
    counters = uow.queues.get(sku)
    if counters is None:
        raise UnknownSku(f"no product with SKU {sku!r}", sku=sku)
    orders = uow.queues.page(sku, after, limit + 1)
    more = len(orders) > limit
    orders = orders[:limit]
    items = [live_view(uow, order) for order in orders]
    snapshot = uow.queues.snapshot(sku)
    paused_units = int(snapshot.quantities[snapshot.paused].sum())
    return {
        "sku": sku,
        "totals": {
            "units_reserved": counters.units_reserved,
            "units_active": counters.units_queued - paused_units,
            "units_paused": paused_units,
            "orders_in_line": counters.orders_queued,
            "units_allocated": counters.units_allocated,
            "units_on_hand": counters.units_on_hand,
            "cap_units": counters.cap_units,
        },
        "items": [{**item, "sequence": order.sequence} for item, order in zip(items, orders, strict=True)],
        "next_cursor": str(orders[-1].sequence) if more and orders else None,
    }


def conflicts(uow: UnitOfWork, *, limit: int, offset: int) -> list[dict[str, Any]]:
    """Orders whose promise now breaks the first one by more than the tolerance, worst first."""
    return [
        {**live_view(uow, order), "conflict_days": order.conflict_days}
        for order in uow.preorders.conflicts(limit, offset)
    ]


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None


def encode_cursor(order_id: str) -> str:
    return base64.urlsafe_b64encode(order_id.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    """The order id ``cursor`` was made from by :func:`encode_cursor`; InvalidData for any other text
    (padding, characters outside the URL-safe alphabet, or an id no order could have, holding a NUL)."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        order_id = base64.b64decode(padded, altchars=b"-_", validate=True).decode()
    except (ValueError, UnicodeDecodeError) as bad:  # binascii.Error is a ValueError
        raise _not_issued() from bad
    # Decoding forgives what encoding never makes ('+' and '/', unused trailing bits): compare back.
    if "\x00" in order_id or encode_cursor(order_id) != cursor:
        raise _not_issued()
    return order_id


def _not_issued() -> InvalidData:
    return InvalidData("cursor is not one this API issued", field="query.cursor")


def list_orders(uow: UnitOfWork, query: OrderQuery) -> Page:
    orders = uow.preorders.page(OrderQuery(**{**query.__dict__, "limit": query.limit + 1}))
    more = len(orders) > query.limit
    orders = orders[: query.limit]
    items = [live_view(uow, order) for order in orders]
    return Page(items, encode_cursor(orders[-1].id) if more and orders else None)


def wait_time(
    uow: UnitOfWork,
    *,
    sku: str,
    country: str,
    region: str | None,
    quantity: int,
    now: datetime,
    confidence: float,
    cache: CatalogCache | None = None,
) -> dict[str, Any]:
    """What an order of ``quantity`` placed now would be promised, or why it could not be placed."""
    counters = uow.queues.get(sku)
    entry = None if counters is None else (cache or CatalogCache()).load(uow, sku, counters.catalog_version)
    if entry is None or counters is None:
        raise UnknownSku(f"no product with SKU {sku!r}", sku=sku)
    product = entry.product
    answer: dict[str, Any] = {
        "sku": sku,
        "queue_depth_units": counters.units_queued,
        "queue_depth_orders": counters.orders_queued,
        "preorderable": False,
        "reason": product.preorder_refusal(now),
        "expected_availability": None,
        "delivery_window": None,
    }
    cap, limit = product.terms.cap_units, product.terms.per_customer_limit
    if answer["reason"] is None and cap is not None and counters.units_reserved + quantity > cap:
        answer["reason"] = "sold_out"
    lane = best_lane(list(entry.lanes), product.facility, country, region)
    if answer["reason"] is None and lane is None:
        answer["reason"] = "destination_not_served"
    if answer["reason"] is None and limit is not None and quantity > limit:
        answer["reason"] = "customer_limit_exceeded"  # whoever asks: no customer may hold that many
    if answer["reason"] is not None or lane is None:
        return answer
    # As placing decides: units on the shelf go to the order at once if nobody waits ahead of it.
    from_shelf = counters.units_on_hand >= quantity and (
        counters.units_queued == 0 or not uow.queues.waiting_ahead(sku, counters.next_sequence)
    )
    ladder = entry.ladder(counters.units_on_hand, now.date())
    try:
        position = quantity if from_shelf else counters.units_queued + quantity
        promise = promise_for(ladder.cover(position), lane, confidence)
    except SoldOut:
        answer["reason"] = "sold_out"
        return answer
    answer.update(preorderable=True, **promise_body(promise))
    return answer
