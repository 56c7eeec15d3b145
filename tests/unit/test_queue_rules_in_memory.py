"""The queue invariants, as a state machine over random operations, on the in-memory store."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from queue_machine import QueueMachine

from engine.bootstrap import PreorderEngine, bootstrap_in_memory
from engine.clock import ManualClock
from engine.config import Settings


def _in_memory(clock: ManualClock) -> PreorderEngine:
    return bootstrap_in_memory(Settings(), clock=clock)


class InMemoryQueue(QueueMachine):
    make_engine = staticmethod(_in_memory)


InMemoryQueue.TestCase.settings = settings(
    max_examples=200, stateful_step_count=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_random_operations_never_break_the_queue_rules_in_memory = InMemoryQueue.TestCase
