"""An in-memory engine store with real transactions, for simulations and fast tests."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from engine.domain.catalog import Product
from engine.domain.events import Event
from engine.domain.lanes import Lane
from engine.domain.supply import SupplyPlan
from engine.persistence.memory_agents import MemoryDecisions, MemoryQuotas, MemoryShipments
from engine.persistence.memory_orders import MemoryPreorders, MemoryQueues
from engine.persistence.memory_store import MemoryStore, Repo, Undo, bump_catalog
from engine.service import ports
from engine.service.transactions import TransactionRunner

T = TypeVar("T")
__all__ = ["MemoryDeadLetters", "MemoryStore", "MemoryTransactionRunner", "MemoryUnitOfWork"]


class MemoryProducts(Repo, ports.Products):
    def get(self, sku: str) -> Product | None:
        return self.s.products.get(sku)

    def all(self) -> list[Product]:
        return [self.s.products[sku] for sku in sorted(self.s.products)]

    def set_price(self, sku: str, price: Decimal, at: datetime) -> None:
        product = replace(self.s.products[sku], current_price=price, price_changed_at=at)
        self.u.set(self.s.products, sku, product)
        bump_catalog(self, [sku])

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
            "catalog_version": 0,
        }
        version = counters["catalog_version"] + 1
        self.u.set(
            self.s.counters,
            product.sku,
            {**counters, "cap_units": product.terms.cap_units, "catalog_version": version},
        )
        if created:
            self.u.set(self.s.lines, product.sku, [])
        return created


class MemorySupplyPlans(Repo, ports.SupplyPlans):
    def get(self, sku: str) -> SupplyPlan:
        return self.s.plans.get(sku) or SupplyPlan(sku=sku)

    def replace(self, plan: SupplyPlan, now: datetime) -> SupplyPlan:
        stored = replace(plan, version=self.get(plan.sku).version + 1)
        self.u.set(self.s.plans, plan.sku, stored)
        bump_catalog(self, [plan.sku])
        return stored

    def reduce_lot(self, sku: str, lot_id: str, quantity: int) -> int:
        plan = self.get(sku)
        lots = list(plan.lots)
        for i, lot in enumerate(lots):
            if lot.id == lot_id:
                drop = min(lot.quantity, quantity)
                lots[i] = replace(lot, quantity=lot.quantity - drop)
                self.u.set(self.s.plans, sku, replace(plan, lots=tuple(lots)))
                bump_catalog(self, [sku])
                return drop
        return 0


class MemoryLanes(Repo, ports.Lanes):
    def for_facility(self, facility: str) -> list[Lane]:
        return list(self.s.lanes.get(facility, []))

    def replace_facilities(self, lanes: list[Lane]) -> None:
        facilities = {lane.facility for lane in lanes}
        for facility in facilities:
            self.u.set(self.s.lanes, facility, [lane for lane in lanes if lane.facility == facility])
        bump_catalog(self, [p.sku for p in self.s.products.values() if p.facility in facilities])


class MemoryIdempotency(Repo, ports.Idempotency):
    def get(self, account_id: str, key: str) -> ports.IdempotencyRecord | None:
        return self.s.idempotency.get((account_id, key))

    def add(self, record: ports.IdempotencyRecord) -> None:
        self.u.set(self.s.idempotency, (record.account_id, record.key), record)


class MemoryAccounts(Repo, ports.Accounts):
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


class MemoryReceipts(Repo, ports.Receipts):
    def get(self, sku: str, reference: str) -> ports.Receipt | None:
        return self.s.receipts.get((sku, reference))

    def add(self, receipt: ports.Receipt) -> None:
        self.u.set(self.s.receipts, (receipt.sku, receipt.reference), receipt)


class MemoryUnitOfWork(ports.UnitOfWork):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self._undo = Undo()
        self.products = MemoryProducts(store, self._undo)
        self.supply = MemorySupplyPlans(store, self._undo)
        self.lanes = MemoryLanes(store, self._undo)
        self.queues = MemoryQueues(store, self._undo)
        self.preorders = MemoryPreorders(store, self._undo)
        self.idempotency = MemoryIdempotency(store, self._undo)
        self.accounts = MemoryAccounts(store, self._undo)
        self.receipts = MemoryReceipts(store, self._undo)
        self.quotas = MemoryQuotas(store, self._undo)
        self.decisions = MemoryDecisions(store, self._undo)
        self.shipments = MemoryShipments(store, self._undo)

    def publish(self, events: Iterable[Event], key: str) -> None:
        for event in events:
            self._undo.append(
                self.store.outbox, {"topic": event.name, "key": key, "payload": event.payload()}
            )

    def outbox_after(self, cursor: int, limit: int) -> list[tuple[int, str, str, dict[str, Any]]]:
        chosen = self.store.outbox[cursor : cursor + limit]
        return [(cursor + k + 1, m["topic"], m["key"], m["payload"]) for k, m in enumerate(chosen)]

    def outbox_end(self) -> int:
        return len(self.store.outbox)

    def commit(self) -> None:
        self._undo.steps.clear()

    def rollback(self) -> None:
        self._undo.rollback()


class MemoryTransactionRunner(TransactionRunner):
    """Transactions run one at a time (a store-wide lock), like SQLite's single writer."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def run(self, work: Callable[[ports.UnitOfWork], T], *, writes: bool = True, snapshot: bool = True) -> T:
        with self.store.lock, MemoryUnitOfWork(self.store) as uow:
            return work(uow)


class MemoryDeadLetters(ports.DeadLetters):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def add(self, *, account_id: str | None, source: str, payload: str, reason: str, attempts: int) -> int:
        with self.store.lock:
            letter_id = len(self.store.dead_letters) + 1
            self.store.dead_letters.append(
                ports.DeadLetter(letter_id, account_id, source, payload, reason, attempts, datetime.now(UTC))
            )
            return letter_id

    def page(
        self, *, limit: int, offset: int = 0, pending_only: bool = True, due_at: datetime | None = None
    ) -> list[ports.DeadLetter]:
        letters = [
            d
            for d in self.store.dead_letters
            if ((not pending_only and due_at is None) or d.resolved_at is None)
            and (due_at is None or d.retry_at is None or d.retry_at <= due_at)
        ]
        return letters[offset : offset + limit]

    def settle(self, letter_id: int, *, outcome: str | None, reason: str | None) -> None:
        with self.store.lock:
            letter = self.store.dead_letters[letter_id - 1]
            self.store.dead_letters[letter_id - 1] = (
                replace(letter, resolved_at=datetime.now(UTC), outcome=outcome)
                if outcome is not None
                else replace(
                    letter,
                    attempts=letter.attempts + 1,
                    reason=reason or letter.reason,
                    retry_at=datetime.now(UTC) + ports.retry_delay(letter.attempts + 1),
                )
            )
