"""An engine on a test database, a product loaded into it, and orders for it (the integration tests')."""

from __future__ import annotations

from datetime import UTC, datetime

from catalog_builders import lanes_body, order_body, plan_body, product_body, unique

from api.schemas import PreorderCreate
from engine.bootstrap import PreorderEngine, bootstrap
from engine.catalog_input import CatalogIn
from engine.clock import ManualClock
from engine.config import Settings
from engine.service.commands import PlacePreorder

START = datetime(2026, 12, 1, tzinfo=UTC)


def engine_on(database_url: str) -> PreorderEngine:
    """The engine a server would build on ``database_url``, its clock standing at ``START``."""
    return bootstrap(Settings(database_url=database_url), clock=ManualClock(START))


def load_product(engine: PreorderEngine, planned: int = 100, **terms: object) -> str:
    """A product (``terms`` as in ``product_body``) with a run of ``planned`` units on 2027-02-01 and its
    own lanes."""
    sku, facility = unique("SKU"), unique("DC")
    catalog = {
        "products": [
            {
                **product_body(facility=facility, **terms),  # type: ignore[arg-type]
                "sku": sku,
                "supply_plan": plan_body(("R-1", planned, "2027-02-01", 2)),
            }
        ],
        "lanes": lanes_body(facility)["lanes"],
    }
    engine.load_catalog(CatalogIn.model_validate(catalog))
    return sku


def intent(sku: str, **changes: object) -> PlacePreorder:
    """A placement of ``order_body(sku, **changes)`` for a new account."""
    return PlacePreorder(
        unique("acct"),
        PreorderCreate.model_validate(order_body(sku, **changes)).to_intent(),  # type: ignore[arg-type]
    )
