"""Bulk statements through the DB-API driver: whole-queue writes without per-row ORM overhead."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection


def driver_sql(connection: Connection, sql: str) -> str:
    """``sql`` written with ``?`` placeholders, in the driver's own parameter style."""
    return sql if connection.dialect.name == "sqlite" else sql.replace("?", "%s")


def execute_many(connection: Connection, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
    if rows:
        connection.exec_driver_sql(driver_sql(connection, sql), list(rows))


def fetch_all(connection: Connection, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in connection.exec_driver_sql(driver_sql(connection, sql), params).fetchall()]


def db_value(connection: Connection, value: Any) -> Any:
    """Dates and times as SQLAlchemy stores them on SQLite (naive UTC text); untouched elsewhere."""
    if connection.dialect.name != "sqlite":
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value
