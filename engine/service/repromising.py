"""Re-promising a whole queue in one vectorised pass, recording why each promise moved."""

from __future__ import annotations

from datetime import datetime

import numpy as np

from engine.domain.catalog import Product
from engine.domain.events import PromisesChanged
from engine.domain.lanes import best_lane
from engine.domain.promise import SupplyLadder
from engine.domain.queue_math import QueueSnapshot, as_iso, repromise
from engine.domain.supply import SupplyPlan
from engine.service.ports import PromiseUpdate, UnitOfWork


def repromise_sku(
    uow: UnitOfWork,
    sku: str,
    *,
    cause: str,
    now: datetime,
    confidence: float,
    tolerance_days: int,
    line: QueueSnapshot | None = None,
) -> list[str]:
    """Promise every queued order of ``sku`` again from current supply; returns the ids that moved.

    ``line`` is the SKU's queue as it stands in this transaction, if the caller has just read it.
    """
    product = uow.products.get(sku)
    counters = uow.queues.get(sku)
    snapshot = uow.queues.snapshot(sku) if line is None else line
    if product is None or counters is None or not len(snapshot):
        return []
    ladder = SupplyLadder.build(uow.supply.get(sku), counters.units_on_hand, now.date())
    return _promise_again(uow, product, snapshot, ladder, cause, now, confidence, tolerance_days)


def shelf_promises(
    uow: UnitOfWork,
    sku: str,
    allocated: QueueSnapshot,
    *,
    now: datetime,
    confidence: float,
    tolerance_days: int,
) -> PromiseUpdate | None:
    """New promises for orders that are receiving their units (in ``allocated``'s order, every one):
    available today, with no supply risk left, so the customer learns the date that now holds."""
    product = uow.products.get(sku)
    if product is None or not len(allocated):
        return None
    ladder = SupplyLadder.build(SupplyPlan(sku), int(allocated.quantities.sum()), now.date())
    return _new_promises(uow, product, allocated, ladder, "", confidence, tolerance_days, every=True)


def _promise_again(
    uow: UnitOfWork,
    product: Product,
    snapshot: QueueSnapshot,
    ladder: SupplyLadder,
    cause: str,
    now: datetime,
    confidence: float,
    tolerance_days: int,
) -> list[str]:
    """Write the new promises of ``snapshot``'s orders that moved, each with a history entry."""
    update = _new_promises(uow, product, snapshot, ladder, cause, confidence, tolerance_days)
    if update is None:
        return []
    uow.queues.write_promises(product.sku, update, now)
    changed_ids = [order_id for order_id, moved in zip(update.ids, update.moved, strict=True) if moved]
    if changed_ids:
        event = PromisesChanged(sku=product.sku, cause=cause, order_ids=tuple(changed_ids), at=now)
        uow.publish([event], key=product.sku)
    return changed_ids


def _new_promises(
    uow: UnitOfWork,
    product: Product,
    snapshot: QueueSnapshot,
    ladder: SupplyLadder,
    cause: str,
    confidence: float,
    tolerance_days: int,
    *,
    every: bool = False,
) -> PromiseUpdate | None:
    """The promises of ``snapshot``'s orders that moved or changed flag (``every``: of all of them)."""
    facility_lanes = uow.lanes.for_facility(product.facility)
    lanes = [best_lane(facility_lanes, product.facility, c, r) for c, r in snapshot.destinations]
    result = repromise(snapshot, ladder, lanes, confidence=confidence, tolerance_days=tolerance_days)
    if every:
        result.changed[:] = True
    touched = np.flatnonzero(result.changed | result.conflict_changed)
    if not len(touched):
        return None
    text = lambda values: as_iso(values[touched])  # noqa: E731
    return PromiseUpdate(
        ids=[snapshot.ids[i] for i in touched.tolist()],
        sequences=snapshot.sequences[touched].tolist(),
        availability=text(result.availability),
        earliest=text(result.earliest),
        latest=text(result.latest),
        confidence=result.confidence[touched].tolist(),
        sources=result.sources[touched].tolist(),
        conflicts=result.conflicts[touched].tolist(),
        conflict_days=result.conflict_days[touched].tolist(),
        moved=result.changed[touched].tolist(),
        cause=cause,
        row_keys=None if snapshot.row_keys is None else snapshot.row_keys[touched].tolist(),
    )


def describe_plan_change(old: SupplyPlan, new: SupplyPlan) -> str:
    """A human reason for a plan change, e.g. "run R-12 slipped 9 days; PO-7 reduced 2000→1500 units"."""
    before = {lot.id: lot for lot in old.lots}
    parts: list[str] = []
    for lot in new.lots:
        label = f"{'run' if lot.kind.value == 'run' else 'purchase order'} {lot.id}"
        previous = before.pop(lot.id, None)
        if previous is None:
            parts.append(f"{label} added ({lot.quantity} units on {lot.expected_date.isoformat()})")
            continue
        days = (lot.expected_date - previous.expected_date).days
        if days > 0:
            parts.append(f"{label} slipped {days} days")
        elif days < 0:
            parts.append(f"{label} moved {-days} days earlier")
        if lot.quantity != previous.quantity:
            parts.append(f"{label} quantity {previous.quantity}→{lot.quantity} units")
    parts += [
        f"{'run' if lot.kind.value == 'run' else 'purchase order'} {lot.id} removed"
        for lot in before.values()
    ]
    if old.beyond_plan != new.beyond_plan:
        parts.append("supply beyond the plan changed")
    summary = "; ".join(parts) or "plan re-stated without changes"
    return f"supply plan v{new.version}: {summary}"
