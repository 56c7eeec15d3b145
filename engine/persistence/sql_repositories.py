"""SQL repositories over one connection (the unit of work's transaction)."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from engine.domain.catalog import Product
from engine.domain.lanes import Lane
from engine.domain.supply import SupplyPlan
from engine.persistence import rows, tables
from engine.persistence.bulk import DeferredWrites, fetch_all
from engine.service import ports

# Statements on the hot path are built once: building them per call cost more than running them.
_P = tables.preorders.c
_PRODUCT = select(tables.products).where(tables.products.c.sku == bindparam("sku"))
_PLAN = select(tables.supply_plans).where(tables.supply_plans.c.sku == bindparam("sku"))
_LOTS = (
    select(tables.supply_lots)
    .where(tables.supply_lots.c.sku == bindparam("sku"))
    .order_by(tables.supply_lots.c.expected_date, tables.supply_lots.c.lot_id)
)
_LANES = select(tables.lanes).where(tables.lanes.c.facility == bindparam("facility"))
_IDEMPOTENCY = (
    "SELECT request_hash, order_id, response, created_at FROM idempotency_records"
    " WHERE account_id = ? AND key = ?"
)
_INSERT_IDEMPOTENCY = (
    "INSERT INTO idempotency_records (account_id, key, request_hash, order_id, response, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)
# Every request looks its key up: straight through the driver, without a result-row layer.
_KEY_BY_HASH = "SELECT id, account_id, scopes, created_at, revoked_at FROM api_keys WHERE key_hash = ?"


def bump_catalog(connection: Connection, where: Any) -> None:
    """Tell placing that what it may have cached for these SKUs is stale."""
    connection.execute(
        update(tables.queues).where(where).values(catalog_version=tables.queues.c.catalog_version + 1)
    )


class SqlProducts(ports.Products):
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self, sku: str) -> Product | None:
        row = self._c.execute(_PRODUCT, {"sku": sku}).first()
        return None if row is None else rows.product_from_row(row)

    def all(self) -> list[Product]:
        result = self._c.execute(select(tables.products).order_by(tables.products.c.sku))
        return [rows.product_from_row(row) for row in result]

    def set_price(self, sku: str, price: Decimal, at: datetime) -> None:
        self._c.execute(
            update(tables.products)
            .where(tables.products.c.sku == sku)
            .values(current_price=str(price), price_changed_at=at)
        )
        bump_catalog(self._c, tables.queues.c.sku == sku)

    def put(self, product: Product) -> bool:
        values = rows.product_to_row(product, datetime.now().astimezone())
        changed = self._c.execute(
            update(tables.products).where(tables.products.c.sku == product.sku).values(values)
        ).rowcount
        if changed:
            self._c.execute(
                update(tables.queues)
                .where(tables.queues.c.sku == product.sku)
                .values(
                    cap_units=product.terms.cap_units, catalog_version=tables.queues.c.catalog_version + 1
                )
            )
            return False
        self._c.execute(insert(tables.products).values(values))
        self._c.execute(
            insert(tables.queues).values(
                sku=product.sku,
                cap_units=product.terms.cap_units,
                next_sequence=1,
                units_reserved=0,
                units_queued=0,
                orders_queued=0,
                units_allocated=0,
                units_on_hand=0,
            )
        )
        return True


class SqlSupplyPlans(ports.SupplyPlans):
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self, sku: str) -> SupplyPlan:
        head = self._c.execute(_PLAN, {"sku": sku}).first()
        if head is None:
            return SupplyPlan(sku=sku)
        lots = self._c.execute(_LOTS, {"sku": sku}).all()
        return SupplyPlan(
            sku=sku,
            version=head.version,
            lots=tuple(rows.lot_from_row(row) for row in lots),
            beyond_plan=rows.beyond_from_json(head.beyond_plan),
        )

    def replace(self, plan: SupplyPlan, now: datetime) -> SupplyPlan:
        table = tables.supply_plans
        version = self._c.execute(select(table.c.version).where(table.c.sku == plan.sku)).scalar()
        beyond = rows.beyond_to_json(plan.beyond_plan)
        if version is None:
            version = 1
            self._c.execute(
                insert(table).values(sku=plan.sku, version=version, beyond_plan=beyond, updated_at=now)
            )
        else:
            version += 1
            self._c.execute(
                update(table)
                .where(table.c.sku == plan.sku)
                .values(version=version, beyond_plan=beyond, updated_at=now)
            )
        self._c.execute(delete(tables.supply_lots).where(tables.supply_lots.c.sku == plan.sku))
        if plan.lots:
            self._c.execute(insert(tables.supply_lots), [rows.lot_to_row(plan.sku, lot) for lot in plan.lots])
        bump_catalog(self._c, tables.queues.c.sku == plan.sku)
        return SupplyPlan(sku=plan.sku, version=version, lots=plan.lots, beyond_plan=plan.beyond_plan)

    def reduce_lot(self, sku: str, lot_id: str, quantity: int) -> int:
        lots = tables.supply_lots.c
        where = (lots.sku == sku, lots.lot_id == lot_id)
        outstanding = self._c.execute(select(lots.quantity).where(*where)).scalar()
        if outstanding is None:
            return 0
        drop = min(int(outstanding), quantity)
        self._c.execute(update(tables.supply_lots).where(*where).values(quantity=lots.quantity - drop))
        bump_catalog(self._c, tables.queues.c.sku == sku)
        return drop


class SqlLanes(ports.Lanes):
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def for_facility(self, facility: str) -> list[Lane]:
        return [rows.lane_from_row(row) for row in self._c.execute(_LANES, {"facility": facility})]

    def replace_facilities(self, lanes: list[Lane]) -> None:
        facilities = sorted({lane.facility for lane in lanes})
        self._c.execute(delete(tables.lanes).where(tables.lanes.c.facility.in_(facilities)))
        if lanes:
            self._c.execute(insert(tables.lanes), [rows.lane_to_row(lane) for lane in lanes])
        served = select(tables.products.c.sku).where(tables.products.c.facility.in_(facilities))
        bump_catalog(self._c, tables.queues.c.sku.in_(served))


class SqlIdempotency(ports.Idempotency):
    def __init__(self, connection: Connection, writes: DeferredWrites) -> None:
        self._c = connection
        self._writes = writes

    def get(self, account_id: str, key: str) -> ports.IdempotencyRecord | None:
        found = fetch_all(self._c, _IDEMPOTENCY, (account_id, key))
        if not found:
            return None
        request_hash, order_id, response, created_at = found[0]
        return ports.IdempotencyRecord(
            account_id,
            key,
            request_hash,
            order_id,
            json.loads(response) if isinstance(response, str) else response,  # JSON is text on SQLite
            rows.stored_time(created_at),
        )

    def add(self, record: ports.IdempotencyRecord) -> None:
        row = (
            record.account_id,
            record.key,
            record.request_hash,
            record.order_id,
            json.dumps(record.response),
            record.created_at,
        )
        self._writes.add(_INSERT_IDEMPOTENCY, [row])


class SqlAccounts(ports.Accounts):
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def ensure(self, account_id: str, now: datetime) -> None:
        exists = self._c.execute(
            select(tables.accounts.c.id).where(tables.accounts.c.id == account_id)
        ).first()
        if exists is None:
            self._c.execute(insert(tables.accounts).values(id=account_id, created_at=now))

    def add_key(self, key: ports.ApiKey) -> None:
        self._c.execute(
            insert(tables.api_keys).values(
                id=key.id,
                account_id=key.account_id,
                key_hash=key.key_hash,
                scopes=" ".join(sorted(key.scopes)),
                created_at=key.created_at,
                revoked_at=key.revoked_at,
            )
        )

    def key_by_hash(self, key_hash: str) -> ports.ApiKey | None:
        found = fetch_all(self._c, _KEY_BY_HASH, (key_hash,))
        if not found:
            return None
        key_id, account_id, scopes, created_at, revoked_at = found[0]
        return ports.ApiKey(
            id=key_id,
            account_id=account_id,
            key_hash=key_hash,
            scopes=frozenset(scopes.split()),
            created_at=rows.stored_time(created_at),
            revoked_at=None if revoked_at is None else rows.stored_time(revoked_at),
        )

    def revoke_key(self, key_id: str, now: datetime) -> bool:
        k = tables.api_keys.c
        # Revoking twice is harmless: the first revocation time is kept.
        result = self._c.execute(
            update(tables.api_keys).where(k.id == key_id).values(revoked_at=func.coalesce(k.revoked_at, now))
        )
        return bool(result.rowcount)


class SqlReceipts(ports.Receipts):
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self, sku: str, reference: str) -> ports.Receipt | None:
        r = tables.receipts.c
        row = self._c.execute(select(tables.receipts).where(r.sku == sku, r.reference == reference)).first()
        if row is None:
            return None
        data = row._asdict()
        data["received_at"] = rows.utc(data["received_at"])
        return ports.Receipt(**data)

    def add(self, receipt: ports.Receipt) -> None:
        self._c.execute(insert(tables.receipts).values(**receipt.__dict__))
