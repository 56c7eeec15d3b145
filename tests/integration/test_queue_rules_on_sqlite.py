"""The queue invariants as a state machine over random operations, on a real SQLite database (a
smaller run than in memory: every step is real transactions)."""

from __future__ import annotations

import tempfile
from functools import cache

from hypothesis import HealthCheck, settings
from queue_machine import QueueMachine

from engine.bootstrap import PreorderEngine, bootstrap
from engine.clock import ManualClock
from engine.config import Settings
from engine.persistence.migrate import upgrade


@cache
def sqlite_url() -> str:
    url = f"sqlite:///{tempfile.mkdtemp(prefix='queue-machine-')}/queue.sqlite3"
    upgrade(url)
    return url


def _on_sqlite(clock: ManualClock) -> PreorderEngine:
    # one database for the run; every example works on its own fresh SKU and account
    return bootstrap(Settings(database_url=sqlite_url(), db_pool_size=2), clock=clock)


class SqliteQueue(QueueMachine):
    make_engine = staticmethod(_on_sqlite)

    def teardown(self) -> None:
        self.engine.close()


SqliteQueue.TestCase.settings = settings(
    max_examples=20, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_random_operations_never_break_the_queue_rules_on_sqlite = SqliteQueue.TestCase
