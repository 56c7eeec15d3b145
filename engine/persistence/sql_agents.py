"""What agents change, in SQL: channel quotas, their decisions, shipments, and their outbox cursors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from engine.persistence import rows, tables
from engine.persistence.sql_repositories import bump_catalog
from engine.service import ports

_QC = tables.channel_quotas.c
# The quota check and the increment are one statement, like the SKU's cap.
_TAKE = (
    update(tables.channel_quotas)
    .where(
        _QC.sku == bindparam("b_sku"),
        _QC.channel == bindparam("b_channel"),
        _QC.reserved_units + bindparam("b_quantity") <= _QC.quota_units,
    )
    .values(reserved_units=_QC.reserved_units + bindparam("b_quantity"))
)
_QUOTA = select(tables.channel_quotas).where(_QC.sku == bindparam("sku"), _QC.channel == bindparam("channel"))


class SqlQuotas(ports.Quotas):
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def take(self, sku: str, channel: str, quantity: int) -> ports.Quota | None:
        row = self._c.execute(_QUOTA, {"sku": sku, "channel": channel}).first()
        if row is None:
            return None  # most channels have no quota: one read and done
        taken = self._c.execute(_TAKE, {"b_sku": sku, "b_channel": channel, "b_quantity": quantity}).rowcount
        reserved = row.reserved_units + quantity if taken else row.reserved_units
        return ports.Quota(row.channel, row.quota_units, reserved, taken=bool(taken))

    def release(self, sku: str, channel: str, quantity: int) -> None:
        self._c.execute(
            update(tables.channel_quotas)
            .where(_QC.sku == sku, _QC.channel == channel)
            .values(reserved_units=_QC.reserved_units - quantity)
        )

    def replace(self, sku: str, quotas: dict[str, int], reserved: dict[str, int]) -> None:
        bump_catalog(self._c, tables.queues.c.sku == sku)
        self._c.execute(delete(tables.channel_quotas).where(_QC.sku == sku))
        if quotas:
            self._c.execute(
                insert(tables.channel_quotas),
                [
                    {"sku": sku, "channel": c, "quota_units": q, "reserved_units": reserved.get(c, 0)}
                    for c, q in sorted(quotas.items())
                ],
            )

    def for_sku(self, sku: str) -> list[ports.Quota]:
        result = self._c.execute(select(tables.channel_quotas).where(_QC.sku == sku).order_by(_QC.channel))
        return [ports.Quota(row.channel, row.quota_units, row.reserved_units) for row in result]


class SqlDecisions(ports.Decisions):
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, decision: ports.Decision) -> None:
        self._c.execute(insert(tables.decisions).values(**decision.__dict__))

    def page(self, limit: int, offset: int, sku: str | None = None) -> list[ports.Decision]:
        d = tables.decisions.c
        statement = select(tables.decisions).order_by(d.id.desc()).limit(limit).offset(offset)
        if sku is not None:
            statement = statement.where(d.sku == sku)
        return [
            ports.Decision(row.agent, row.kind, row.sku, row.reason, row.data, rows.utc(row.at) or row.at)
            for row in self._c.execute(statement)
        ]


class SqlShipments(ports.Shipments):
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, shipment: ports.Shipment) -> None:
        self._c.execute(insert(tables.shipments).values(**shipment.__dict__))

    def exists(self, shipment_id: str) -> bool:
        s = tables.shipments.c
        return self._c.execute(select(s.id).where(s.id == shipment_id)).first() is not None

    def last_dispatched_at(self) -> datetime | None:
        latest = self._c.execute(select(func.max(tables.shipments.c.created_at))).scalar()
        return None if latest is None else rows.utc(latest)

    def page(self, limit: int, offset: int) -> list[ports.Shipment]:
        s = tables.shipments.c
        result = self._c.execute(
            select(tables.shipments).order_by(s.created_at.desc(), s.id).limit(limit).offset(offset)
        )
        shipments = []
        for row in result:
            data = row._asdict()
            data["created_at"] = rows.utc(data["created_at"])
            shipments.append(ports.Shipment(**data))
        return shipments
