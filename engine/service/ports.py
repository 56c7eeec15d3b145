"""What the use cases need from storage. SQL and in-memory adapters implement these."""

from __future__ import annotations

import abc
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Any

from engine.domain.catalog import Product
from engine.domain.events import Event
from engine.domain.lanes import Lane
from engine.domain.orders import Preorder
from engine.domain.queue_math import QueueSnapshot
from engine.domain.supply import SupplyPlan
from engine.service.agent_records import Decision as Decision
from engine.service.agent_records import Decisions as Decisions
from engine.service.agent_records import Quota as Quota
from engine.service.agent_records import Quotas as Quotas
from engine.service.agent_records import Shipment as Shipment
from engine.service.agent_records import Shipments as Shipments
from engine.service.dead_letter_store import DeadLetter as DeadLetter
from engine.service.dead_letter_store import DeadLetters as DeadLetters
from engine.service.dead_letter_store import retry_delay as retry_delay
from engine.service.ready_orders import OrderState, ReadyOrders


@dataclass(frozen=True)
class Reservation:
    """A place taken in a SKU's queue: the order's sequence and what is queued ahead of it."""

    sequence: int
    units_ahead: int
    orders_ahead: int
    units_on_hand: int
    catalog_version: int = 0


@dataclass(frozen=True)
class QueueCounters:
    sku: str
    cap_units: int | None
    next_sequence: int
    units_reserved: int
    units_queued: int
    orders_queued: int
    units_allocated: int
    units_on_hand: int
    catalog_version: int = 0


@dataclass(frozen=True)
class CounterChange:
    """Deltas applied to a SKU's queue counters in one statement."""

    units_reserved: int = 0
    units_queued: int = 0
    orders_queued: int = 0
    units_allocated: int = 0
    units_on_hand: int = 0


@dataclass(frozen=True)
class PromiseUpdate:
    """New promise values for some orders of one SKU (in queue order); those that ``moved`` get a history
    entry (the others only changed their conflict flag)."""

    ids: list[str]
    sequences: list[int]
    availability: list[str]  # ISO dates
    earliest: list[str]
    latest: list[str]
    confidence: list[float]
    sources: list[str]
    conflicts: list[str | None]
    conflict_days: list[int]
    moved: list[bool]
    cause: str
    row_keys: list[int] | None = None  # the store's own row addresses, from the snapshot, if it gave them


@dataclass(frozen=True)
class Receipt:
    sku: str
    reference: str
    quantity: int
    lot_id: str | None
    received_at: datetime
    allocated_orders: list[str]
    left_on_hand: int


@dataclass(frozen=True)
class OrderQuery:
    account_id: str
    limit: int
    after: str | None = None
    sku: str | None = None
    status: str | None = None
    customer_id: str | None = None


@dataclass(frozen=True)
class ApiKey:
    id: str
    account_id: str
    key_hash: str
    scopes: frozenset[str]
    created_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class IdempotencyRecord:
    account_id: str
    key: str
    request_hash: str
    order_id: str
    response: dict[str, Any]
    created_at: datetime


class Products(abc.ABC):
    @abc.abstractmethod
    def get(self, sku: str) -> Product | None: ...

    @abc.abstractmethod
    def all(self) -> list[Product]: ...

    @abc.abstractmethod
    def set_price(self, sku: str, price: Decimal, at: datetime) -> None: ...

    @abc.abstractmethod
    def put(self, product: Product) -> bool:
        """Create or replace; True when created. Keeps the queue's cap in step."""


class SupplyPlans(abc.ABC):
    @abc.abstractmethod
    def get(self, sku: str) -> SupplyPlan: ...

    @abc.abstractmethod
    def replace(self, plan: SupplyPlan, now: datetime) -> SupplyPlan:
        """Store ``plan`` as the next version and return it with that version."""

    @abc.abstractmethod
    def reduce_lot(self, sku: str, lot_id: str, quantity: int) -> int:
        """Lower the lot's outstanding quantity by up to ``quantity``; returns how much it dropped."""


class Lanes(abc.ABC):
    @abc.abstractmethod
    def for_facility(self, facility: str) -> list[Lane]: ...

    @abc.abstractmethod
    def replace_facilities(self, lanes: list[Lane]) -> None:
        """Replace every lane of the facilities named in ``lanes``."""


