"""Placing a pre-order: dedupe, eligibility, a place in the queue, a promise — one transaction."""

from __future__ import annotations

import hashlib
import json
import os
import random
import threading
import time
from datetime import datetime
from typing import Any

from engine.domain.errors import (
    ChannelQuotaExhausted,
    CustomerLimitExceeded,
    DestinationNotServed,
    IdempotencyKeyMismatch,
    SoldOut,
    UnknownSku,
)
from engine.domain.lanes import best_lane
from engine.domain.orders import Address, Customer, OrderIntent, Preorder
from engine.domain.promise import promise_for
from engine.service.catalog_cache import CatalogCache
from engine.service.commands import PlacePreorder
from engine.service.order_views import order_view
from engine.service.ports import CounterChange, IdempotencyRecord, UnitOfWork
from engine.service.repromising import repromise_sku


class Placement:
    """The answer to a placement: ``order`` is the order's view as its owner sees it, built when first
    read (a simulation reads ``placed``, the order itself, and never needs the view); ``placed`` is None
    for a replay of an earlier answer. The store keeps its own copy or rows of the order, never this
    object, so a view built later is still the view of the order as it was placed."""

    __slots__ = ("_ahead", "_view", "placed", "replayed")

    def __init__(
        self,
        view: dict[str, Any] | None,
        *,
        replayed: bool,
        placed: Preorder | None = None,
        ahead: tuple[int, int] = (0, 0),
    ) -> None:
        self._view, self.replayed, self.placed, self._ahead = view, replayed, placed, ahead

    @property
    def order(self) -> dict[str, Any]:
        if self._view is None:
            assert self.placed is not None
            orders_ahead, units_ahead = self._ahead
            self._view = order_view(self.placed, orders_ahead=orders_ahead, units_ahead=units_ahead)
        return self._view


