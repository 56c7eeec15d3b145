"""Capacity beyond the plan covers ten years of production at most: an order further out is refused, and
an order a plan change pushes past it is flagged as uncovered instead of promised a date no calendar
holds (a slow enough capacity used to reach past the year 9999 and break the product's every read)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.bootstrap import bootstrap_in_memory
from engine.catalog_input import CatalogIn, SupplyPlanIn
from engine.clock import ManualClock
from engine.config import Settings
from engine.domain.errors import SoldOut
from engine.domain.orders import Address, Customer, OrderIntent
from engine.service.access import Caller
from engine.service.commands import PlacePreorder, ReplaceSupplyPlan

PLAN = {
    "runs": [{"id": "R-1", "quantity": 1000, "expected_date": "2027-02-01"}],
    "beyond_plan": {"capacity_per_day": 1},
}


def order(customer: str) -> PlacePreorder:
    address = Address(country="US", region="CA")
    return PlacePreorder(
        "acct", OrderIntent("SKU-1", 1000, Customer(customer, f"{customer}@x.test", address), "web")
    )


def test_an_order_past_ten_years_of_capacity_is_sold_out_and_one_pushed_there_is_flagged() -> None:
    engine = bootstrap_in_memory(Settings(), clock=ManualClock(datetime(2026, 12, 1, tzinfo=UTC)))
    catalog = {
        "products": [
            {
                "sku": "SKU-1",
                "name": "Slow",
                "price": "10.00",
                "currency": "USD",
                "facility": "DC",
                "preorder": {"enabled": True, "per_customer_limit": None, "cap_units": None},
                "supply_plan": PLAN,
            }
        ],
        "lanes": [
            {
                "facility": "DC",
                "country": "US",
                "handling_days": 1,
                "transit_days": {"p10": 1, "p50": 2, "p90": 3},
            }
        ],
    }
    engine.load_catalog(CatalogIn.model_validate(catalog))
    placed = [engine.place(order(f"c-{i}")).order for i in range(4)]  # the run, then 1000, 2000, 3000 days
    assert placed[-1]["expected_availability"] == "2035-04-20"
    with pytest.raises(SoldOut, match="within 10 years"):
        engine.place(order("c-4"))  # 4000 days of capacity past the run
    # When the run goes from the plan, every order moves 1000 days later: the last one past ten years
    without_the_run = SupplyPlanIn.model_validate({"runs": [], "beyond_plan": {"capacity_per_day": 1}})
    engine.replace_supply_plan(ReplaceSupplyPlan(without_the_run.to_domain("SKU-1")))
    last = engine.order(Caller("acct", "k", frozenset({"orders:read"})), placed[-1]["id"])
    assert last["conflict"] == "no planned supply covers this order"