class Queues(abc.ABC):
    @abc.abstractmethod
    def reserve(self, sku: str, quantity: int) -> Reservation | None:
        """Atomically take the next sequence and ``quantity`` units under the cap; None if over it."""

    @abc.abstractmethod
    def get(self, sku: str) -> QueueCounters | None: ...

    @abc.abstractmethod
    def change(self, sku: str, change: CounterChange) -> None: ...

    @abc.abstractmethod
    def lock(self, sku: str) -> None:
        """Hold the SKU's line until the transaction ends: whole-queue changes run one at a time."""

    @abc.abstractmethod
    def active_skus(self, facilities: Collection[str] | None = None) -> list[str]:
        """SKUs with orders in line (of products shipped from ``facilities``, if given), in SKU order."""

    @abc.abstractmethod
    def waiting_ahead(self, sku: str, sequence: int) -> bool:
        """Whether a waiting (not paused) order is ahead of ``sequence`` in the SKU's line; O(log n)."""

    @abc.abstractmethod
    def snapshot(self, sku: str) -> QueueSnapshot:
        """The queued (waiting or paused) orders of the SKU in sequence order, as arrays."""

    @abc.abstractmethod
    def write_promises(self, sku: str, update: PromiseUpdate, now: datetime) -> None: ...

    @abc.abstractmethod
    def mark_allocated(
        self,
        sku: str,
        allocated: QueueSnapshot,
        receipt: str,
        now: datetime,
        promises: PromiseUpdate | None,
    ) -> None:
        """``allocated``'s orders are allocated, with their new promises (same orders, in order) if given."""

    @abc.abstractmethod
    def page(self, sku: str, after_sequence: int, limit: int) -> list[Preorder]:
        """Orders of the SKU still in line or allocated, by sequence, after ``after_sequence``."""


class Preorders(abc.ABC):
    @abc.abstractmethod
    def add(self, order: Preorder) -> None: ...

    @abc.abstractmethod
    def customer_units(self, account_id: str, sku: str, customer_id: str) -> int:
        """Units of this SKU the customer holds in live (not cancelled) orders of the account."""

    @abc.abstractmethod
    def get(self, order_id: str) -> Preorder | None: ...

    @abc.abstractmethod
    def states(self, order_ids: Sequence[str]) -> list[OrderState]:
        """Id, SKU, quantity and status of the orders among ``order_ids``, in that order (unknown ids
        left out), read together."""

    @abc.abstractmethod
    def ahead_of(self, sku: str, sequence: int) -> tuple[int, int]:
        """(orders, units) queued (waiting or paused) ahead of ``sequence`` in the SKU's queue."""

    @abc.abstractmethod
    def page(self, query: OrderQuery) -> list[Preorder]:
        """Orders of one account in id order, after ``query.after`` (exclusive), at most ``query.limit``."""

    @abc.abstractmethod
    def save(self, order: Preorder) -> None:
        """Store the order's status, pause and conflict fields and append its new events."""

    @abc.abstractmethod
    def history(self, order: Preorder) -> list[dict[str, Any]]:
        """Every recorded event of the (stored) order, oldest first: type, at, cause and data."""

    @abc.abstractmethod
    def pauses_ending(self, now: datetime, limit: int) -> list[Preorder]:
        """Paused orders whose maximum pause has run out by ``now``."""

    @abc.abstractmethod
    def conflicts(self, limit: int, offset: int) -> list[Preorder]:
        """Queued orders flagged as breaking their first promise, worst first."""

    @abc.abstractmethod
    def ready_to_ship(self, limit: int) -> ReadyOrders:
        """Orders ready to ship (allocated, not yet shipped), oldest first: only what shipping reads."""

    @abc.abstractmethod
    def channel_units(self, sku: str) -> dict[str, int]:
        """Units of live (not cancelled) orders of the SKU per channel."""

    @abc.abstractmethod
    def mark_shipped(self, ids: list[str], shipment_id: str, now: datetime, cause: str) -> None: ...

    @abc.abstractmethod
    def mark_delivered(self, ids: list[str], now: datetime) -> None: ...


class Receipts(abc.ABC):
    @abc.abstractmethod
    def get(self, sku: str, reference: str) -> Receipt | None: ...

    @abc.abstractmethod
    def add(self, receipt: Receipt) -> None: ...


class Idempotency(abc.ABC):
    @abc.abstractmethod
    def get(self, account_id: str, key: str) -> IdempotencyRecord | None: ...

    @abc.abstractmethod
    def add(self, record: IdempotencyRecord) -> None: ...


class Accounts(abc.ABC):
    @abc.abstractmethod
    def ensure(self, account_id: str, now: datetime) -> None: ...

    @abc.abstractmethod
    def add_key(self, key: ApiKey) -> None: ...

    @abc.abstractmethod
    def key_by_hash(self, key_hash: str) -> ApiKey | None: ...

    @abc.abstractmethod
    def revoke_key(self, key_id: str, now: datetime) -> bool:
        """Revoke the key (again, harmlessly); False when no such key exists."""


class UnitOfWork(abc.ABC):
    """One transaction. Only ``commit`` makes changes visible; leaving without it rolls back."""

    products: Products
    supply: SupplyPlans
    lanes: Lanes
    queues: Queues
    preorders: Preorders
    idempotency: Idempotency
    accounts: Accounts
    receipts: Receipts
    quotas: Quotas
    decisions: Decisions
    shipments: Shipments

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    @abc.abstractmethod
    def publish(self, events: Iterable[Event], key: str) -> None:
        """Store events in the outbox, in this transaction."""

    @abc.abstractmethod
    def outbox_after(self, cursor: int, limit: int) -> list[tuple[int, str, str, dict[str, Any]]]:
        """Outbox messages after ``cursor`` in order: (id, topic, key, payload)."""

    @abc.abstractmethod
    def outbox_end(self) -> int:
        """The id of the newest outbox message (0 when there is none): a cursor that skips them all."""

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...
