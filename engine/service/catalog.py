"""Loading the catalog: products, supply plans and lanes. Each replacement is one transaction, and so
is a whole catalog loaded at once."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime

from engine.domain.catalog import Product
from engine.domain.errors import CapBelowReserved, UnknownSku
from engine.domain.events import LanesReplaced, ProductChanged, SupplyPlanReplaced
from engine.domain.supply import SupplyPlan
from engine.service.commands import LoadCatalog, PutProduct, ReplaceLanes, ReplaceSupplyPlan
from engine.service.ports import UnitOfWork
from engine.service.repromising import describe_plan_change, repromise_sku

# SKU -> why its line is to be promised again: a catalog change promises each line it touched once, at
# its end, with every reason (a moved product with a new plan says both).
Due = dict[str, list[str]]


def load_catalog(
    uow: UnitOfWork, command: LoadCatalog, *, now: datetime, confidence: float, tolerance_days: int
) -> bool:
    """Products, then their supply plans (each SKU's queue re-promised), then lanes, in one transaction:
    all of it or, if anything fails, none of it. False when nothing was loaded because the command asks
    for an empty catalog and this one has products."""
    if command.only_into_empty and uow.products.all():
        return False
    due: Due = defaultdict(list)
    for product in command.products:
        _put_product(uow, product, now=now, due=due)
    for plan in command.plans:
        _replace_supply_plan(uow, plan, now=now, due=due)
    if command.lanes is not None:
        change = _replace_lanes(uow, command.lanes, now=now)
        for sku in change.lines:
            due[sku].append(change.cause)
    _promise_again(uow, due, now=now, confidence=confidence, tolerance_days=tolerance_days)
    uow.commit()
    return True


def _promise_again(
    uow: UnitOfWork, due: Due, *, now: datetime, confidence: float, tolerance_days: int
) -> None:
    for sku in sorted(due):  # in SKU order, as every writer that locks several lines
        uow.queues.lock(sku)
        cause = "; ".join(due[sku])
        repromise_sku(uow, sku, cause=cause, now=now, confidence=confidence, tolerance_days=tolerance_days)


def put_product(
    uow: UnitOfWork, command: PutProduct, *, now: datetime, confidence: float, tolerance_days: int
) -> bool:
    """Create or replace the product; True when it was created. A product that now ships from another
    facility has its queue promised again from that facility's lanes."""
    due: Due = defaultdict(list)
    created = _put_product(uow, command, now=now, due=due)
    _promise_again(uow, due, now=now, confidence=confidence, tolerance_days=tolerance_days)
    uow.commit()
    return created


def _put_product(uow: UnitOfWork, command: PutProduct, *, now: datetime, due: Due) -> bool:
    product, old = command.product, uow.products.get(command.product.sku)
    if old is not None and old.current_price is not None and old.price == product.price:
        # The list price stays: so does the pricing agent's price, and the time it was set (a new list
        # price starts the product afresh at it).
        product = replace(product, current_price=old.current_price, price_changed_at=old.price_changed_at)
    cap = product.terms.cap_units
    if old is not None and old.terms.cap_units != cap:
        uow.queues.lock(product.sku)
        counters = uow.queues.get(product.sku)
        if cap is not None and counters is not None and counters.units_reserved > cap:
            raise CapBelowReserved(
                f"cap_units {cap} is below the {counters.units_reserved} units {product.sku}'s orders hold",
                units_reserved=counters.units_reserved,
            )
        if uow.quotas.for_sku(product.sku):
            # Channel quotas split the old run: they go with it, and the allocation agent splits the new one.
            uow.quotas.replace(product.sku, {}, {})
    if old is not None and old.facility != product.facility:
        uow.queues.lock(product.sku)
        due[product.sku].append(f"ships from {product.facility} instead of {old.facility}")
    created = uow.products.put(product)
    uow.publish([ProductChanged(sku=command.product.sku, at=now)], key=command.product.sku)
    return created


def replace_supply_plan(
    uow: UnitOfWork, command: ReplaceSupplyPlan, *, now: datetime, confidence: float, tolerance_days: int
) -> SupplyPlan:
    """Replace the SKU's plan atomically and re-promise its queue in the same transaction."""
    due: Due = defaultdict(list)
    stored = _replace_supply_plan(uow, command, now=now, due=due)
    _promise_again(uow, due, now=now, confidence=confidence, tolerance_days=tolerance_days)
    uow.commit()
    return stored


def product_of(uow: UnitOfWork, sku: str) -> Product:
    """The product as stored; :class:`UnknownSku` when there is no such product."""
    product = uow.products.get(sku)
    if product is None:
        raise UnknownSku(f"no product with SKU {sku!r}", sku=sku)
    return product


def supply_plan_of(uow: UnitOfWork, sku: str) -> SupplyPlan:
    """The product's current supply plan; :class:`UnknownSku` when there is no such product."""
    product_of(uow, sku)
    return uow.supply.get(sku)


def _replace_supply_plan(
    uow: UnitOfWork, command: ReplaceSupplyPlan, *, now: datetime, due: Due
) -> SupplyPlan:
    sku = command.plan.sku
    if uow.products.get(sku) is None:
        raise UnknownSku(f"no product with SKU {sku!r}", sku=sku)
    uow.queues.lock(sku)
    old = uow.supply.get(sku)
    stored = uow.supply.replace(command.plan, now)
    uow.publish([SupplyPlanReplaced(sku=sku, version=stored.version, at=now)], key=sku)
    due[sku].append(describe_plan_change(old, stored))
    return stored


@dataclass(frozen=True)
class LanesChange:
    """Lanes replaced: how many, and the lines they ship whose orders are to be promised again, why."""

    lanes: int
    lines: tuple[str, ...]
    cause: str


def replace_lanes(uow: UnitOfWork, command: ReplaceLanes, *, now: datetime) -> LanesChange:
    """Replace every lane of the facilities named in the command; returns the lines to promise again
    (each in a transaction of its own, :func:`repromise_line`, so that a facility shipping thousands of
    products does not hold the store for all of them at once)."""
    change = _replace_lanes(uow, command, now=now)
    uow.commit()
    return change


def repromise_line(
    uow: UnitOfWork, sku: str, *, cause: str, now: datetime, confidence: float, tolerance_days: int
) -> list[str]:
    """Promise the SKU's line again from its current supply and lanes, saying why; returns who moved."""
    uow.queues.lock(sku)
    moved = repromise_sku(
        uow, sku, cause=cause, now=now, confidence=confidence, tolerance_days=tolerance_days
    )
    uow.commit()
    return moved


def _replace_lanes(uow: UnitOfWork, command: ReplaceLanes, *, now: datetime) -> LanesChange:
    lanes = list(command.lanes)
    facilities = sorted({lane.facility for lane in lanes})
    # Replacing the lanes moves the catalog version of every queue they serve, which holds those queues
    # until the commit: an order placed from here on waits and is promised from the new lanes, and one
    # placed before is in the lines read below.
    uow.lanes.replace_facilities(lanes)
    uow.publish([LanesReplaced(count=len(lanes), at=now)], key="lanes")
    cause = f"delivery lanes from {', '.join(facilities)} replaced"
    return LanesChange(len(lanes), tuple(uow.queues.active_skus(facilities)), cause)
