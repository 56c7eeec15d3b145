"""Whole-queue work, vectorised: allocation in sequence order and re-promising every waiting order.

Both take a SKU's queue as arrays (in sequence order) and cost O(n log lots) in numpy, so a queue of
100,000 orders is re-promised in milliseconds; the callers only write what changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from engine.domain.delivery_window import DeliveryModel, window_offsets
from engine.domain.lanes import Lane
from engine.domain.promise import CAPACITY_HORIZON_DAYS, SupplyLadder

DAY = np.timedelta64(1, "D")
UNCOVERED = "no planned supply"


@dataclass
class QueueSnapshot:
    """The queued (waiting or paused) orders of one SKU, in sequence order."""

    ids: list[str]
    sequences: np.ndarray
    quantities: np.ndarray
    paused: np.ndarray
    destinations: list[tuple[str, str | None]]  # distinct (country, region) pairs
    destination_index: np.ndarray  # per order, index into destinations
    availability: np.ndarray  # datetime64[D]
    earliest: np.ndarray
    latest: np.ndarray
    confidence: np.ndarray
    sources: np.ndarray  # object array of str
    first_latest: np.ndarray
    conflicts: np.ndarray  # object array of str | None
    # How the store addresses each order's row for a bulk write (SQLite: its rowid); None: by id.
    row_keys: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, keep: np.ndarray) -> QueueSnapshot:
        """The same line without the orders where ``keep`` is False (e.g. after they were allocated)."""
        return QueueSnapshot(
            ids=[order_id for order_id, kept in zip(self.ids, keep.tolist(), strict=True) if kept],
            sequences=self.sequences[keep],
            quantities=self.quantities[keep],
            paused=self.paused[keep],
            destinations=self.destinations,
            destination_index=self.destination_index[keep],
            availability=self.availability[keep],
            earliest=self.earliest[keep],
            latest=self.latest[keep],
            confidence=self.confidence[keep],
            sources=self.sources[keep],
            first_latest=self.first_latest[keep],
            conflicts=self.conflicts[keep],
            row_keys=None if self.row_keys is None else self.row_keys[keep],
        )


def allocation_count(quantities: np.ndarray, available: int) -> tuple[int, int]:
    """How many orders at the head of the line get whole lines from ``available`` units, and units used.

    Strict first come, first served: allocation stops at the first order that does not fit.
    """
    if len(quantities) == 0 or available <= 0:
        return 0, 0
    cumulative = np.cumsum(quantities)
    count = int(np.searchsorted(cumulative, available, side="right"))
    return count, int(cumulative[count - 1]) if count else 0


@dataclass
class Repromise:
    """New promises for a snapshot and which of them moved."""

    availability: np.ndarray
    earliest: np.ndarray
    latest: np.ndarray
    confidence: np.ndarray
    sources: np.ndarray
    conflicts: np.ndarray
    conflict_days: np.ndarray
    changed: np.ndarray  # bool: the window or availability moved
    conflict_changed: np.ndarray  # bool: flagged, cleared or reworded
    notes: dict[int, str] = field(default_factory=dict)


def _coverage(
    ladder: SupplyLadder, positions: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Availability date, spread, source and covered flag for each queue position."""
    n = len(positions)
    today = np.datetime64(ladder.today, "D")
    cumulative = np.asarray(ladder.cumulative, dtype=np.int64)
    index = np.searchsorted(cumulative, positions, side="left")
    inside = index < len(cumulative)
    availability = np.full(n, today, dtype="datetime64[D]")
    spread = np.zeros(n)
    sources = np.full(n, UNCOVERED, dtype=object)
    covered = inside.copy()
    if len(cumulative):
        dates = np.asarray(ladder.dates, dtype="datetime64[D]")
        availability[inside] = dates[index[inside]]
        spread[inside] = np.asarray(ladder.spreads)[index[inside]]
        sources[inside] = np.asarray(ladder.sources, dtype=object)[index[inside]]
    beyond = ~inside
    rule = ladder.plan.beyond_plan
    if beyond.any() and rule is not None:
        past = positions[beyond] - ladder.total
        if rule.capacity_per_day:
            start = max(ladder.dates[-1], ladder.today) if ladder.dates else ladder.today
            days = -(-past // rule.capacity_per_day)
            made = days <= CAPACITY_HORIZON_DAYS  # past the horizon an order stays uncovered
            where = np.flatnonzero(beyond)
            availability[where[made]] = np.datetime64(start, "D") + days[made] * DAY
            sources[where[made]] = "capacity beyond plan"
            beyond[where[~made]] = False
        elif rule.lead_time_days is not None:
            availability[beyond] = today + rule.lead_time_days * DAY
            sources[beyond] = "supplier lead time"
        spread[beyond] = rule.spread_days
        covered[beyond] = True
    return availability, spread, sources, covered


def repromise(
    snapshot: QueueSnapshot,
    ladder: SupplyLadder,
    lanes: list[Lane | None],
    *,
    confidence: float,
    tolerance_days: int,
) -> Repromise:
    """Promise every queued order from the ladder; ``lanes[i]`` serves ``snapshot.destinations[i]``.

    Paused orders keep their place, so their units count ahead of later orders and they are promised
    what they would get on resuming. An order no supply covers, or whose destination no lane serves any
    more, keeps its dates and is flagged.
    """
    positions = np.cumsum(snapshot.quantities)
    availability, spread, sources, covered = _coverage(ladder, positions)
    earliest = snapshot.earliest.copy()
    latest = snapshot.latest.copy()
    confidence_out = snapshot.confidence.astype(float).copy()
    unserved = np.array([lane is None for lane in lanes], dtype=bool)[snapshot.destination_index]
    availability = np.where(covered & ~unserved, availability, snapshot.availability)
    sources = np.where(covered & unserved, snapshot.sources, sources)
    for destination, lane in enumerate(lanes):
        at_destination = (snapshot.destination_index == destination) & covered
        if lane is None or not at_destination.any():
            continue
        for value in np.unique(spread[at_destination]):
            group = at_destination & (spread == value)
            model = DeliveryModel.of(
                float(value), lane.handling_days, lane.transit.p10, lane.transit.p50, lane.transit.p90
            )
            offsets = window_offsets(model, confidence)
            earliest[group] = availability[group] + offsets.earliest * DAY
            latest[group] = availability[group] + offsets.latest * DAY
            confidence_out[group] = offsets.confidence
    late_days = ((latest - snapshot.first_latest) / DAY).astype(np.int64)
    conflicts = np.full(len(snapshot), None, dtype=object)
    broken = covered & (late_days > tolerance_days)
    conflicts[broken] = [f"latest delivery {d} days after the first promise" for d in late_days[broken]]
    conflicts[covered & unserved] = "no delivery lane serves this destination any more"
    conflicts[~covered] = "no planned supply covers this order"
    changed = (
        (availability != snapshot.availability)
        | (earliest != snapshot.earliest)
        | (latest != snapshot.latest)
    )
    return Repromise(
        availability=availability,
        earliest=earliest,
        latest=latest,
        confidence=confidence_out,
        sources=sources,
        conflicts=conflicts,
        conflict_days=np.where(broken, late_days, 0),
        changed=changed | (sources != snapshot.sources),
        conflict_changed=conflicts != snapshot.conflicts,
    )


def as_dates(values: np.ndarray) -> list[date]:
    """datetime64[D] values as Python dates (C-speed conversion)."""
    return list(values.astype("datetime64[D]").tolist())


def as_iso(values: np.ndarray) -> list[str]:
    """datetime64[D] values as ISO dates. A line holds few distinct dates: each is formatted once
    (three times faster than formatting every value for 100,000 orders)."""
    distinct, where = np.unique(values.astype("datetime64[D]"), return_inverse=True)
    return list(np.datetime_as_string(distinct, unit="D").astype(object)[where.ravel()].tolist())
