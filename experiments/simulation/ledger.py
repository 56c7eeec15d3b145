"""What the world saw happen to every order and every visitor: the raw material of the KPIs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

NOT_YET = -1
T = TypeVar("T")


class IndexedSet(Generic[T]):
    """A set with O(1) add, remove and pick-by-position, whose order depends only on the operations
    applied (so seeded random picks from it are reproducible)."""

    def __init__(self) -> None:
        self.items: list[T] = []
        self._where: dict[T, int] = {}

    def __len__(self) -> int:
        return len(self.items)

    def __contains__(self, item: object) -> bool:
        return item in self._where

    def add(self, item: T) -> None:
        if item not in self._where:
            self._where[item] = len(self.items)
            self.items.append(item)

    def discard(self, item: T) -> None:
        where = self._where.pop(item, None)
        if where is None:
            return
        last = self.items.pop()
        if where < len(self.items):
            self.items[where] = last
            self._where[last] = where


@dataclass
class Ledger:
    """One row per accepted order (parallel lists, indexed by the order's row), plus demand counters.

    Days are simulation days (0 = the scenario's start); ``NOT_YET`` marks what has not happened.
    Promises are (availability, window earliest, window latest) in days: the one made at placement
    (``promised_day``, ``window_*``), the one made when a paused order last resumed (``resumed``) and
    the window in force when the order shipped (``last_window``, engine promises only).
    """

    ids: list[str] = field(default_factory=list)
    sku: list[int] = field(default_factory=list)
    units: list[int] = field(default_factory=list)
    price: list[float] = field(default_factory=list)
    lane: list[int] = field(default_factory=list)
    placed_day: list[int] = field(default_factory=list)
    promised_day: list[int] = field(default_factory=list)  # expected availability when placed
    window_earliest: list[int] = field(default_factory=list)
    window_latest: list[int] = field(default_factory=list)
    from_stock: list[bool] = field(default_factory=list)  # allocated at once from units on hand
    shipped_day: list[int] = field(default_factory=list)
    delivered_day: list[int] = field(default_factory=list)
    cancelled: list[bool] = field(default_factory=list)
    last_window: dict[int, tuple[int, int]] = field(default_factory=dict)  # window in force at shipping
    # row -> (day, availability, earliest, latest) promised when the order last resumed from a pause
    resumed: dict[int, tuple[int, int, int, int]] = field(default_factory=dict)
    row_of: dict[str, int] = field(default_factory=dict)
    units_demanded: int = 0  # every unit a converted visitor asked for, accepted or not
    units_refused: dict[str, int] = field(default_factory=dict)  # why demand went unserved -> units
    decision_seconds: list[float] = field(default_factory=list)
    waiting: IndexedSet[int] = field(default_factory=IndexedSet)  # rows in line (pre_order)
    paused: IndexedSet[int] = field(default_factory=IndexedSet)

    def add(
        self,
        order_id: str,
        *,
        sku: int,
        units: int,
        price: float,
        lane: int,
        day: int,
        promise: tuple[int, int, int],
        from_stock: bool,
    ) -> int:
        row = len(self.ids)
        self.row_of[order_id] = row
        self.ids.append(order_id)
        self.sku.append(sku)
        self.units.append(units)
        self.price.append(price)
        self.lane.append(lane)
        self.placed_day.append(day)
        self.promised_day.append(promise[0])
        self.window_earliest.append(promise[1])
        self.window_latest.append(promise[2])
        self.from_stock.append(from_stock)
        self.shipped_day.append(NOT_YET)
        self.delivered_day.append(NOT_YET)
        self.cancelled.append(False)
        if not from_stock:
            self.waiting.add(row)
        return row

    def refuse(self, reason: str, units: int) -> None:
        self.units_refused[reason] = self.units_refused.get(reason, 0) + units

    def shipped(self, row: int, day: int) -> None:
        self.shipped_day[row] = day
        self.waiting.discard(row)
        self.paused.discard(row)

    def resume(self, row: int, day: int, promise: tuple[int, int, int]) -> None:
        """The paused order is back in line on ``day`` and its customer now holds ``promise``."""
        self.paused.discard(row)
        self.waiting.add(row)
        self.resumed[row] = (day, *promise)

    def cancel(self, row: int) -> None:
        self.cancelled[row] = True
        self.waiting.discard(row)
        self.paused.discard(row)
