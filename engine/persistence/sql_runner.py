"""Transactions on SQL stores, retried on lock timeouts, serialisation failures and lost races."""

from __future__ import annotations

import logging
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from engine.domain.errors import DomainError
from engine.persistence.database import Database
from engine.persistence.sql_unit_of_work import SqlUnitOfWork
from engine.service.ports import UnitOfWork
from engine.service.transactions import StoreUnavailable, TransactionRunner

T = TypeVar("T")
log = logging.getLogger(__name__)

_TRANSIENT_SQLSTATES = {"40001", "40P01", "55P03", "57014"}  # serialisation, deadlock, lock timeout, cancel


def _driver(kind: str) -> tuple[type[BaseException], ...]:
    """A DB-API error class (``Error``, ``IntegrityError``, ``OperationalError``) of each driver in use.

    The hot path's reads and bulk writes go to the driver itself (``bulk.py``), and SQLite's BEGIN
    IMMEDIATE too: their errors are the driver's own, not wrapped by SQLAlchemy. psycopg is looked up,
    not imported: an SQLite-only process never loads it, and then no psycopg error can occur."""
    psycopg = sys.modules.get("psycopg")
    return (getattr(sqlite3, kind),) + ((getattr(psycopg, kind),) if psycopg is not None else ())


def _is_transient(error: DBAPIError) -> bool:
    if error.connection_invalidated or isinstance(error, OperationalError):
        return True
    return _is_transient_driver_error(error.orig)


def _is_transient_driver_error(error: BaseException | None) -> bool:
    """A lock timeout, deadlock, serialisation failure, cancelled statement or lost connection."""
    if isinstance(error, _driver("OperationalError")):
        return True
    return getattr(error, "sqlstate", None) in _TRANSIENT_SQLSTATES


class SqlTransactionRunner(TransactionRunner):
    def __init__(self, database: Database, attempts: int = 5, writers: int | None = None) -> None:
        self._database = database
        self._attempts = attempts
        # SQLite has one writer anyway: queueing here, in order, beats its busy handler's sleep-and-retry.
        # On PostgreSQL a placement spends most of its time waiting for the server (round trips, the
        # commit's flush), so several writers overlap those waits; placements of one SKU still queue on
        # its row lock, from the reserve to the commit (Settings.db_writers).
        self._writers = threading.Semaphore(writers or 1)

    def run(self, work: Callable[[UnitOfWork], T], *, writes: bool = True, snapshot: bool = True) -> T:
        last: Exception | None = None
        for attempt in range(1, self._attempts + 1):
            try:
                if not writes:
                    with SqlUnitOfWork(self._database, readonly=True, snapshot=snapshot) as uow:
                        return work(uow)
                with self._writers, SqlUnitOfWork(self._database) as uow:
                    return work(uow)
            except DomainError:
                raise
            except IntegrityError as error:
                # A concurrent request committed the same intent first: the retry will see it.
                last = error
            except DBAPIError as error:
                if not _is_transient(error):
                    raise
                last = error
            except Exception as error:
                if isinstance(error, _driver("IntegrityError")):
                    last = error  # a lost race, as above
                elif isinstance(error, _driver("Error")) and _is_transient_driver_error(error):
                    last = error
                else:
                    raise
            log.info("transaction attempt %d failed: %s", attempt, last)
            time.sleep(min(0.2, 0.01 * 2**attempt))
        raise StoreUnavailable(str(last)) from last
