"""In-memory quotas, decisions and shipments (see :mod:`engine.persistence.memory`)."""

from __future__ import annotations

from dataclasses import replace

from engine.persistence.memory_store import Repo
from engine.service import ports


class MemoryQuotas(Repo, ports.Quotas):
    def take(self, sku: str, channel: str, quantity: int) -> ports.Quota | None:
        quota = self.s.quotas.get((sku, channel))
        if quota is None:
            return None
        if quota.reserved_units + quantity > quota.quota_units:
            return replace(quota, taken=False)
        taken = replace(quota, reserved_units=quota.reserved_units + quantity, taken=True)
        self.u.set(self.s.quotas, (sku, channel), taken)
        return taken

    def release(self, sku: str, channel: str, quantity: int) -> None:
        quota = self.s.quotas.get((sku, channel))
        if quota is not None:
            self.u.set(
                self.s.quotas, (sku, channel), replace(quota, reserved_units=quota.reserved_units - quantity)
            )

    def replace(self, sku: str, quotas: dict[str, int], reserved: dict[str, int]) -> None:
        for key in [k for k in self.s.quotas if k[0] == sku]:
            self._drop(key)
        for channel, units in quotas.items():
            self.u.set(self.s.quotas, (sku, channel), ports.Quota(channel, units, reserved.get(channel, 0)))

    def _drop(self, key: tuple[str, str]) -> None:
        old = self.s.quotas.pop(key)
        self.u.steps.append(lambda: self.s.quotas.__setitem__(key, old))

    def for_sku(self, sku: str) -> list[ports.Quota]:
        return sorted((q for (s, _), q in self.s.quotas.items() if s == sku), key=lambda q: q.channel)


class MemoryDecisions(Repo, ports.Decisions):
    def add(self, decision: ports.Decision) -> None:
        self.u.append(self.s.decisions, decision)

    def page(self, limit: int, offset: int, sku: str | None = None) -> list[ports.Decision]:
        chosen = [d for d in reversed(self.s.decisions) if sku in (None, d.sku)]
        return chosen[offset : offset + limit]


class MemoryShipments(Repo, ports.Shipments):
    def add(self, shipment: ports.Shipment) -> None:
        self.u.append(self.s.shipments, shipment)

    def page(self, limit: int, offset: int) -> list[ports.Shipment]:
        return list(reversed(self.s.shipments))[offset : offset + limit]
