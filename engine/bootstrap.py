"""The composition root: builds the real adapters once and hands out one engine facade."""

from __future__ import annotations

from engine.clock import Clock, SystemClock
from engine.config import Settings
from engine.facade import PreorderEngine
from engine.persistence.database import connect
from engine.persistence.sql_runner import SqlTransactionRunner
from engine.persistence.sql_unit_of_work import SqlDeadLetters

__all__ = ["PreorderEngine", "bootstrap", "bootstrap_in_memory"]


def bootstrap(settings: Settings, *, clock: Clock | None = None, migrate: bool = False) -> PreorderEngine:
    """Build the engine on the database the settings name; optionally migrate it first."""
    url = settings.resolved_database_url
    if migrate:
        from engine.persistence.migrate import upgrade

        upgrade(url)
    # every writer needs its own connection (and the pool allows as many again for overflow)
    database = connect(url, pool_size=max(settings.db_pool_size, settings.resolved_db_writers))
    database.start_checkpoints()
    engine = PreorderEngine(
        runner=SqlTransactionRunner(database, writers=settings.resolved_db_writers),
        dead_letters=SqlDeadLetters(database),
        clock=clock or SystemClock(),
        settings=settings,
        database=database,
    )
    engine.ensure_bootstrap_key()
    return engine


def bootstrap_in_memory(settings: Settings, *, clock: Clock | None = None) -> PreorderEngine:
    """The same engine on an in-memory store: for simulations and fast tests."""
    from engine.persistence.memory import MemoryDeadLetters, MemoryStore, MemoryTransactionRunner

    store = MemoryStore()
    engine = PreorderEngine(
        runner=MemoryTransactionRunner(store),
        dead_letters=MemoryDeadLetters(store),
        clock=clock or SystemClock(),
        settings=settings,
    )
    engine.ensure_bootstrap_key()
    return engine
