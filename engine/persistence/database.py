"""Connections: SQLite with WAL, foreign keys and write transactions that take the lock up front."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url


@dataclass
class Database:
    """A writer engine (serialising, for commands) and a reader engine (for views).

    On SQLite a background thread checkpoints the write-ahead log four times a second, so no request
    pays for a checkpoint inside its own commit (they showed up as 100+ ms tails at 500 orders/s), and
    each checkpoint writes back little: at 500 orders/s, once a second meant ~30 MB per round and
    placing p99 of ~130 ms; four times, ~8 MB and ~19 ms (one run each, this machine).
    """

    writer: Engine
    reader: Engine
    _stop: threading.Event = field(default_factory=threading.Event)

    @property
    def is_sqlite(self) -> bool:
        return self.writer.dialect.name == "sqlite"

    def start_checkpoints(self, every: float = 0.25) -> None:
        if self.is_sqlite and self.writer.url.database not in (None, "", ":memory:"):
            threading.Thread(
                target=self._checkpoint, args=(every,), name="wal-checkpoint", daemon=True
            ).start()

    def _checkpoint(self, every: float) -> None:
        while not self._stop.wait(every):
            try:
                with self.reader.connect() as connection:
                    connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
            except Exception:  # the next round tries again; SQLite also checkpoints when the log is huge
                log.debug("WAL checkpoint skipped", exc_info=True)

    def dispose(self) -> None:
        self._stop.set()
        self.writer.dispose()
        self.reader.dispose()


log = logging.getLogger(__name__)


def _sqlite_engine(url: str, begin: str, pool_size: int) -> Engine:
    engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite so BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        # 64 MiB of page cache per connection (the default is 2 MiB): whole-queue work reads and
        # rewrites a SKU's line in one transaction, and a small cache spills it to the log half-done.
        cursor.execute("PRAGMA cache_size=-65536")
        # Checkpoints run on a background thread (see Database); commits only append to the log,
        # unless it grows past 100k pages (~400 MB) because that thread fell behind.
        cursor.execute("PRAGMA wal_autocheckpoint=100000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # BEGIN IMMEDIATE: a writer holds the write lock from its first statement, so a
        # read-check-write inside one transaction can never interleave with another writer.
        connection.connection.driver_connection.execute(begin)  # every transaction: no statement layer

    return engine


def connect(url: str, pool_size: int = 8) -> Database:
    """Engines for ``url``; creates the folder of an SQLite file if needed."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        return Database(
            writer=_sqlite_engine(url, "BEGIN IMMEDIATE", pool_size),
            reader=_sqlite_engine(url, "BEGIN", pool_size),
        )
    # Whole-queue writes stage a SKU's line in a temporary table and join it: room for 100,000 rows
    # in memory (the defaults, 8 MB of temporary buffers and 4 MB per hash, spill them to disk).
    writer = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        connect_args={"options": "-c temp_buffers=64MB -c work_mem=32MB"},
    )
    # Reads of one statement need no transaction on PostgreSQL (autocommit saves the BEGIN and ROLLBACK
    # round trips); a read of several statements asks its connection for REPEATABLE READ (SqlUnitOfWork).
    reader = create_engine(
        url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, isolation_level="AUTOCOMMIT"
    )
    return Database(writer=writer, reader=reader)
