"""Fixtures shared by the integration tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from engine_builders import engine_on

from engine.bootstrap import PreorderEngine


@pytest.fixture
def engine(database_url: str) -> Iterator[PreorderEngine]:
    """An engine on each database in turn (the session's shared one: isolate by random SKUs)."""
    built = engine_on(database_url)
    yield built
    built.close()
