"""Typed settings: defaults that depend on the database, and refusals of bad values."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from engine.config import Settings


def test_sqlite_gets_one_writer_and_postgresql_several_unless_told() -> None:
    assert Settings(database_url="sqlite:///var/x.sqlite3").resolved_db_writers == 1
    assert Settings().resolved_db_writers == 1  # the embedded SQLite file
    assert Settings(database_url="postgresql+psycopg://h/db").resolved_db_writers == 4
    assert Settings(database_url="postgresql+psycopg://h/db", db_writers=2).resolved_db_writers == 2


def test_a_writer_count_outside_one_to_thirty_two_is_refused() -> None:
    for bad in (0, 33):
        with pytest.raises(ValidationError):
            Settings(db_writers=bad)


def test_a_short_or_default_bootstrap_admin_key_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least 24 characters"):
        Settings(bootstrap_admin_key="changeme")
