"""The catalog a scenario puts into the engine: products, the supply plans their drawn lots make, lanes."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from engine.catalog_input import (
    BeyondPlanIn,
    CatalogIn,
    CatalogProductIn,
    LaneIn,
    PurchaseOrderIn,
    RunIn,
    SupplyPlanIn,
    TermsIn,
    TransitIn,
)
from engine.domain.supply import LotKind
from experiments.simulation.scenario import ReplenishIn, Scenario
from experiments.simulation.supply import LotFate, stated_before_notice


def beyond_plan(rule: ReplenishIn) -> BeyondPlanIn:
    """Units past the plan come with a purchase order not raised yet: at the latest after one review
    period and the supplier's lead time, whose slip nobody knows yet (so it is stated as in any plan
    before the supplier's notice)."""
    days, spread = stated_before_notice(
        rule.lead_time_days + rule.review_every_days, rule.spread_days, rule.slip
    )
    return BeyondPlanIn(lead_time_days=days, spread_days=spread)


def scenario_catalog(s: Scenario, start: datetime, fates_by_product: list[list[LotFate]]) -> CatalogIn:
    """The scenario's products (with the supply plans their drawn lots make) and lanes, as a catalog."""

    def day(offset: int) -> date:
        return s.start + timedelta(days=offset)

    products = []
    for p, fates in zip(s.products, fates_by_product, strict=True):
        closes = p.window.closes_day if p.window.closes_day is not None else None
        if p.cap_units is not None and closes is None:
            closes = s.horizon_days  # scarcity pricing needs a window that ends
        rule = p.supply.replenish
        products.append(
            CatalogProductIn(
                sku=p.sku,
                name=p.name,
                price=Decimal(str(p.price)),
                currency=s.currency,
                facility=s.facility,
                preorder=TermsIn(
                    enabled=True,
                    opens_at=start + timedelta(days=p.window.opens_day),
                    closes_at=None if closes is None else start + timedelta(days=closes),
                    cap_units=p.cap_units,
                    per_customer_limit=p.per_customer_limit,
                    max_pause_days=p.max_pause_days,
                ),
                supply_plan=SupplyPlanIn(
                    runs=[
                        RunIn(
                            id=f.id,
                            quantity=f.quantity,
                            expected_date=day(f.stated_day),
                            spread_days=f.stated_spread,
                        )
                        for f in fates
                        if f.kind is LotKind.RUN
                    ],
                    purchase_orders=[
                        PurchaseOrderIn(
                            id=f.id,
                            supplier=f.supplier or "supplier",
                            quantity=f.quantity,
                            expected_date=day(f.stated_day),
                            spread_days=f.stated_spread,
                        )
                        for f in fates
                        if f.kind is LotKind.PURCHASE_ORDER
                    ],
                    beyond_plan=None if rule is None else beyond_plan(rule),
                ),
            )
        )
    lanes = [
        LaneIn(
            facility=s.facility,
            country=lane.country,
            region=lane.region,
            handling_days=lane.handling_days,
            transit_days=TransitIn(
                p10=lane.transit_days.p10, p50=lane.transit_days.p50, p90=lane.transit_days.p90
            ),
        )
        for lane in s.lanes
    ]
    return CatalogIn(products=products, lanes=lanes)
