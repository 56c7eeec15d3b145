"""Giving units on hand to the queue, strictly in sequence order, whole order lines only."""

from __future__ import annotations

from datetime import datetime

import numpy as np

from engine.domain.queue_math import allocation_count
from engine.service.ports import CounterChange, UnitOfWork


def allocate_on_hand(uow: UnitOfWork, sku: str, *, receipt: str, now: datetime) -> list[str]:
    """Allocate free units to waiting orders (paused ones are skipped, keeping their place).

    Allocation stops at the first waiting order that does not fit: units left over stay on hand for it.
    """
    counters = uow.queues.get(sku)
    if counters is None or counters.units_on_hand <= 0:
        return []
    snapshot = uow.queues.snapshot(sku)
    waiting = np.flatnonzero(~snapshot.paused)
    count, used = allocation_count(snapshot.quantities[waiting], counters.units_on_hand)
    if not count:
        return []
    chosen = waiting[:count].tolist()
    ids = [snapshot.ids[i] for i in chosen]
    uow.queues.mark_allocated(ids, snapshot.quantities[chosen].tolist(), receipt, now)
    uow.queues.change(
        sku,
        CounterChange(units_queued=-used, orders_queued=-count, units_allocated=used, units_on_hand=-used),
    )
    return ids
