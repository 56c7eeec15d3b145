"""What placing read of a SKU's catalog (product, lanes, plan, quota channels), kept per version.

Every change to a product, its plan, its channel quotas or its facility's lanes bumps the version on
the SKU's queue row in the same transaction, and placing learns the current version from the row it
locks anyway, so a cached entry is used only while it is exactly what the store holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from engine.domain.catalog import Product
from engine.domain.lanes import Lane
from engine.domain.promise import SupplyLadder
from engine.domain.supply import SupplyPlan
from engine.service.ports import UnitOfWork


@dataclass(frozen=True)
class CatalogEntry:
    version: int
    product: Product
    lanes: tuple[Lane, ...]
    plan: SupplyPlan
    quota_channels: frozenset[str]  # channels with a quota on this SKU (the others have no limit)

    def ladder(self, units_on_hand: int, today: date) -> SupplyLadder:
        """The plan's supply ladder with these free units on hand, today. The last one is kept: a SKU
        is placed and asked about many times a day, and its units on hand seldom change."""
        last: tuple[int, date, SupplyLadder] | None = self.__dict__.get("_last_ladder")
        if last is not None and last[0] == units_on_hand and last[1] == today:
            return last[2]
        ladder = SupplyLadder.build(self.plan, units_on_hand, today)
        object.__setattr__(self, "_last_ladder", (units_on_hand, today, ladder))  # a cache, not a field
        return ladder


class CatalogCache:
    def __init__(self, capacity: int = 50_000) -> None:
        self._entries: dict[str, CatalogEntry] = {}
        self._capacity = capacity

    def load(self, uow: UnitOfWork, sku: str, version: int) -> CatalogEntry | None:
        """The SKU's catalog at ``version``, from memory when it is current, else from the store."""
        entry = self._entries.get(sku)
        if entry is not None and entry.version == version:
            return entry
        product = uow.products.get(sku)
        if product is None:
            return None
        entry = CatalogEntry(
            version,
            product,
            tuple(uow.lanes.for_facility(product.facility)),
            uow.supply.get(sku),
            frozenset(q.channel for q in uow.quotas.for_sku(sku)),
        )
        if len(self._entries) >= self._capacity:
            self._entries.clear()  # crude, but bounded; a miss only costs the reads we would do anyway
        self._entries[sku] = entry
        return entry
