"""In-memory queues and orders (see :mod:`engine.persistence.memory_store`)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime
from typing import Any

import numpy as np

from engine.domain.orders import OrderStatus, Preorder
from engine.domain.queue_math import QueueSnapshot
from engine.persistence.memory_store import QUEUED, Repo, copied, derived, put_order, record
from engine.service import ports
from engine.service.ready_orders import OrderState, ReadyOrder, ReadyOrders

_EPOCH = date(1970, 1, 1).toordinal()


class MemoryQueues(Repo, ports.Queues):
    def reserve(self, sku: str, quantity: int) -> ports.Reservation | None:
        c = self.s.counters.get(sku)
        if c is None or (c["cap_units"] is not None and c["units_reserved"] + quantity > c["cap_units"]):
            return None
        new = {
            **c,
            "next_sequence": c["next_sequence"] + 1,
            "units_reserved": c["units_reserved"] + quantity,
            "units_queued": c["units_queued"] + quantity,
            "orders_queued": c["orders_queued"] + 1,
        }
        self.u.set(self.s.counters, sku, new)
        return ports.Reservation(
            c["next_sequence"],
            c["units_queued"],
            c["orders_queued"],
            c["units_on_hand"],
            c["catalog_version"],
        )

    def get(self, sku: str) -> ports.QueueCounters | None:
        c = self.s.counters.get(sku)
        if c is None:
            return None
        return derived(self.s, ("counters", sku), c, lambda: ports.QueueCounters(sku=sku, **c))

    def change(self, sku: str, change: ports.CounterChange) -> None:
        c = self.s.counters[sku]
        deltas = change.__dict__
        self.u.set(
            self.s.counters, sku, {k: v + deltas.get(k, 0) if k in deltas else v for k, v in c.items()}
        )

    def lock(self, sku: str) -> None:
        """Every memory transaction already holds the store-wide lock."""

    def active_skus(self, facilities: Collection[str] | None = None) -> list[str]:
        products = self.s.products
        return sorted(
            sku
            for sku, c in self.s.counters.items()
            if c["orders_queued"] > 0 and (facilities is None or products[sku].facility in facilities)
        )

    def _queued(self, sku: str) -> list[Preorder]:
        line = self.s.queued.get(sku, {})
        return [self.s.orders[i] for i in sorted(line, key=line.__getitem__)]

    def waiting_ahead(self, sku: str, sequence: int) -> bool:
        # O(n) here (the SQL store walks one index step): asked only when units sit on the shelf
        line = self.s.queued.get(sku, {})
        return any(
            ahead < sequence and self.s.orders[order_id].status is OrderStatus.PRE_ORDER
            for order_id, ahead in line.items()
        )

    def snapshot(self, sku: str) -> QueueSnapshot:
        queued = self._queued(sku)
        destinations: dict[tuple[str, str | None], int] = {}
        index = [
            destinations.setdefault(
                (o.intent.customer.shipping_address.country, o.intent.customer.shipping_address.region),
                len(destinations),
            )
            for o in queued
        ]

        def dates(pick: Callable[[Preorder], date]) -> np.ndarray:
            # day numbers since 1970 in C, rather than numpy parsing one date object at a time
            days = np.fromiter((pick(o).toordinal() for o in queued), dtype=np.int64, count=len(queued))
            return (days - _EPOCH).astype("datetime64[D]")

        return QueueSnapshot(
            ids=[o.id for o in queued],
            sequences=np.array([o.sequence for o in queued], dtype=np.int64),
            quantities=np.array([o.intent.quantity for o in queued], dtype=np.int64),
            paused=np.array([o.status is OrderStatus.PAUSED for o in queued], dtype=bool),
            destinations=list(destinations),
            destination_index=np.array(index, dtype=np.int64),
            availability=dates(lambda o: o.promise.expected_availability),
            earliest=dates(lambda o: o.promise.delivery_window.earliest),
            latest=dates(lambda o: o.promise.delivery_window.latest),
            confidence=np.array([o.promise.delivery_window.confidence for o in queued], dtype=float),
            sources=np.array([o.promise.source for o in queued], dtype=object),
            first_latest=dates(lambda o: o.first_latest or o.promise.delivery_window.latest),
            conflicts=np.array([o.conflict for o in queued], dtype=object),
        )

    def write_promises(self, sku: str, update: ports.PromiseUpdate, now: datetime) -> None:
        self._set_promises(update)
        for k, order_id in enumerate(update.ids):
            if update.moved[k]:
                record(self, order_id, "promise_changed", now, update.cause, {"after": after(update, k)})

    def _set_promises(self, update: ports.PromiseUpdate, status: OrderStatus | None = None) -> None:
        """Store each order's new promise (and ``status``, when given), one new version per order."""
        from engine.domain.promise import DeliveryWindow, Promise

        rows = zip(
            update.ids,
            update.availability,
            update.earliest,
            update.latest,
            update.confidence,
            update.sources,
            update.conflicts,
            update.conflict_days,
            strict=True,
        )
        day = date.fromisoformat
        for order_id, a, e, la, c, source, conflict, days in rows:
            order = copied(self.s.orders[order_id])
            order.promise = Promise(day(a), DeliveryWindow(day(e), day(la), c), source)
            order.conflict, order.conflict_days = conflict, days
            if status is not None:
                order.status = status
            put_order(self, order_id, order)

    def mark_allocated(
        self,
        sku: str,
        allocated: QueueSnapshot,
        receipt: str,
        now: datetime,
        promises: ports.PromiseUpdate | None,
    ) -> None:
        if promises is not None:
            assert promises.ids == allocated.ids
            self._set_promises(promises, OrderStatus.ALLOCATED)
        quantities = allocated.quantities.tolist()
        for k, (order_id, quantity) in enumerate(zip(allocated.ids, quantities, strict=True)):
            if promises is None:
                put_order(self, order_id, copied(self.s.orders[order_id], status=OrderStatus.ALLOCATED))
            data: dict[str, Any] = {"order_id": order_id, "quantity": quantity, "receipt": receipt}
            if promises is not None:
                data["after"] = after(promises, k)
            record(self, order_id, "preorder_allocated", now, f"receipt {receipt}", data)

    def page(self, sku: str, after_sequence: int, limit: int) -> list[Preorder]:
        wanted = (*QUEUED, OrderStatus.ALLOCATED)
        orders = (self.s.orders[i] for i in self.s.lines.get(sku, []))
        return [o for o in orders if o.status in wanted and o.sequence > after_sequence][:limit]


