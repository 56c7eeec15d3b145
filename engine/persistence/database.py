"""Connections: SQLite with WAL, foreign keys and write transactions that take the lock up front."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url


@dataclass(frozen=True)
class Database:
    """A writer engine (serialising, for commands) and a reader engine (for views)."""

    writer: Engine
    reader: Engine

    @property
    def is_sqlite(self) -> bool:
        return self.writer.dialect.name == "sqlite"

    def dispose(self) -> None:
        self.writer.dispose()
        self.reader.dispose()


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
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # BEGIN IMMEDIATE: a writer holds the write lock from its first statement, so a
        # read-check-write inside one transaction can never interleave with another writer.
        connection.exec_driver_sql(begin)

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
    writer = create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
    reader = create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
    return Database(writer=writer, reader=reader)