def intent_hash(intent: OrderIntent) -> str:
    """A fingerprint of the request body: the same intent always hashes the same."""
    customer, address = intent.customer, intent.customer.shipping_address
    canonical = json.dumps(
        [
            intent.sku,
            intent.quantity,
            intent.channel,
            intent.external_id,
            customer.id,
            customer.email,
            customer.name,
            address.country,
            address.region,
            address.postal_code,
            address.city,
            address.line1,
        ],
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


# 48 random bits per id from a generator seeded by the OS, and seeded again in a forked child, so
# processes never share a sequence; asking the OS for every id cost a system call per order. Ids are
# unique, not secret (an order is read only by its account's keys): use ``secrets`` for anything that
# must not be guessed.
_random_bits = random.Random(os.urandom(32))
_BITS = 48
_last = [0, 0]  # the millisecond and the low bits of this process's last id
_last_lock = threading.Lock()


def _after_fork() -> None:
    _random_bits.seed(os.urandom(32))
    _last[:] = [0, 0]  # a child starts its own run of ids, never continuing its parent's


os.register_at_fork(after_in_child=_after_fork)


def new_order_id() -> str:
    """Time-ordered ids (like monotonic ULIDs): listing by id is listing by creation. The first id of a
    millisecond has random low bits; later ids of the same millisecond (or of a clock that stepped back)
    count up from there, so two orders placed within one millisecond still list in the order placed."""
    now = time.time_ns() // 1_000_000
    with _last_lock:
        millisecond, low = _last
        if now > millisecond:
            millisecond, low = now, _random_bits.getrandbits(_BITS - 1)  # room to count up
        else:
            low += 1
            if low >> _BITS:  # 2^47 ids in one millisecond: borrow the next one
                millisecond, low = millisecond + 1, _random_bits.getrandbits(_BITS - 1)
        _last[:] = [millisecond, low]
    return f"{millisecond:012x}{low:012x}"


def dedupe_keys(command: PlacePreorder) -> list[str]:
    keys = []
    if command.idempotency_key is not None:
        keys.append(f"key:{command.idempotency_key}")
    if command.intent.external_id is not None:
        keys.append(f"ext:{command.intent.channel}:{command.intent.external_id}")
    if command.dead_letter_id is not None:
        keys.append(f"letter:{command.dead_letter_id}")
    return keys


def _first_answer(
    uow: UnitOfWork, account: str, keys: list[str], fingerprint: str, now: datetime
) -> IdempotencyRecord | None:
    """The first answer to this intent under any of its keys, or None for a new intent.

    A replay found under one key (say its ``external_id``) also records the keys it came with that
    were new (a fresh ``Idempotency-Key``): a retry under that key then replays too, and the key can
    never name a second order.
    """
    first: IdempotencyRecord | None = None
    new_keys = []
    for key in keys:
        record = uow.idempotency.get(account, key)
        if record is None:
            new_keys.append(key)
            continue
        if record.request_hash != fingerprint:
            what = "Idempotency-Key" if key.startswith("key:") else "external_id"
            raise IdempotencyKeyMismatch(f"this {what} was already used with a different request body")
        first = first or record
    if first is not None and new_keys:
        for key in new_keys:
            uow.idempotency.add(
                IdempotencyRecord(account, key, fingerprint, first.order_id, first.response, now)
            )
        uow.commit()
    return first


def place_preorder(
    uow: UnitOfWork,
    command: PlacePreorder,
    *,
    now: datetime,
    confidence: float,
    tolerance_days: int,
    cache: CatalogCache | None = None,
) -> Placement:
    """Place the order, or return the first answer to the same intent; raise the rule that refuses it."""
    intent, account = command.intent, command.account_id
    keys = dedupe_keys(command)
    fingerprint = intent_hash(intent) if keys else ""  # only kept beside a dedupe key
    first = _first_answer(uow, account, keys, fingerprint, now)
    if first is not None:
        return Placement(first.response, replayed=True)

    reservation = uow.queues.reserve(intent.sku, intent.quantity)
    if reservation is None:
        product = uow.products.get(intent.sku)
        if product is None:
            raise UnknownSku(f"no product with SKU {intent.sku!r}", sku=intent.sku)
        product.check_preorderable(now)
        counters = uow.queues.get(intent.sku)
        left = 0 if counters is None else max(0, (counters.cap_units or 0) - counters.units_reserved)
        raise SoldOut(
            f"{intent.sku} has {left} units left under its cap; {intent.quantity} requested",
            sku=intent.sku,
            units_left=left,
        )
    # Refusals below roll the reservation back with everything else.
    entry = (cache or CatalogCache()).load(uow, intent.sku, reservation.catalog_version)
    if entry is None:
        raise UnknownSku(f"no product with SKU {intent.sku!r}", sku=intent.sku)
    product = entry.product
    product.check_preorderable(now)
    address = intent.customer.shipping_address
    lane = best_lane(list(entry.lanes), product.facility, address.country, address.region)
    if lane is None:
        raise DestinationNotServed(
            f"{product.facility} does not ship to {address.country}"
            + (f"/{address.region}" if address.region else ""),
            country=address.country,
            region=address.region,
        )
    quota = None
    if intent.channel in entry.quota_channels:
        quota = uow.quotas.take(intent.sku, intent.channel, intent.quantity)
    if quota is not None and not quota.taken:
        left = max(0, quota.quota_units - quota.reserved_units)
        raise ChannelQuotaExhausted(
            f"channel {intent.channel} has {left} of its {quota.quota_units} units of {intent.sku} left",
            channel=intent.channel,
            units_left=left,
        )
    limit = product.terms.per_customer_limit
    if limit is not None:
        held = uow.preorders.customer_units(account, intent.sku, intent.customer.id)
        if held + intent.quantity > limit:
            raise CustomerLimitExceeded(
                f"customer {intent.customer.id} holds {held} of at most {limit} units of {intent.sku}",
                limit=limit,
                held=held,
            )

    # Units on the shelf go to this order at once if nobody waits ahead of it (paused orders keep
    # their place but are skipped by allocation, as for a receipt).
    from_shelf = reservation.units_on_hand >= intent.quantity and (
        reservation.units_ahead == 0 or not uow.queues.waiting_ahead(intent.sku, reservation.sequence)
    )
    ladder = entry.ladder(reservation.units_on_hand, now.date())
    position = intent.quantity if from_shelf else reservation.units_ahead + intent.quantity
    promise = promise_for(ladder.cover(position), lane, confidence)
    order = Preorder.place(
        order_id=new_order_id(),
        account_id=account,
        intent=intent,
        sequence=reservation.sequence,
        unit_price=product.selling_price,
        currency=product.currency,
        promise=promise,
        now=now,
    )
    if from_shelf:
        order.allocate(now, receipt="on hand")
        q = intent.quantity
        uow.queues.change(
            intent.sku, CounterChange(units_queued=-q, orders_queued=-1, units_allocated=q, units_on_hand=-q)
        )
    uow.preorders.add(order)
    placement = Placement(
        None, replayed=False, placed=order, ahead=(reservation.orders_ahead, reservation.units_ahead)
    )
    for key in keys:
        uow.idempotency.add(IdempotencyRecord(account, key, fingerprint, order.id, placement.order, now))
    uow.publish(order.events, key=order.id)
    if from_shelf and reservation.units_ahead:
        # Rare (stock on the shelf and only paused orders ahead): those orders' promises on resuming
        # counted on the units this order just took, so the line is promised again.
        cause = f"units on hand went to order {order.number}, placed while the orders ahead were paused"
        repromise_sku(
            uow, intent.sku, cause=cause, now=now, confidence=confidence, tolerance_days=tolerance_days
        )
    uow.commit()
    return placement


def command_from_letter(payload: str) -> PlacePreorder:
    """The placement a dead letter holds (its JSON is the command as it was)."""
    data = json.loads(payload)
    intent = data["intent"]
    customer = intent["customer"]
    address = Address(**customer["shipping_address"])
    return PlacePreorder(
        account_id=data.get("account_id") or "",
        intent=OrderIntent(
            sku=intent["sku"],
            quantity=int(intent["quantity"]),
            customer=Customer(
                id=customer["id"],
                email=customer["email"],
                shipping_address=address,
                name=customer.get("name"),
            ),
            channel=intent["channel"],
            external_id=intent.get("external_id"),
        ),
        idempotency_key=data.get("idempotency_key"),
    )
