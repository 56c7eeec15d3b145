"""Shared fixtures: real SQLite files and a real PostgreSQL database for each test session."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from databases import drop_postgres_database, fresh_postgres_database
from hypothesis import settings
from sqlalchemy import create_engine, text

PG_URL = os.environ.get("PREORDER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# Property tests explore new examples on every local run; in CI they replay a fixed sequence, so a
# run passes or fails for the code, not for the draw (failures found locally become examples).
settings.register_profile("ci", derandomize=True)
if IN_CI:
    settings.load_profile("ci")


def _postgres_reason() -> str | None:
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except Exception as error:
        return f"PostgreSQL at {PG_URL} is not reachable: {str(error).splitlines()[0]}"
    return None


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The admin URL of the test PostgreSQL; required in CI, skipped with a reason elsewhere."""
    reason = _postgres_reason()
    if reason is not None:
        if IN_CI:
            pytest.fail(f"CI requires PostgreSQL: {reason}")
        pytest.skip(reason)
    yield PG_URL


@pytest.fixture(scope="session")
def postgres_database(postgres_server: str) -> Iterator[str]:
    """A migrated PostgreSQL database shared by the session (tests isolate by random SKUs/accounts)."""
    from engine.persistence.migrate import upgrade

    url = fresh_postgres_database(postgres_server)
    upgrade(url)
    yield url
    drop_postgres_database(postgres_server, url)


@pytest.fixture(scope="session")
def sqlite_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    from engine.persistence.migrate import upgrade

    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'preorder.sqlite3'}"
    upgrade(url)
    return url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each test using this runs on both databases."""
    fixture = "sqlite_database" if request.param == "sqlite" else "postgres_database"
    return str(request.getfixturevalue(fixture))
