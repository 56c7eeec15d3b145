"""End-to-end fixtures: a real server per database (see ``e2e_api``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from e2e_api import Api, serve


@pytest.fixture(scope="session")
def sqlite_api(sqlite_database: str) -> Iterator[Api]:
    yield from serve(sqlite_database)


@pytest.fixture(scope="session")
def postgres_api(postgres_database: str) -> Iterator[Api]:
    yield from serve(postgres_database)


@pytest.fixture(params=["sqlite", "postgres"])
def api(request: pytest.FixtureRequest) -> Api:
    """Each end-to-end test runs against a real server on SQLite and on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_api")  # type: ignore[no-any-return]
