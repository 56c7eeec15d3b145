"""Pause, resume, cancel, receipts, pause expiry: each one transaction that re-promises the queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.domain.errors import InvalidData, NotFound, ReceiptReferenceMismatch, UnknownSku
from engine.domain.events import SupplyReceived
from engine.domain.orders import OrderStatus, Preorder
from engine.domain.queue_math import QueueSnapshot
from engine.service.allocating import Allocation, allocate_on_hand
from engine.service.ports import CounterChange, PromiseUpdate, Receipt, UnitOfWork
from engine.service.repromising import repromise_sku, shelf_promises


@dataclass(frozen=True)
class Policy:
    """The settings whole-queue work needs."""

    confidence: float
    tolerance_days: int


def own_order(uow: UnitOfWork, order_id: str, account_id: str | None) -> Preorder:
    """The order, if it exists and (unless ``account_id`` is None, for admins) belongs to the account,
    read after taking its SKU's line lock so that concurrent changes to the line cannot interleave."""
    order = uow.preorders.get(order_id)
    if order is None or (account_id is not None and order.account_id != account_id):
        raise NotFound(f"no pre-order with id {order_id!r}")
    uow.queues.lock(order.intent.sku)
    fresh = uow.preorders.get(order_id)
    assert fresh is not None  # orders are never deleted
    return fresh


def _settle(
    uow: UnitOfWork, sku: str, *, cause: str, now: datetime, policy: Policy, receipt: str
) -> Allocation:
    """After a change to the line: hand out units on hand, then promise everyone again (the orders
    that got units from the shelf, the others from the supply still to come)."""
    confidence, tolerance = policy.confidence, policy.tolerance_days

    def from_shelf(allocated: QueueSnapshot) -> PromiseUpdate | None:
        return shelf_promises(uow, sku, allocated, now=now, confidence=confidence, tolerance_days=tolerance)

    allocation = allocate_on_hand(uow, sku, receipt=receipt, now=now, promise=from_shelf)
    repromise_sku(
        uow, sku, cause=cause, now=now, confidence=confidence, tolerance_days=tolerance, line=allocation.line
    )
    return allocation


def _changed(uow: UnitOfWork, order: Preorder, *, cause: str, now: datetime, policy: Policy) -> None:
    """Store the order's transition and its events, then settle its line."""
    uow.preorders.save(order)
    uow.publish(order.events, key=order.id)
    _settle(uow, order.intent.sku, cause=cause, now=now, policy=policy, receipt="on hand")


def pause(
    uow: UnitOfWork,
    order_id: str,
    account_id: str | None,
    *,
    reason: str | None,
    now: datetime,
    policy: Policy,
) -> str:
    order = own_order(uow, order_id, account_id)
    product = uow.products.get(order.intent.sku)
    max_days = product.terms.max_pause_days if product else None
    if order.pause(now, reason=reason, max_pause_days=max_days):
        # units on hand that waited for this order now go to the next one in line
        _changed(uow, order, cause=f"order {order.number} paused", now=now, policy=policy)
        uow.commit()
    return order.id


def resume(
    uow: UnitOfWork,
    order_id: str,
    account_id: str | None,
    *,
    now: datetime,
    policy: Policy,
    cause: str = "customer resumed",
) -> str:
    order = own_order(uow, order_id, account_id)
    if order.resume(now, cause=cause):
        _changed(uow, order, cause=f"order {order.number} resumed", now=now, policy=policy)
        uow.commit()
    return order.id


