"""In-memory quotas, decisions and shipments (see :mod:`engine.persistence.memory`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from engine.persistence.memory_store import Repo, bump_catalog, derived
from engine.service import ports


class MemoryQuotas(Repo, ports.Quotas):
    """Quotas indexed by SKU, then channel (a market view asks for every SKU's, every tick)."""

    def take(self, sku: str, channel: str, quantity: int) -> ports.Quota | None:
        quota = self.s.quotas.get(sku, {}).get(channel)
        if quota is None:
            return None
        if quota.reserved_units + quantity > quota.quota_units:
            return replace(quota, taken=False)
        taken = ports.Quota(quota.channel, quota.quota_units, quota.reserved_units + quantity, True)
        self._put(sku, taken)
        return taken

    def release(self, sku: str, channel: str, quantity: int) -> None:
        quota = self.s.quotas.get(sku, {}).get(channel)
        if quota is not None:
            self._put(sku, replace(quota, reserved_units=quota.reserved_units - quantity))

    def replace(self, sku: str, quotas: dict[str, int], reserved: dict[str, int]) -> None:
        bump_catalog(self, [sku])
        self.u.set(
            self.s.quotas, sku, {c: ports.Quota(c, units, reserved.get(c, 0)) for c, units in quotas.items()}
        )

    def _put(self, sku: str, quota: ports.Quota) -> None:
        self.u.set(self.s.quotas, sku, {**self.s.quotas.get(sku, {}), quota.channel: quota})

    def for_sku(self, sku: str) -> list[ports.Quota]:
        quotas = self.s.quotas.get(sku)
        if not quotas:
            return []
        return list(
            derived(self.s, ("quotas", sku), quotas, lambda: sorted(quotas.values(), key=lambda q: q.channel))
        )


class MemoryDecisions(Repo, ports.Decisions):
    def add(self, decision: ports.Decision) -> None:
        self.u.append(self.s.decisions, decision)

    def page(self, limit: int, offset: int, sku: str | None = None) -> list[ports.Decision]:
        chosen = [d for d in reversed(self.s.decisions) if sku in (None, d.sku)]
        return chosen[offset : offset + limit]


class MemoryShipments(Repo, ports.Shipments):
    def add(self, shipment: ports.Shipment) -> None:
        self.u.append(self.s.shipments, shipment)
        self.s.shipment_ids.add(shipment.id)
        self.u.steps.append(lambda: self.s.shipment_ids.discard(shipment.id))

    def page(self, limit: int, offset: int) -> list[ports.Shipment]:
        return list(reversed(self.s.shipments))[offset : offset + limit]

    def exists(self, shipment_id: str) -> bool:
        return shipment_id in self.s.shipment_ids

    def last_dispatched_at(self) -> datetime | None:
        return self.s.shipments[-1].created_at if self.s.shipments else None
