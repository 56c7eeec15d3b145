"""The SQL unit of work: one connection, one transaction, repositories bound to it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select, update

from engine.domain.errors import DomainError
from engine.domain.events import Event
from engine.persistence import rows, tables
from engine.persistence.bulk import DeferredWrites
from engine.persistence.database import Database
from engine.persistence.sql_agents import SqlDecisions, SqlQuotas, SqlShipments
from engine.persistence.sql_preorders import SqlPreorders
from engine.persistence.sql_queues import SqlQueues
from engine.persistence.sql_repositories import (
    SqlAccounts,
    SqlIdempotency,
    SqlLanes,
    SqlProducts,
    SqlReceipts,
    SqlSupplyPlans,
)
from engine.service import ports

_OUTBOX = "INSERT INTO outbox (topic, key, payload, created_at) VALUES (?, ?, ?, ?)"


class SqlUnitOfWork(ports.UnitOfWork):
    def __init__(self, database: Database, *, readonly: bool = False, snapshot: bool = True) -> None:
        self._database = database
        self._readonly = readonly
        self._snapshot = snapshot
        self._connection: Connection | None = None

    def __enter__(self) -> SqlUnitOfWork:
        engine = self._database.reader if self._readonly else self._database.writer
        connection = engine.connect()
        if self._readonly and self._snapshot and not self._database.is_sqlite:
            # PostgreSQL's reader runs in autocommit (each statement its own snapshot); a read of several
            # statements (an order and its history, a queue page) takes one snapshot for all of them.
            connection.execution_options(isolation_level="REPEATABLE READ")
        connection.begin()
        self._connection = connection
        self._writes = DeferredWrites(connection)
        self.products = SqlProducts(connection)
        self.supply = SqlSupplyPlans(connection)
        self.lanes = SqlLanes(connection)
        self.queues = SqlQueues(connection, self._writes)
        self.preorders = SqlPreorders(connection, self._writes)
        self.idempotency = SqlIdempotency(connection, self._writes)
        self.accounts = SqlAccounts(connection)
        self.receipts = SqlReceipts(connection)
        self.quotas = SqlQuotas(connection)
        self.decisions = SqlDecisions(connection)
        self.shipments = SqlShipments(connection)
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        connection = self._connection
        if connection is None:
            return
        try:
            if kind is not None and not issubclass(kind, DomainError) and self._database.is_sqlite:
                # An error in the middle of a read can leave a statement open on the driver's connection,
                # and on SQLite an open statement keeps its snapshot: the pool would hand that old view of
                # the data to later reads. Closing the driver's connection ends both (and rolls back).
                connection.invalidate()
            elif connection.in_transaction():
                connection.rollback()
        finally:
            connection.close()
            self._connection = None

    def publish(self, events: Iterable[Event], key: str) -> None:
        now = datetime.now(UTC)
        self._active()
        self._writes.add(_OUTBOX, [(e.name, key, json.dumps(e.payload()), now) for e in events])

    def outbox_after(self, cursor: int, limit: int) -> list[tuple[int, str, str, dict[str, Any]]]:
        o = tables.outbox.c
        result = self._active().execute(
            select(o.id, o.topic, o.key, o.payload).where(o.id > cursor).order_by(o.id).limit(limit)
        )
        return [(int(row.id), row.topic, row.key, row.payload) for row in result]

    def outbox_end(self) -> int:
        return int(
            self._active().execute(select(func.coalesce(func.max(tables.outbox.c.id), 0))).scalar_one()
        )

    def commit(self) -> None:
        connection = self._active()
        self._writes.flush()
        connection.commit()

    def rollback(self) -> None:
        connection = self._connection
        if connection is not None and connection.in_transaction():
            connection.rollback()

    def _active(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("unit of work used outside its 'with' block")
        return self._connection


class SqlDeadLetters(ports.DeadLetters):
    def __init__(self, database: Database) -> None:
        self._database = database

    def add(self, *, account_id: str | None, source: str, payload: str, reason: str, attempts: int) -> int:
        with self._database.writer.begin() as connection:
            result = connection.execute(
                insert(tables.dead_letters).values(
                    account_id=account_id,
                    source=source,
                    payload=payload,
                    reason=reason[:2000],
                    attempts=attempts,
                    created_at=datetime.now(UTC),
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def page(
        self, *, limit: int, offset: int = 0, pending_only: bool = True, due_at: datetime | None = None
    ) -> list[ports.DeadLetter]:
        d = tables.dead_letters.c
        statement = select(tables.dead_letters).order_by(d.id).limit(limit).offset(offset)
        if pending_only or due_at is not None:
            statement = statement.where(d.resolved_at.is_(None))
        if due_at is not None:
            statement = statement.where(or_(d.retry_at.is_(None), d.retry_at <= due_at))
        with self._database.reader.connect() as connection:
            found = []
            for row in connection.execute(statement):
                data = row._asdict()
                data["created_at"] = rows.utc(data["created_at"])
                data["resolved_at"] = rows.utc(data["resolved_at"])
                data["retry_at"] = rows.utc(data["retry_at"])
                found.append(ports.DeadLetter(**data))
            return found

    def settle(self, letter_id: int, *, outcome: str | None, reason: str | None) -> None:
        d = tables.dead_letters.c
        now = datetime.now(UTC)
        letter = update(tables.dead_letters).where(d.id == letter_id)
        with self._database.writer.begin() as connection:
            if outcome is not None:
                connection.execute(letter.values(resolved_at=now, outcome=outcome))
                return
            # One statement counts the attempt (and, on PostgreSQL, holds the row until the commit), so
            # replays failing at once in several servers each count theirs.
            counted = letter.values(attempts=d.attempts + 1, reason=(reason or "")[:2000])
            attempts = connection.execute(counted.returning(d.attempts)).scalar_one()
            connection.execute(letter.values(retry_at=now + ports.retry_delay(attempts)))