def cancel(
    uow: UnitOfWork,
    order_id: str,
    account_id: str | None,
    *,
    reason: str | None,
    now: datetime,
    policy: Policy,
) -> str:
    order = own_order(uow, order_id, account_id)
    previous = order.cancel(now, reason=reason)
    if previous is None:
        return order.id
    q = order.intent.quantity
    if previous is OrderStatus.ALLOCATED:
        # Its units go back on hand, for the next order in line.
        change = CounterChange(units_reserved=-q, units_allocated=-q, units_on_hand=q)
    else:
        change = CounterChange(units_reserved=-q, units_queued=-q, orders_queued=-1)
    uow.queues.change(order.intent.sku, change)
    uow.quotas.release(order.intent.sku, order.intent.channel, q)
    uow.preorders.save(order)
    uow.publish(order.events, key=order.id)
    _settle(
        uow,
        order.intent.sku,
        cause=f"order {order.number} was cancelled",
        now=now,
        policy=policy,
        receipt=f"cancelled {order.number}",
    )
    uow.commit()
    return order.id


@dataclass(frozen=True)
class ReceiptResult:
    receipt: Receipt
    replayed: bool


def receive(
    uow: UnitOfWork,
    sku: str,
    *,
    quantity: int,
    reference: str,
    received_at: datetime,
    lot_id: str | None,
    now: datetime,
    policy: Policy,
) -> ReceiptResult:
    """Units arrived: allocate them in queue order, and the same reference twice is applied once."""
    if uow.products.get(sku) is None:
        raise UnknownSku(f"no product with SKU {sku!r}", sku=sku)
    uow.queues.lock(sku)
    first = uow.receipts.get(sku, reference)
    if first is not None:
        if (first.quantity, first.lot_id) != (quantity, lot_id):
            lot = f" for {first.lot_id}" if first.lot_id else ""
            raise ReceiptReferenceMismatch(
                f"receipt {reference} was applied with {first.quantity} units{lot}; "
                "a different receipt needs its own reference",
                reference=reference,
            )
        return ReceiptResult(first, replayed=True)
    if lot_id is not None:
        plan = uow.supply.get(sku)
        if lot_id not in {lot.id for lot in plan.lots}:
            raise InvalidData(f"{sku} has no run or purchase order {lot_id!r} in its plan", field="lot")
        uow.supply.reduce_lot(sku, lot_id, quantity)
    uow.queues.change(sku, CounterChange(units_on_hand=quantity))
    cause = f"receipt {reference} of {quantity} units"
    allocation = _settle(uow, sku, cause=cause, now=now, policy=policy, receipt=reference)
    counters = uow.queues.get(sku)
    receipt = Receipt(
        sku,
        reference,
        quantity,
        lot_id,
        received_at,
        allocation.ids,
        counters.units_on_hand if counters else 0,
    )
    uow.receipts.add(receipt)
    uow.publish(
        [SupplyReceived(sku, reference, quantity, lot_id, len(allocation.ids), receipt.left_on_hand, now)],
        key=sku,
    )
    uow.commit()
    return ReceiptResult(receipt, replayed=False)


def expire_pauses(uow: UnitOfWork, *, now: datetime, policy: Policy, limit: int = 500) -> list[str]:
    """Resume every order whose maximum pause ran out; each says so in its history."""
    locked = {order.intent.sku for order in uow.preorders.pauses_ending(now, limit)}
    for sku in sorted(locked):
        uow.queues.lock(sku)
    # Read again under the locks (an order may have been resumed or cancelled meanwhile), and only in the
    # lines locked: past ``limit``, the second read could reach a line nobody locked; the next sweep will.
    orders = [order for order in uow.preorders.pauses_ending(now, limit) if order.intent.sku in locked]
    skus = set()
    for order in orders:
        assert order.resume_by is not None
        days = (order.resume_by - order.paused_at).days if order.paused_at else None
        order.resume(now, cause=f"maximum pause{f' of {days} days' if days is not None else ''} reached")
        uow.preorders.save(order)
        uow.publish(order.events, key=order.id)
        skus.add(order.intent.sku)
    for sku in sorted(skus):
        _settle(
            uow, sku, cause="paused orders resumed by themselves", now=now, policy=policy, receipt="on hand"
        )
    uow.commit()
    return [order.id for order in orders]
