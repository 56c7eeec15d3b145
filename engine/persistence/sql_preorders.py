"""Stored orders in SQL: the hot-path insert, views, transitions and shipping."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from engine.domain.orders import OrderStatus, Preorder
from engine.persistence import rows, tables
from engine.persistence.bulk import DeferredWrites, db_value, fetch_all, insert_events, update_rows
from engine.persistence.line_history import line_entries
from engine.persistence.order_rows import order_from_row
from engine.service import ports
from engine.service.ready_orders import OrderState, ReadyOrders

_IDS_PER_QUERY = 1000  # ids bound in one IN (...) list

_P = tables.preorders.c

_ORDER_COLUMNS = (
    "id, number, account_id, channel, external_id, sku, quantity, sequence, status, customer_id,"
    " customer_email, customer_name, ship_country, ship_region, ship_postal_code, ship_city, ship_line1,"
    " unit_price, currency, expected_availability, window_earliest, window_latest, window_confidence,"
    " promise_source, first_latest, created_at, updated_at"
)
_INSERT_ORDER = f"INSERT INTO preorders ({_ORDER_COLUMNS}, conflict_days) VALUES ({', '.join('?' * 27)}, 0)"
_EVENT = "INSERT INTO order_events (order_id, type, at, cause, data) VALUES (?, ?, ?, ?, ?)"
_CUSTOMER_UNITS = (
    "SELECT COALESCE(SUM(quantity), 0) FROM preorders"
    f" WHERE account_id = ? AND sku = ? AND customer_id = ? AND status != '{OrderStatus.CANCELLED.value}'"
)


class SqlPreorders(ports.Preorders):
    def __init__(self, connection: Connection, writes: DeferredWrites) -> None:
        self._c = connection
        self._writes = writes

    def add(self, order: Preorder) -> None:
        intent, promise = order.intent, order.promise
        customer, address = intent.customer, intent.customer.shipping_address
        window = promise.delivery_window
        row = (
            order.id,
            order.number,
            order.account_id,
            intent.channel,
            intent.external_id,
            intent.sku,
            intent.quantity,
            order.sequence,
            order.status.value,
            customer.id,
            customer.email,
            customer.name,
            address.country,
            address.region,
            address.postal_code,
            address.city,
            address.line1,
            str(order.unit_price),
            order.currency,
            promise.expected_availability,
            window.earliest,
            window.latest,
            window.confidence,
            promise.source,
            window.latest,
            order.created_at,
            order.created_at,
        )
        self._writes.add(_INSERT_ORDER, [row])
        self._add_events(order)

    def customer_units(self, account_id: str, sku: str, customer_id: str) -> int:
        return int(fetch_all(self._c, _CUSTOMER_UNITS, (account_id, sku, customer_id))[0][0] or 0)

    def get(self, order_id: str) -> Preorder | None:
        row = self._c.execute(select(tables.preorders).where(tables.preorders.c.id == order_id)).first()
        return None if row is None else order_from_row(row)

    def states(self, order_ids: Sequence[str]) -> list[OrderState]:
        p = tables.preorders.c
        found: dict[str, OrderState] = {}
        wanted = list(dict.fromkeys(order_ids))
        for start in range(0, len(wanted), _IDS_PER_QUERY):
            chunk = wanted[start : start + _IDS_PER_QUERY]
            for row in self._c.execute(select(p.id, p.sku, p.quantity, p.status).where(p.id.in_(chunk))):
                found[row.id] = OrderState(row.id, row.sku, row.quantity, OrderStatus(row.status))
        return [found[i] for i in order_ids if i in found]

    def ahead_of(self, sku: str, sequence: int) -> tuple[int, int]:
        p = tables.preorders.c
        row = self._c.execute(
            select(func.count(), func.coalesce(func.sum(p.quantity), 0)).where(
                p.sku == sku,
                p.status.in_([OrderStatus.PRE_ORDER.value, OrderStatus.PAUSED.value]),
                p.sequence < sequence,
            )
        ).one()
        return int(row[0]), int(row[1])

    def page(self, query: ports.OrderQuery) -> list[Preorder]:
        p = tables.preorders.c
        statement = select(tables.preorders).where(p.account_id == query.account_id)
        if query.after is not None:
            statement = statement.where(p.id > query.after)
        if query.sku is not None:
            statement = statement.where(p.sku == query.sku)
        if query.status is not None:
            statement = statement.where(p.status == query.status)
        if query.customer_id is not None:
            statement = statement.where(p.customer_id == query.customer_id)
        result = self._c.execute(statement.order_by(p.id).limit(query.limit))
        return [order_from_row(row) for row in result]

    def save(self, order: Preorder) -> None:
        now = order.events[-1].at if order.events and hasattr(order.events[-1], "at") else None
        self._c.execute(
            update(tables.preorders)
            .where(_P.id == order.id)
            .values(
                status=order.status.value,
                paused_at=order.paused_at,
                resume_by=order.resume_by,
                resumed_at=order.resumed_at,
                conflict_reason=order.conflict,
                conflict_days=order.conflict_days,
                **({"updated_at": now} if now is not None else {}),
            )
        )
        self._add_events(order)

    def _add_events(self, order: Preorder) -> None:
        rows_ = []
        for event in order.events:
            data = event.payload()
            cause = data.get("cause") or data.get("reason")
            rows_.append((order.id, event.name, getattr(event, "at", None), cause, json.dumps(data)))
        self._writes.add(_EVENT, rows_)

    def history(self, order: Preorder) -> list[dict[str, Any]]:
        e = tables.order_events.c
        result = self._c.execute(select(tables.order_events).where(e.order_id == order.id).order_by(e.id))
        found = [
            ((row.id, 0, 0), {"type": row.type, "at": rows.utc(row.at), "cause": row.cause, "data": row.data})
            for row in result
        ]
        found += line_entries(self._c, order.id, order.intent.sku, order.sequence)
        return [entry for _, entry in sorted(found, key=lambda pair: pair[0])]

    def pauses_ending(self, now: datetime, limit: int) -> list[Preorder]:
        result = self._c.execute(
            select(tables.preorders)
            .where(_P.status == OrderStatus.PAUSED.value, _P.resume_by.is_not(None), _P.resume_by <= now)
            .order_by(_P.resume_by, _P.id)
            .limit(limit)
        )
        return [order_from_row(row) for row in result]

    def conflicts(self, limit: int, offset: int) -> list[Preorder]:
        result = self._c.execute(
            select(tables.preorders)
            .where(_P.conflict_reason.is_not(None), _P.status.in_(["pre_order", "paused"]))
            .order_by(_P.conflict_days.desc(), _P.sku, _P.sequence)
            .limit(limit)
            .offset(offset)
        )
        return [order_from_row(row) for row in result]

    def ready_to_ship(self, limit: int) -> ReadyOrders:
        shipping = (_P.customer_id, _P.ship_country, _P.ship_region, _P.ship_postal_code, _P.window_latest)
        result = self._c.execute(
            select(_P.id, _P.sku, _P.quantity, *shipping)
            .where(_P.status == OrderStatus.ALLOCATED.value)
            .order_by(_P.updated_at, _P.id)
            .limit(limit)
        )
        return ReadyOrders.of_rows(
            (id_, sku, units, customer, country, region, postal, latest.toordinal())
            for id_, sku, units, customer, country, region, postal, latest in result
        )

    def channel_units(self, sku: str) -> dict[str, int]:
        result = self._c.execute(
            select(_P.channel, func.sum(_P.quantity))
            .where(_P.sku == sku, _P.status != OrderStatus.CANCELLED.value)
            .group_by(_P.channel)
        )
        return {channel: int(units) for channel, units in result}

    def mark_shipped(self, ids: list[str], shipment_id: str, now: datetime, cause: str) -> None:
        stamp = db_value(self._c, now)
        update_rows(
            self._c,
            "preorders",
            "id",
            ("status", "shipment_id", "shipped_at", "updated_at"),
            ("varchar", "varchar", "varchar", "timestamptz", "timestamptz"),
            [("shipped", shipment_id, stamp, stamp, order_id) for order_id in ids],
        )
        data = [json.dumps({"order_id": i, "shipment_id": shipment_id}) for i in ids]
        insert_events(
            self._c, [(i, "preorder_shipped", stamp, cause, d) for i, d in zip(ids, data, strict=True)]
        )

    def mark_delivered(self, ids: list[str], now: datetime) -> None:
        stamp = db_value(self._c, now)
        update_rows(
            self._c,
            "preorders",
            "id",
            ("status", "delivered_at", "updated_at"),
            ("varchar", "varchar", "timestamptz", "timestamptz"),
            [("delivered", stamp, stamp, order_id) for order_id in ids],
        )
        insert_events(
            self._c, [(i, "preorder_delivered", stamp, None, json.dumps({"order_id": i})) for i in ids]
        )
