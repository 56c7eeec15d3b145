"""An in-memory store with real transactions (an undo log), for simulations and unit tests.

Every mutation records how to undo it; leaving a unit of work without ``commit`` replays the undo
log backwards, so a refused request changes nothing, exactly as with SQL.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, TypeVar

import numpy as np

from engine.domain.catalog import Product
from engine.domain.events import Event
from engine.domain.lanes import Lane
from engine.domain.orders import OrderStatus, Preorder
from engine.domain.queue_math import QueueSnapshot
from engine.domain.supply import SupplyPlan
from engine.service import ports
from engine.service.transactions import TransactionRunner

T = TypeVar("T")
_QUEUED = (OrderStatus.PRE_ORDER, OrderStatus.PAUSED)


@dataclass
class MemoryStore:
    products: dict[str, Product] = field(default_factory=dict)
    counters: dict[str, dict[str, Any]] = field(default_factory=dict)
    plans: dict[str, SupplyPlan] = field(default_factory=dict)
    lanes: dict[str, list[Lane]] = field(default_factory=dict)
    orders: dict[str, Preorder] = field(default_factory=dict)
    lines: dict[str, list[str]] = field(default_factory=dict)  # sku -> order ids in sequence order
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    outbox: list[dict[str, Any]] = field(default_factory=list)
    idempotency: dict[tuple[str, str], ports.IdempotencyRecord] = field(default_factory=dict)
    accounts: set[str] = field(default_factory=set)
    keys: dict[str, ports.ApiKey] = field(default_factory=dict)
    receipts: dict[tuple[str, str], ports.Receipt] = field(default_factory=dict)
    dead_letters: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)


class _Undo:
    def __init__(self) -> None:
        self.steps: list[Callable[[], None]] = []

    def set(self, mapping: dict[Any, Any], key: Any, value: Any) -> None:
        if key in mapping:
            old = mapping[key]
            self.steps.append(lambda: mapping.__setitem__(key, old))
        else:
            self.steps.append(lambda: mapping.pop(key, None))
        mapping[key] = value

    def append(self, items: list[Any], value: Any) -> None:
        items.append(value)
        self.steps.append(items.pop)

    def rollback(self) -> None:
        while self.steps:
            self.steps.pop()()


class _Repo:
    def __init__(self, store: MemoryStore, undo: _Undo) -> None:
        self.s, self.u = store, undo


class MemoryProducts(_Repo, ports.Products):
    def get(self, sku: str) -> Product | None:
        return self.s.products.get(sku)

    def put(self, product: Product) -> bool:
        created = product.sku not in self.s.products
        self.u.set(self.s.products, product.sku, product)
        counters = self.s.counters.get(product.sku) or {
            "next_sequence": 1,
            "units_reserved": 0,
            "units_queued": 0,
            "orders_queued": 0,
            "units_allocated": 0,
            "units_on_hand": 0,
        }
        self.u.set(self.s.counters, product.sku, {**counters, "cap_units": product.terms.cap_units})
        if created:
            self.u.set(self.s.lines, product.sku, [])
        return created


class MemorySupplyPlans(_Repo, ports.SupplyPlans):
    def get(self, sku: str) -> SupplyPlan:
        return self.s.plans.get(sku) or SupplyPlan(sku=sku)

    def replace(self, plan: SupplyPlan, now: datetime) -> SupplyPlan:
        stored = replace(plan, version=self.get(plan.sku).version + 1)
        self.u.set(self.s.plans, plan.sku, stored)
        return stored

    def reduce_lot(self, sku: str, lot_id: str, quantity: int) -> int:
        plan = self.get(sku)
        lots = list(plan.lots)
        for i, lot in enumerate(lots):
            if lot.id == lot_id:
                drop = min(lot.quantity, quantity)
                lots[i] = replace(lot, quantity=lot.quantity - drop)
                self.u.set(self.s.plans, sku, replace(plan, lots=tuple(lots)))
                return drop
        return 0


class MemoryLanes(_Repo, ports.Lanes):
    def for_facility(self, facility: str) -> list[Lane]:
        return list(self.s.lanes.get(facility, []))

    def replace_facilities(self, lanes: list[Lane]) -> None:
        for facility in {lane.facility for lane in lanes}:
            self.u.set(self.s.lanes, facility, [lane for lane in lanes if lane.facility == facility])


class MemoryQueues(_Repo, ports.Queues):
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
            c["next_sequence"], c["units_queued"], c["orders_queued"], c["units_on_hand"]
        )

    def get(self, sku: str) -> ports.QueueCounters | None:
        c = self.s.counters.get(sku)
        return None if c is None else ports.QueueCounters(sku=sku, **c)

    def change(self, sku: str, change: ports.CounterChange) -> None:
        c = self.s.counters[sku]
        deltas = change.__dict__
        self.u.set(
            self.s.counters, sku, {k: v + deltas.get(k, 0) if k in deltas else v for k, v in c.items()}
        )

    def lock(self, sku: str) -> None:
        """Every memory transaction already holds the store-wide lock."""

    def active_skus(self) -> list[str]:
        return sorted(sku for sku, c in self.s.counters.items() if c["orders_queued"] > 0)

    def _queued(self, sku: str) -> list[Preorder]:
        orders = (self.s.orders[i] for i in self.s.lines.get(sku, []))
        return [o for o in orders if o.status in _QUEUED]

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
        dates = lambda pick: np.array([pick(o) for o in queued], dtype="datetime64[D]")  # noqa: E731
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
            update.history,
            strict=True,
        )
        day = date.fromisoformat
        for order_id, a, e, la, c, source, conflict, days, entry in rows:
            order = copy.copy(self.s.orders[order_id])
            order.promise = Promise(day(a), DeliveryWindow(day(e), day(la), c), source)
            order.conflict, order.conflict_days = conflict, days
            self.u.set(self.s.orders, order_id, order)
            if entry is not None:
                _record(self, order_id, "promise_changed", now, update.cause, json.loads(entry))

    def mark_allocated(self, ids: list[str], quantities: list[int], receipt: str, now: datetime) -> None:
        for order_id, quantity in zip(ids, quantities, strict=True):
            order = copy.copy(self.s.orders[order_id])
            order.status = OrderStatus.ALLOCATED
            self.u.set(self.s.orders, order_id, order)
            _record(
                self,
                order_id,
                "preorder_allocated",
                now,
                f"receipt {receipt}",
                {"order_id": order_id, "quantity": quantity, "receipt": receipt},
            )

    def page(self, sku: str, after_sequence: int, limit: int) -> list[Preorder]:
        wanted = (*_QUEUED, OrderStatus.ALLOCATED)
        orders = (self.s.orders[i] for i in self.s.lines.get(sku, []))
        return [o for o in orders if o.status in wanted and o.sequence > after_sequence][:limit]


def _record(
    repo: _Repo, order_id: str, kind: str, at: datetime | None, cause: str | None, data: dict[str, Any]
) -> None:
    entries = repo.s.history.setdefault(order_id, [])
    repo.u.append(entries, {"type": kind, "at": at, "cause": cause, "data": data})


class MemoryPreorders(_Repo, ports.Preorders):
    def add(self, order: Preorder) -> None:
        stored = replace(order, events=[], first_latest=order.promise.delivery_window.latest)
        self.u.set(self.s.orders, order.id, stored)
        self.u.append(self.s.lines.setdefault(order.intent.sku, []), order.id)
        self._events(order)

    def _events(self, order: Preorder) -> None:
        for event in order.events:
            data = event.payload()
            _record(
                self,
                order.id,
                event.name,
                getattr(event, "at", None),
                data.get("cause") or data.get("reason"),
                data,
            )

    def customer_units(self, account_id: str, sku: str, customer_id: str) -> int:
        orders = (self.s.orders[i] for i in self.s.lines.get(sku, []))
        return sum(
            o.intent.quantity
            for o in orders
            if o.account_id == account_id
            and o.intent.customer.id == customer_id
            and o.status is not OrderStatus.CANCELLED
        )

    def get(self, order_id: str) -> Preorder | None:
        order = self.s.orders.get(order_id)
        return None if order is None else replace(order, events=[])

    def ahead_of(self, sku: str, sequence: int) -> tuple[int, int]:
        orders = [self.s.orders[i] for i in self.s.lines.get(sku, [])]
        ahead = [o for o in orders if o.status in _QUEUED and o.sequence < sequence]
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
        self.u.set(self.s.orders, order.id, replace(order, events=[]))
        self._events(order)

    def history(self, order_id: str) -> list[dict[str, Any]]:
        return list(self.s.history.get(order_id, []))

    def pauses_ending(self, now: datetime, limit: int) -> list[Preorder]:
        due = [
            o
            for o in self.s.orders.values()
            if o.status is OrderStatus.PAUSED and o.resume_by is not None and o.resume_by <= now
        ]
        return [replace(o, events=[]) for o in sorted(due, key=lambda o: o.resume_by or now)[:limit]]

    def conflicts(self, limit: int, offset: int) -> list[Preorder]:
        flagged = [o for o in self.s.orders.values() if o.conflict is not None and o.status in _QUEUED]
        flagged.sort(key=lambda o: (-o.conflict_days, o.intent.sku, o.sequence))
        return flagged[offset : offset + limit]


class MemoryIdempotency(_Repo, ports.Idempotency):
    def get(self, account_id: str, key: str) -> ports.IdempotencyRecord | None:
        return self.s.idempotency.get((account_id, key))

    def add(self, record: ports.IdempotencyRecord) -> None:
        self.u.set(self.s.idempotency, (record.account_id, record.key), record)


class MemoryAccounts(_Repo, ports.Accounts):
    def ensure(self, account_id: str, now: datetime) -> None:
        if account_id not in self.s.accounts:
            self.s.accounts.add(account_id)
            self.u.steps.append(lambda: self.s.accounts.discard(account_id))

    def add_key(self, key: ports.ApiKey) -> None:
        self.u.set(self.s.keys, key.key_hash, key)

    def key_by_hash(self, key_hash: str) -> ports.ApiKey | None:
        return self.s.keys.get(key_hash)

    def revoke_key(self, key_id: str, now: datetime) -> bool:
        for key_hash, key in self.s.keys.items():
            if key.id == key_id:
                if key.revoked_at is None:
                    self.u.set(self.s.keys, key_hash, replace(key, revoked_at=now))
                return True
        return False


class MemoryReceipts(_Repo, ports.Receipts):
    def get(self, sku: str, reference: str) -> ports.Receipt | None:
        return self.s.receipts.get((sku, reference))

    def add(self, receipt: ports.Receipt) -> None:
        self.u.set(self.s.receipts, (receipt.sku, receipt.reference), receipt)


class MemoryUnitOfWork(ports.UnitOfWork):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self._undo = _Undo()
        self.products = MemoryProducts(store, self._undo)
        self.supply = MemorySupplyPlans(store, self._undo)
        self.lanes = MemoryLanes(store, self._undo)
        self.queues = MemoryQueues(store, self._undo)
        self.preorders = MemoryPreorders(store, self._undo)
        self.idempotency = MemoryIdempotency(store, self._undo)
        self.accounts = MemoryAccounts(store, self._undo)
        self.receipts = MemoryReceipts(store, self._undo)

    def publish(self, events: Iterable[Event], key: str) -> None:
        for event in events:
            self._undo.append(
                self.store.outbox, {"topic": event.name, "key": key, "payload": event.payload()}
            )

    def commit(self) -> None:
        self._undo.steps.clear()

    def rollback(self) -> None:
        self._undo.rollback()


class MemoryTransactionRunner(TransactionRunner):
    """Transactions run one at a time (a store-wide lock), like SQLite's single writer."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def run(self, work: Callable[[ports.UnitOfWork], T], *, writes: bool = True) -> T:
        with self.store.lock, MemoryUnitOfWork(self.store) as uow:
            return work(uow)


class MemoryDeadLetters(ports.DeadLetters):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def add(self, *, account_id: str | None, source: str, payload: str, reason: str, attempts: int) -> int:
        with self.store.lock:
            self.store.dead_letters.append(
                {"account_id": account_id, "source": source, "payload": payload, "reason": reason}
            )
            return len(self.store.dead_letters)
