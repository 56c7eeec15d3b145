"""A store that is briefly locked by someone else: the engine's transactions wait and retry, they do not
fail the request, whichever layer (SQLAlchemy or the driver itself) the lock error comes from."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from catalog_builders import order_body, unique
from engine_builders import intent, load_product
from sqlalchemy import event, make_url, select, text

from api.schemas import PreorderCreate
from engine.bootstrap import PreorderEngine
from engine.persistence import tables
from engine.persistence.sql_unit_of_work import SqlUnitOfWork
from engine.service.commands import PlacePreorder

HELD_S = 0.15  # the other session's lock: longer than one attempt's wait, shorter than all the retries'


def impatient(engine: PreorderEngine) -> None:
    """Make the engine's writers give up on a lock after 50 ms (the defaults wait 10 s on SQLite and
    forever on PostgreSQL), so the other session's short lock is an error each attempt must survive."""
    assert engine.database is not None
    writer = engine.database.writer

    sqlite = engine.database.is_sqlite

    @event.listens_for(writer, "connect")
    def _short_waits(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=50" if sqlite else "SET lock_timeout = '50ms'")
        cursor.close()
        if not sqlite:
            dbapi_connection.commit()

    writer.dispose()  # the pooled connections were opened with the default waits


@contextmanager
def locked_by_someone_else(database_url: str, table: str) -> Iterator[None]:
    """Another session holds ``table`` (on SQLite: the whole database's write lock) for ``HELD_S``."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        other: Any = sqlite3.connect(url.database or "", isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")
    else:
        other = psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
        other.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    release = threading.Timer(HELD_S, other.rollback)
    release.start()
    try:
        yield
    finally:
        release.join()
        other.close()


def test_a_placement_during_a_short_lock_is_retried_and_stored_not_dead_lettered(
    engine: PreorderEngine, database_url: str
) -> None:
    sku = load_product(engine)
    command = intent(sku)
    engine.issue_key(command.account_id, frozenset({"orders:write"}))
    impatient(engine)
    with locked_by_someone_else(database_url, "queues"):
        placed = engine.place(command).order
    assert placed["status"] == "pre_order"
    kept = engine.pending_dead_letters(pending_only=False, limit=10_000)
    assert not [letter for letter in kept if sku in letter.payload]


def test_a_receipt_during_a_short_lock_is_retried_and_allocates(
    engine: PreorderEngine, database_url: str
) -> None:
    sku = load_product(engine)
    command = intent(sku)
    engine.issue_key(command.account_id, frozenset({"orders:write"}))
    order = engine.place(command).order
    impatient(engine)
    with locked_by_someone_else(database_url, "preorders"):
        receipt = engine.receive(sku, quantity=5, reference=unique("GRN"), received_at=None, lot_id=None)
    assert receipt.receipt.allocated_orders == [order["id"]]


def test_a_read_that_fails_halfway_through_its_rows_leaves_no_old_view_for_later_reads(
    engine: PreorderEngine,
) -> None:
    # Given a line of one order, and a long read that fails after the first row it was handed
    sku = load_product(engine)
    account = unique("acct")
    engine.issue_key(account, frozenset({"orders:write"}))

    def place(customer: str) -> None:
        body = order_body(sku, customer=customer)
        engine.place(PlacePreorder(account, PreorderCreate.model_validate(body).to_intent()))

    place("c-1")
    assert engine.database is not None
    with pytest.raises(ZeroDivisionError), SqlUnitOfWork(engine.database, readonly=True) as uow:
        # Kept referenced, as a failed request's traceback keeps the frame that read it until the cycle
        # collector runs.
        rows = uow._active().execute(THOUSAND_ROWS)
        for _ in rows:
            _ = 1 / 0
    # When another order is placed
    place("c-2")
    # Then every later read sees it, whichever pooled connection it gets
    orders = select(tables.preorders.c.id).where(tables.preorders.c.sku == sku)
    for _ in range(20):
        with SqlUnitOfWork(engine.database, readonly=True) as uow:
            assert len(uow._active().execute(orders).all()) == 2


# A long read of the orders table (each order a thousand times): a statement that holds a snapshot.
THOUSAND_ROWS = text(
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) "
    "SELECT p.id FROM preorders p, n"
)
