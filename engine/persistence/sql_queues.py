"""A SKU's queue in SQL: O(1) counters for placing, and bulk reads/writes for whole-queue work."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import fields
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, bindparam, select, update

from engine.domain.orders import OrderStatus, Preorder
from engine.domain.queue_math import QueueSnapshot
from engine.persistence import tables
from engine.persistence.bulk import DeferredWrites, db_value, fetch_all, update_rows
from engine.persistence.line_history import write_line_entries
from engine.persistence.order_rows import order_from_row
from engine.service import ports

_Q, _P = tables.queues.c, tables.preorders.c
_COUNTERS = tuple(field.name for field in fields(ports.QueueCounters))
_QUEUE = f"SELECT {', '.join(_COUNTERS)} FROM queues WHERE sku = ?"  # every read of a SKU: via the driver
_LOCK = select(_Q.sku).where(_Q.sku == bindparam("sku")).with_for_update()
# The cap check and the increment are one statement, so oversell is impossible on any database.
# Every placement runs it: straight through the driver.
_RESERVE = (
    "UPDATE queues SET next_sequence = next_sequence + 1, units_reserved = units_reserved + ?,"
    " units_queued = units_queued + ?, orders_queued = orders_queued + 1"
    " WHERE sku = ? AND (cap_units IS NULL OR units_reserved + ? <= cap_units)"
    " RETURNING next_sequence, units_queued, orders_queued, units_on_hand, catalog_version"
)
_CHANGE = (
    update(tables.queues)
    .where(_Q.sku == bindparam("b_sku"))
    .values(
        units_reserved=_Q.units_reserved + bindparam("b_reserved"),
        units_queued=_Q.units_queued + bindparam("b_queued"),
        orders_queued=_Q.orders_queued + bindparam("b_orders"),
        units_allocated=_Q.units_allocated + bindparam("b_allocated"),
        units_on_hand=_Q.units_on_hand + bindparam("b_on_hand"),
    )
)
# One step down the (sku, status, sequence) index.
_WAITING = OrderStatus.PRE_ORDER.value
_WAITING_AHEAD = f"SELECT 1 FROM preorders WHERE sku = ? AND status = '{_WAITING}' AND sequence < ? LIMIT 1"
_DATE_COLUMNS = ("expected_availability", "window_earliest", "window_latest", "first_latest")
# Dates come back as days since 1970 so numpy takes them without building a Python date per value.
_DAYS = {
    "postgresql": "({} - DATE '1970-01-01')",
    "sqlite": "CAST(julianday({}) - 2440587.5 AS INTEGER)",
}


def _snapshot_sql(dialect: str) -> str:
    days = [_DAYS[dialect].format(column) for column in _DATE_COLUMNS]
    # SQLite also gives each row's rowid: the bulk writes that follow address rows by it.
    row_key = "rowid" if dialect == "sqlite" else "NULL"
    return (
        "SELECT id, sequence, quantity, status, ship_country, ship_region, "
        f"{days[0]}, {days[1]}, {days[2]}, window_confidence, promise_source, {days[3]}, conflict_reason,"
        f" {row_key} FROM preorders WHERE sku = ? AND status IN ('pre_order', 'paused') ORDER BY sequence"
    )


_PROMISE_COLUMNS = (
    "expected_availability",
    "window_earliest",
    "window_latest",
    "window_confidence",
    "promise_source",
    "conflict_reason",
    "conflict_days",
    "updated_at",
)
_PROMISE_TYPES = ("varchar", "date", "date", "date", "float8", "varchar", "text", "int4", "timestamptz")


def _promises(update: ports.PromiseUpdate) -> tuple[list[str], ...]:
    return update.availability, update.earliest, update.latest, update.sources


def _dates(days: tuple[Any, ...]) -> np.ndarray:
    return np.array(days, dtype=np.int64).astype("datetime64[D]")


class SqlQueues(ports.Queues):
    def __init__(self, connection: Connection, writes: DeferredWrites) -> None:
        self._c = connection
        self._writes = writes

    def reserve(self, sku: str, quantity: int) -> ports.Reservation | None:
        found = fetch_all(self._c, _RESERVE, (quantity, quantity, sku, quantity))
        if not found:
            return None
        next_sequence, units_queued, orders_queued, units_on_hand, catalog_version = found[0]
        return ports.Reservation(
            sequence=next_sequence - 1,
            units_ahead=units_queued - quantity,
            orders_ahead=orders_queued - 1,
            units_on_hand=units_on_hand,
            catalog_version=catalog_version,
        )

    def get(self, sku: str) -> ports.QueueCounters | None:
        found = fetch_all(self._c, _QUEUE, (sku,))
        return ports.QueueCounters(*found[0]) if found else None

    def change(self, sku: str, change: ports.CounterChange) -> None:
        self._c.execute(
            _CHANGE,
            {
                "b_sku": sku,
                "b_reserved": change.units_reserved,
                "b_queued": change.units_queued,
                "b_orders": change.orders_queued,
                "b_allocated": change.units_allocated,
                "b_on_hand": change.units_on_hand,
            },
        )

    def lock(self, sku: str) -> None:
        # FOR UPDATE on PostgreSQL; on SQLite the writer already holds the database (BEGIN IMMEDIATE).
        self._c.execute(_LOCK, {"sku": sku})

    def waiting_ahead(self, sku: str, sequence: int) -> bool:
        return bool(fetch_all(self._c, _WAITING_AHEAD, (sku, sequence)))

    def active_skus(self, facilities: Collection[str] | None = None) -> list[str]:
        query = select(_Q.sku).where(_Q.orders_queued > 0).order_by(_Q.sku)
        if facilities is not None:
            shipped = select(tables.products.c.sku).where(tables.products.c.facility.in_(sorted(facilities)))
            query = query.where(_Q.sku.in_(shipped))
        return list(self._c.execute(query).scalars())

    def snapshot(self, sku: str) -> QueueSnapshot:
        dialect = self._c.dialect.name
        rows = fetch_all(self._c, _snapshot_sql(dialect), (sku,))
        columns: list[tuple[Any, ...]] = list(zip(*rows, strict=True)) if rows else [() for _ in range(14)]
        destinations: dict[tuple[str, str | None], int] = {}
        index = [
            destinations.setdefault(destination, len(destinations))
            for destination in zip(columns[4], columns[5], strict=True)
        ]
        return QueueSnapshot(
            ids=list(columns[0]),
            sequences=np.array(columns[1], dtype=np.int64),
            quantities=np.array(columns[2], dtype=np.int64),
            paused=np.array(columns[3], dtype=object) == OrderStatus.PAUSED.value,
            destinations=list(destinations),
            destination_index=np.array(index, dtype=np.int64),
            availability=_dates(columns[6]),
            earliest=_dates(columns[7]),
            latest=_dates(columns[8]),
            confidence=np.array(columns[9], dtype=float),
            sources=np.array(columns[10], dtype=object),
            first_latest=_dates(columns[11]),
            conflicts=np.array(columns[12], dtype=object),
            row_keys=np.array(columns[13], dtype=np.int64) if dialect == "sqlite" else None,
        )

    def write_promises(self, sku: str, update: ports.PromiseUpdate, now: datetime) -> None:
        self._write_promise_columns(update, db_value(self._c, now))
        sequences, promises = update.sequences, _promises(update)
        if not all(update.moved):  # some only changed their conflict flag: no history entry for them
            moved = [k for k, flag in enumerate(update.moved) if flag]
            sequences = [sequences[k] for k in moved]
            promises = tuple([values[k] for k in moved] for values in promises)
        write_line_entries(
            self._c,
            self._writes,
            sku=sku,
            kind="promise_changed",
            at=now,
            cause=update.cause,
            sequences=sequences,
            promises=promises,
        )

    def _write_promise_columns(
        self, update: ports.PromiseUpdate, stamp: Any, status: str | None = None
    ) -> None:
        dates: tuple[list[Any], ...] = (update.availability, update.earliest, update.latest)
        if self._c.dialect.name != "sqlite":  # SQLite stores ISO text; PostgreSQL's binary COPY takes dates
            parsed = {text: date.fromisoformat(text) for text in set().union(*dates)}  # few distinct
            dates = tuple([parsed[text] for text in iso] for iso in dates)
        columns: list[Any] = [
            *dates,
            update.confidence,
            update.sources,
            update.conflicts,
            update.conflict_days,
            [stamp] * len(update.ids),
        ]
        names: tuple[str, ...] = _PROMISE_COLUMNS
        types: tuple[str, ...] = _PROMISE_TYPES
        if status is not None:
            columns.append([status] * len(update.ids))
            names, types = (*names, "status"), (*types, "varchar")
        keys = update.ids if update.row_keys is None else update.row_keys
        update_rows(
            self._c,
            "preorders",
            "id" if update.row_keys is None else "rowid",
            names,
            types,
            list(zip(*columns, keys, strict=True)),
        )

    def mark_allocated(
        self,
        sku: str,
        allocated: QueueSnapshot,
        receipt: str,
        now: datetime,
        promises: ports.PromiseUpdate | None,
    ) -> None:
        stamp = db_value(self._c, now)
        if promises is None:
            update_rows(
                self._c,
                "preorders",
                "id",
                ("status", "updated_at"),
                ("varchar", "varchar", "timestamptz"),
                [("allocated", stamp, order_id) for order_id in allocated.ids],
            )
        else:  # status and promise in one statement; the history entry carries the new promise
            assert promises.ids == allocated.ids
            self._write_promise_columns(promises, stamp, status="allocated")
        write_line_entries(
            self._c,
            self._writes,
            sku=sku,
            kind="preorder_allocated",
            at=now,
            cause=f"receipt {receipt}",
            sequences=allocated.sequences.tolist(),
            quantities=allocated.quantities.tolist(),
            promises=None if promises is None else _promises(promises),
            data={"receipt": receipt},
        )

    def page(self, sku: str, after_sequence: int, limit: int) -> list[Preorder]:
        statuses = [OrderStatus.PRE_ORDER.value, OrderStatus.PAUSED.value, OrderStatus.ALLOCATED.value]
        result = self._c.execute(
            select(tables.preorders)
            .where(_P.sku == sku, _P.status.in_(statuses), _P.sequence > after_sequence)
            .order_by(_P.sequence)
            .limit(limit)
        )
        return [order_from_row(row) for row in result]
