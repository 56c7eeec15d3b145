"""Applying what agents decide: each command one transaction, each recorded as a decision with its reason."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from engine.domain.errors import InvalidData, InvalidTransition, UnknownSku
from engine.domain.events import DecisionTaken
from engine.domain.orders import OrderStatus
from engine.service.commands import (
    AgentCommand,
    DispatchShipment,
    MarkDelivered,
    RecommendProduction,
    ReplayDeadLetters,
    SetChannelQuotas,
    SetPrice,
)
from engine.service.ports import CounterChange, Decision, Shipment, UnitOfWork


def _decide(uow: UnitOfWork, decision: Decision) -> None:
    uow.decisions.add(decision)
    uow.publish(
        [
            DecisionTaken(
                decision.agent, decision.kind, decision.sku, decision.reason, decision.data, decision.at
            )
        ],
        key=decision.sku or decision.agent,
    )


def _product(uow: UnitOfWork, sku: str) -> None:
    if uow.products.get(sku) is None:
        raise UnknownSku(f"no product with SKU {sku!r}", sku=sku)


def set_price(uow: UnitOfWork, command: SetPrice, *, agent: str, now: datetime) -> None:
    _product(uow, command.sku)
    uow.queues.lock(command.sku)  # the line before the product, as a catalog change locks them
    if command.price <= 0:
        raise InvalidData("a price must be positive", field="price")
    old = uow.products.get(command.sku)
    price = command.price.quantize(Decimal("0.01"))
    uow.products.set_price(command.sku, price, now)
    before = None if old is None else str(old.selling_price)
    _decide(
        uow,
        Decision(
            agent, "price_changed", command.sku, command.reason, {"before": before, "after": str(price)}, now
        ),
    )
    uow.commit()


def set_channel_quotas(uow: UnitOfWork, command: SetChannelQuotas, *, agent: str, now: datetime) -> None:
    """Replace the SKU's channel quotas; what each channel already holds counts against its quota. The
    split in force asked again (another server's agent saw the same run) changes and records nothing."""
    _product(uow, command.sku)
    uow.queues.lock(command.sku)
    quotas = dict(command.quotas)
    if any(units < 0 for units in quotas.values()):
        raise InvalidData("quotas cannot be negative", field="quotas")
    if quotas and {q.channel: q.quota_units for q in uow.quotas.for_sku(command.sku)} == quotas:
        return
    held = uow.preorders.channel_units(command.sku)
    uow.quotas.replace(command.sku, quotas, {channel: held.get(channel, 0) for channel in quotas})
    _decide(uow, Decision(agent, "channel_quotas", command.sku, command.reason, {"quotas": quotas}, now))
    uow.commit()


def recommend_production(uow: UnitOfWork, command: RecommendProduction, *, agent: str, now: datetime) -> None:
    _product(uow, command.sku)
    _decide(
        uow,
        Decision(
            agent,
            "production_recommended",
            command.sku,
            command.reason,
            {"recommended_units": command.recommended_units, "planned_units": command.planned_units},
            now,
        ),
    )
    uow.commit()


def dispatch(uow: UnitOfWork, command: DispatchShipment, *, agent: str, now: datetime) -> list[str]:
    """Ship the allocated orders of the shipment (others are left out and said so); returns those shipped."""
    orders = uow.preorders.states(command.order_ids)
    for sku in sorted({o.sku for o in orders}):
        uow.queues.lock(sku)
    orders = uow.preorders.states(command.order_ids)  # again, now that their lines are locked
    if uow.shipments.exists(command.shipment_id):
        raise InvalidTransition(
            f"shipment {command.shipment_id} has left already (another server's logistics agent, or this "
            "one before a restart); its orders wait for the next cut-off",
            current_status="shipped",
        )
    ready = [o for o in orders if o.status is OrderStatus.ALLOCATED]
    skipped = len(command.order_ids) - len(ready)
    if not ready:
        return []
    units_by_sku: dict[str, int] = defaultdict(int)
    for order in ready:
        units_by_sku[order.sku] += order.quantity
    ids = [o.id for o in ready]
    cause = f"shipment {command.shipment_id}: {command.reason}"
    uow.preorders.mark_shipped(ids, command.shipment_id, now, cause)
    for sku, units in units_by_sku.items():
        uow.queues.change(sku, CounterChange(units_allocated=-units))
    uow.shipments.add(
        Shipment(
            command.shipment_id,
            command.vehicle,
            command.region,
            len(ids),
            sum(units_by_sku.values()),
            command.distance,
            command.cost,
            ids,
            command.reason,
            now,
        )
    )
    _decide(
        uow,
        Decision(
            agent,
            "shipment_dispatched",
            None,
            command.reason,
            {
                "shipment_id": command.shipment_id,
                "orders": len(ids),
                "skipped": skipped,
                "vehicle": command.vehicle,
                "cost": command.cost,
            },
            now,
        ),
    )
    uow.commit()
    return ids


def record_replay(
    uow: UnitOfWork, command: ReplayDeadLetters, counts: dict[str, int], *, agent: str, now: datetime
) -> None:
    """What a replay of the dead letters did, as a decision with the agent's reason."""
    done = ", ".join(f"{count} {outcome}" for outcome, count in counts.items())
    _decide(uow, Decision(agent, "dead_letters_replayed", None, f"{command.reason}: {done}", counts, now))
    uow.commit()


def deliver(uow: UnitOfWork, command: MarkDelivered, *, now: datetime) -> list[str]:
    shipped = [o for o in uow.preorders.states(command.order_ids) if o.status is OrderStatus.SHIPPED]
    ids = [o.id for o in shipped]
    uow.preorders.mark_delivered(ids, now)
    uow.commit()
    return ids


def apply(uow: UnitOfWork, command: AgentCommand, *, agent: str, now: datetime) -> list[str]:
    """Run one agent command as its own transaction; returns the orders it moved, if any."""
    if isinstance(command, SetPrice):
        set_price(uow, command, agent=agent, now=now)
    elif isinstance(command, SetChannelQuotas):
        set_channel_quotas(uow, command, agent=agent, now=now)
    elif isinstance(command, RecommendProduction):
        recommend_production(uow, command, agent=agent, now=now)
    elif isinstance(command, DispatchShipment):
        return dispatch(uow, command, agent=agent, now=now)
    elif isinstance(command, MarkDelivered):
        return deliver(uow, command, now=now)
    return []
