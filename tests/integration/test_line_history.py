"""Entries written for many orders of a line at once read back per order, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Connection

from engine.persistence.bulk import DeferredWrites
from engine.persistence.database import Database, connect
from engine.persistence.line_history import BLOCK, line_entries, write_line_entries
from engine.persistence.migrate import upgrade

AT = datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.fixture
def connection(database_url: str) -> Iterator[Connection]:
    upgrade(database_url)
    database: Database = connect(database_url)
    with database.writer.connect() as opened:
        opened.begin()
        yield opened
        opened.rollback()
    database.dispose()


def test_a_line_naming_more_dates_than_sixteen_bits_hold_keeps_every_orders_dates(
    connection: Connection,
) -> None:
    # Given 12,000 orders each promised on its own three days (36,000 distinct dates in one write)
    count, first = 12_000, date(2027, 1, 1)
    day = lambda n: (first + timedelta(days=n)).isoformat()  # noqa: E731
    sequences = list(range(1, count + 1))
    promises = (
        [day(3 * n) for n in sequences],
        [day(3 * n + 1) for n in sequences],
        [day(3 * n + 2) for n in sequences],
        [f"R-{n % 7}" for n in sequences],
    )
    write_line_entries(
        connection,
        DeferredWrites(connection),
        sku="SKU-LINE",
        kind="promise_changed",
        at=AT,
        cause="supply plan v2",
        sequences=sequences,
        promises=promises,
    )
    # Then each order, in any block, reads back its own promise
    for sequence in (1, BLOCK - 1, BLOCK, BLOCK + 1, count):
        [(_, entry)] = line_entries(connection, f"order-{sequence}", "SKU-LINE", sequence)
        assert entry["type"] == "promise_changed" and entry["cause"] == "supply plan v2"
        assert entry["data"]["after"] == {
            "expected_availability": day(3 * sequence),
            "earliest": day(3 * sequence + 1),
            "latest": day(3 * sequence + 2),
            "source": f"R-{sequence % 7}",
        }
    assert line_entries(connection, "order-x", "SKU-LINE", count + 1) == []
