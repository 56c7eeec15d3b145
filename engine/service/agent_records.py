"""What the agents' commands leave in storage: channel quotas, decisions and shipments (ports, re-exported
by ``ports``; SQL and in-memory adapters implement them)."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Quota:
    channel: str
    quota_units: int
    reserved_units: int
    taken: bool = True  # for ``Quotas.take``: whether the units fitted


class Quotas(abc.ABC):
    @abc.abstractmethod
    def take(self, sku: str, channel: str, quantity: int) -> Quota | None:
        """Reserve under the channel's quota; None when the channel has no quota (no limit), else the
        quota with ``taken`` False when the units would exceed it (and nothing changed)."""

    @abc.abstractmethod
    def release(self, sku: str, channel: str, quantity: int) -> None: ...

    @abc.abstractmethod
    def replace(self, sku: str, quotas: dict[str, int], reserved: dict[str, int]) -> None: ...

    @abc.abstractmethod
    def for_sku(self, sku: str) -> list[Quota]: ...


@dataclass(frozen=True)
class Decision:
    agent: str
    kind: str
    sku: str | None
    reason: str
    data: dict[str, Any]
    at: datetime


@dataclass(frozen=True)
class Shipment:
    id: str
    vehicle: str
    region: str
    orders: int
    units: int
    distance: float
    cost: float
    route: list[str]
    reason: str
    created_at: datetime


class Decisions(abc.ABC):
    @abc.abstractmethod
    def add(self, decision: Decision) -> None: ...

    @abc.abstractmethod
    def page(self, limit: int, offset: int, sku: str | None = None) -> list[Decision]:
        """Newest first."""


class Shipments(abc.ABC):
    @abc.abstractmethod
    def add(self, shipment: Shipment) -> None: ...

    @abc.abstractmethod
    def page(self, limit: int, offset: int) -> list[Shipment]:
        """Newest first."""

    @abc.abstractmethod
    def exists(self, shipment_id: str) -> bool: ...

    @abc.abstractmethod
    def last_dispatched_at(self) -> datetime | None:
        """When the newest shipment left (None before the first)."""
