"""Migrations build exactly the schema the code declares, on both databases, and can be re-applied."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from engine.persistence.migrate import upgrade
from engine.persistence.tables import metadata


def test_the_migrated_schema_matches_the_declared_tables(database_url: str) -> None:
    upgrade(database_url)  # applying again changes nothing
    engine = create_engine(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    engine.dispose()
    assert differences == []