class MemoryPreorders(Repo, ports.Preorders):
    def add(self, order: Preorder) -> None:
        stored = copied(order, events=[], first_latest=order.promise.delivery_window.latest)
        put_order(self, order.id, stored)
        self.u.append(self.s.lines.setdefault(order.intent.sku, []), order.id)
        self._events(order)

    def _events(self, order: Preorder) -> None:
        for event in order.events:
            data = event.payload()
            record(
                self,
                order.id,
                event.name,
                getattr(event, "at", None),
                data.get("cause") or data.get("reason"),
                data,
            )

    def customer_units(self, account_id: str, sku: str, customer_id: str) -> int:
        return self.s.held.get((account_id, sku, customer_id), 0)

    def get(self, order_id: str) -> Preorder | None:
        order = self.s.orders.get(order_id)
        return None if order is None else copied(order, events=[])

    def states(self, order_ids: Sequence[str]) -> list[OrderState]:
        found = (self.s.orders.get(i) for i in order_ids)
        return [OrderState(o.id, o.intent.sku, o.intent.quantity, o.status) for o in found if o is not None]

    def ahead_of(self, sku: str, sequence: int) -> tuple[int, int]:
        line = self.s.queued.get(sku, {})
        ahead = [self.s.orders[i] for i, s in line.items() if s < sequence]
        return len(ahead), sum(o.intent.quantity for o in ahead)

    def page(self, query: ports.OrderQuery) -> list[Preorder]:
        chosen = sorted(
            (
                o
                for o in self.s.orders.values()
                if o.account_id == query.account_id
                and (query.after is None or o.id > query.after)
                and (query.sku in (None, o.intent.sku))
                and (query.status in (None, o.status.value))
                and (query.customer_id in (None, o.intent.customer.id))
            ),
            key=lambda o: o.id,
        )
        return chosen[: query.limit]

    def save(self, order: Preorder) -> None:
        put_order(self, order.id, copied(order, events=[]))
        self._events(order)

    def history(self, order: Preorder) -> list[dict[str, Any]]:
        return list(self.s.history.get(order.id, []))

    def pauses_ending(self, now: datetime, limit: int) -> list[Preorder]:
        paused = (self.s.orders[i] for i in self.s.paused)
        due = [o for o in paused if o.resume_by is not None and o.resume_by <= now]
        return [copied(o, events=[]) for o in sorted(due, key=lambda o: (o.resume_by or now, o.id))[:limit]]

    def ready_to_ship(self, limit: int) -> ReadyOrders:
        orders, ready = self.s.orders, itertools.islice(self.s.allocated, limit)
        return ReadyOrders.of_rows(ReadyOrder.of(orders[i]) for i in ready)

    def channel_units(self, sku: str) -> dict[str, int]:
        return {channel: units for channel, units in self.s.by_channel.get(sku, {}).items() if units}

    def mark_shipped(self, ids: list[str], shipment_id: str, now: datetime, cause: str) -> None:
        for order_id in ids:
            put_order(self, order_id, copied(self.s.orders[order_id], status=OrderStatus.SHIPPED))
            record(
                self,
                order_id,
                "preorder_shipped",
                now,
                cause,
                {"order_id": order_id, "shipment_id": shipment_id},
            )

    def mark_delivered(self, ids: list[str], now: datetime) -> None:
        for order_id in ids:
            put_order(self, order_id, copied(self.s.orders[order_id], status=OrderStatus.DELIVERED))
            record(self, order_id, "preorder_delivered", now, None, {"order_id": order_id})

    def conflicts(self, limit: int, offset: int) -> list[Preorder]:
        flagged = [o for o in self.s.orders.values() if o.conflict is not None and o.status in QUEUED]
        flagged.sort(key=lambda o: (-o.conflict_days, o.intent.sku, o.sequence))
        return flagged[offset : offset + limit]


def after(update: ports.PromiseUpdate, k: int) -> dict[str, Any]:
    """The ``k``-th order's new promise, as its history entry shows it."""
    return {
        "expected_availability": update.availability[k],
        "earliest": update.earliest[k],
        "latest": update.latest[k],
        "source": update.sources[k],
    }
