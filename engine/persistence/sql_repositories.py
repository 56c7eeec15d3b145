"""SQL repositories over one connection (the unit of work's transaction)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from engine.domain.catalog import Product
from engine.domain.lanes import Lane
from engine.domain.orders import OrderStatus, Preorder
from engine.domain.supply import SupplyPlan
from engine.persistence import rows, tables
from engine.persistence.bulk import db_value, execute_many
from engine.persistence.order_rows import order_from_row
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
_INSERT_ORDER = insert(tables.preorders)
_EVENT = "INSERT INTO order_events (order_id, type, at, cause, data) VALUES (?, ?, ?, ?, ?)"
_CUSTOMER_UNITS = select(func.coalesce(func.sum(_P.quantity), 0)).where(
    _P.account_id == bindparam("account_id"),
    _P.sku == bindparam("sku"),
    _P.customer_id == bindparam("customer_id"),
    _P.status != OrderStatus.CANCELLED.value,
)
_IDEMPOTENCY = select(tables.idempotency_records).where(
    tables.idempotency_records.c.account_id == bindparam("account_id"),
    tables.idempotency_records.c.key == bindparam("key"),
)
_INSERT_IDEMPOTENCY = insert(tables.idempotency_records)
_KEY_BY_HASH = select(tables.api_keys).where(tables.api_keys.c.key_hash == bindparam("key_hash"))


class SqlProducts(ports.Products):
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self, sku: str) -> Product | None:
        row = self._c.execute(_PRODUCT, {"sku": sku}).first()
        return None if row is None else rows.product_from_row(row)

    def put(self, product: Product) -> bool:
        values = rows.product_to_row(product, datetime.now().astimezone())
        changed = self._c.execute(
            update(tables.products).where(tables.products.c.sku == product.sku).values(values)
        ).rowcount
        if changed:
            self._c.execute(
                update(tables.queues)
                .where(tables.queues.c.sku == product.sku)
                .values(cap_units=product.terms.cap_units)
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
        return SupplyPlan(sku=plan.sku, version=version, lots=plan.lots, beyond_plan=plan.beyond_plan)

    def reduce_lot(self, sku: str, lot_id: str, quantity: int) -> int:
        lots = tables.supply_lots.c
        where = (lots.sku == sku, lots.lot_id == lot_id)
        outstanding = self._c.execute(select(lots.quantity).where(*where)).scalar()
        if outstanding is None:
            return 0
        drop = min(int(outstanding), quantity)
        self._c.execute(update(tables.supply_lots).where(*where).values(quantity=lots.quantity - drop))
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


class SqlPreorders(ports.Preorders):
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, order: Preorder) -> None:
        intent, promise = order.intent, order.promise
        address = intent.customer.shipping_address
        self._c.execute(
            _INSERT_ORDER,
            dict(
                id=order.id,
                number=order.number,
                account_id=order.account_id,
                channel=intent.channel,
                external_id=intent.external_id,
                sku=intent.sku,
                quantity=intent.quantity,
                sequence=order.sequence,
                status=order.status.value,
                customer_id=intent.customer.id,
                customer_email=intent.customer.email,
                customer_name=intent.customer.name,
                ship_country=address.country,
                ship_region=address.region,
                ship_postal_code=address.postal_code,
                ship_city=address.city,
                ship_line1=address.line1,
                unit_price=str(order.unit_price),
                currency=order.currency,
                expected_availability=promise.expected_availability,
                window_earliest=promise.delivery_window.earliest,
                window_latest=promise.delivery_window.latest,
                window_confidence=promise.delivery_window.confidence,
                promise_source=promise.source,
                first_latest=promise.delivery_window.latest,
                created_at=order.created_at,
                updated_at=order.created_at,
            ),
        )
        self._add_events(order)

    def customer_units(self, account_id: str, sku: str, customer_id: str) -> int:
        params = {"account_id": account_id, "sku": sku, "customer_id": customer_id}
        return int(self._c.execute(_CUSTOMER_UNITS, params).scalar() or 0)

    def get(self, order_id: str) -> Preorder | None:
        row = self._c.execute(select(tables.preorders).where(tables.preorders.c.id == order_id)).first()
        return None if row is None else order_from_row(row)

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
            rows_.append(
                (order.id, event.name, db_value(self._c, getattr(event, "at", None)), cause, json.dumps(data))
            )
        execute_many(self._c, _EVENT, rows_)

    def history(self, order_id: str) -> list[dict[str, Any]]:
        e = tables.order_events.c
        result = self._c.execute(select(tables.order_events).where(e.order_id == order_id).order_by(e.id))
        return [
            {"type": row.type, "at": rows.utc(row.at), "cause": row.cause, "data": row.data} for row in result
        ]

    def pauses_ending(self, now: datetime, limit: int) -> list[Preorder]:
        result = self._c.execute(
            select(tables.preorders)
            .where(_P.status == OrderStatus.PAUSED.value, _P.resume_by.is_not(None), _P.resume_by <= now)
            .order_by(_P.resume_by)
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


class SqlIdempotency(ports.Idempotency):
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self, account_id: str, key: str) -> ports.IdempotencyRecord | None:
        row = self._c.execute(_IDEMPOTENCY, {"account_id": account_id, "key": key}).first()
        if row is None:
            return None
        data: dict[str, Any] = row._asdict()
        data["created_at"] = rows.utc(data["created_at"])
        return ports.IdempotencyRecord(**data)

    def add(self, record: ports.IdempotencyRecord) -> None:
        self._c.execute(_INSERT_IDEMPOTENCY, record.__dict__)


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
        row = self._c.execute(_KEY_BY_HASH, {"key_hash": key_hash}).first()
        if row is None:
            return None
        return ports.ApiKey(
            id=row.id,
            account_id=row.account_id,
            key_hash=row.key_hash,
            scopes=frozenset(row.scopes.split()),
            created_at=rows.utc(row.created_at) or row.created_at,
            revoked_at=rows.utc(row.revoked_at),
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
