"""Giving units on hand to the queue, strictly in sequence order, whole order lines only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from engine.domain.queue_math import QueueSnapshot, allocation_count
from engine.service.ports import CounterChange, PromiseUpdate, UnitOfWork


@dataclass(frozen=True)
class Allocation:
    ids: list[str]  # the orders that received units, in queue order
    line: QueueSnapshot | None  # the line still queued afterwards, if it was read (saves a second read)


def allocate_on_hand(
    uow: UnitOfWork,
    sku: str,
    *,
    receipt: str,
    now: datetime,
    promise: Callable[[QueueSnapshot], PromiseUpdate | None] | None = None,
) -> Allocation:
    """Allocate free units to waiting orders (paused ones are skipped, keeping their place).

    Allocation stops at the first waiting order that does not fit: units left over stay on hand for it.
    ``promise`` gives the orders that receive units their new promise, stored with the allocation.
    """
    counters = uow.queues.get(sku)
    if counters is None or counters.units_on_hand <= 0:
        return Allocation([], None)
    snapshot = uow.queues.snapshot(sku)
    waiting = np.flatnonzero(~snapshot.paused)
    count, used = allocation_count(snapshot.quantities[waiting], counters.units_on_hand)
    if not count:
        return Allocation([], snapshot)
    keep = np.ones(len(snapshot), dtype=bool)
    keep[waiting[:count]] = False
    allocated = snapshot.take(~keep)
    promises = promise(allocated) if promise is not None else None
    uow.queues.mark_allocated(sku, allocated, receipt, now, promises)
    uow.queues.change(
        sku,
        CounterChange(units_queued=-used, orders_queued=-count, units_allocated=used, units_on_hand=-used),
    )
    return Allocation(allocated.ids, snapshot.take(keep))
