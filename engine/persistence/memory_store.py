"""The in-memory store and its transactions: every mutation records how to undo it.

Leaving a unit of work without ``commit`` replays the undo log backwards, so a refused request
changes nothing, exactly as with SQL.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from engine.domain.catalog import Product
from engine.domain.lanes import Lane
from engine.domain.orders import OrderStatus, Preorder
from engine.domain.supply import SupplyPlan
from engine.service import ports

QUEUED = (OrderStatus.PRE_ORDER, OrderStatus.PAUSED)
T = TypeVar("T")


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
    allocated: dict[str, None] = field(default_factory=dict)  # ids of orders ready to ship, in order
    paused: dict[str, None] = field(default_factory=dict)  # ids of paused orders
    held: dict[tuple[str, str, str], int] = field(default_factory=dict)  # live units per customer
    by_channel: dict[str, dict[str, int]] = field(default_factory=dict)  # sku -> channel -> live units
    quotas: dict[str, dict[str, ports.Quota]] = field(default_factory=dict)  # sku -> channel -> quota
    queued: dict[str, dict[str, int]] = field(default_factory=dict)  # sku -> {id: sequence} of orders in line
    decisions: list[ports.Decision] = field(default_factory=list)
    shipments: list[ports.Shipment] = field(default_factory=list)
    shipment_ids: set[str] = field(default_factory=set)
    dead_letters: list[ports.DeadLetter] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)
    # Answers derived from a stored value, kept with that value (see ``derived``)
    views: dict[tuple[str, str], tuple[Any, Any]] = field(default_factory=dict)


class Undo:
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


class Repo:
    def __init__(self, store: MemoryStore, undo: Undo) -> None:
        self.s, self.u = store, undo


def copied(order: Preorder, **changes: Any) -> Preorder:
    """A shallow copy of a stored order with ``changes``: what ``dataclasses.replace`` does, without
    running ``__init__`` again (a run copies orders millions of times; the fields are already valid)."""
    clone = object.__new__(Preorder)
    clone.__dict__.update(order.__dict__)
    clone.__dict__.update(changes)
    return clone


def derived(store: MemoryStore, key: tuple[str, str], value: Any, compute: Callable[[], T]) -> T:
    """What ``compute`` derives from the stored ``value``, reused while ``value`` itself stays stored
    (stored values are replaced on change, never changed in place)."""
    seen = store.views.get(key)
    if seen is not None and seen[0] is value:
        return seen[1]
    answer = compute()
    store.views[key] = (value, answer)
    return answer


def put_order(repo: Repo, order_id: str, order: Preorder) -> None:
    """Store the order and keep the indexes (ready to ship, paused, in line, units per customer) in
    step; one undo step puts the previous version back the same way."""
    store = repo.s
    old = store.orders.get(order_id)
    _swap(store, order_id, old, order)
    repo.u.steps.append(functools.partial(_swap, store, order_id, order, old))


def _swap(store: MemoryStore, order_id: str, old: Preorder | None, new: Preorder | None) -> None:
    """Replace version ``old`` of the order by ``new`` (None: absent) in the store and its indexes."""
    if new is None:
        del store.orders[order_id]
    else:
        store.orders[order_id] = new
    status, was = (None if new is None else new.status), (None if old is None else old.status)
    if status is was:
        return
    for kind, index in ((OrderStatus.ALLOCATED, store.allocated), (OrderStatus.PAUSED, store.paused)):
        if status is kind:
            index[order_id] = None
        elif was is kind:
            del index[order_id]
    order = new if new is not None else old
    assert order is not None
    if (status in QUEUED) != (was in QUEUED):
        line = store.queued.setdefault(order.intent.sku, {})
        if status in QUEUED:
            line[order_id] = order.sequence
        else:
            del line[order_id]
    change = live_units(new) - live_units(old)
    if change:
        key = (order.account_id, order.intent.sku, order.intent.customer.id)
        store.held[key] = store.held.get(key, 0) + change
        units = store.by_channel.setdefault(order.intent.sku, {})
        units[order.intent.channel] = units.get(order.intent.channel, 0) + change


def live_units(order: Preorder | None) -> int:
    return 0 if order is None or order.status is OrderStatus.CANCELLED else order.intent.quantity


def record(
    repo: Repo, order_id: str, kind: str, at: datetime | None, cause: str | None, data: dict[str, Any]
) -> None:
    entries = repo.s.history.setdefault(order_id, [])
    repo.u.append(entries, {"type": kind, "at": at, "cause": cause, "data": data})


def bump_catalog(repo: Repo, skus: list[str]) -> None:
    """Tell placing that what it may have cached for these SKUs is stale."""
    for sku in skus:
        counters = repo.s.counters.get(sku)
        if counters is not None:
            repo.u.set(repo.s.counters, sku, {**counters, "catalog_version": counters["catalog_version"] + 1})
