"""The documented input shapes for catalog data, shared by the admin API and ``preorder catalog load``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from engine.domain.catalog import PreorderTerms, Product
from engine.domain.delivery_window import longest_transit_days
from engine.domain.lanes import Lane, TransitDays
from engine.domain.supply import BeyondPlan, LotKind, SupplyLot, SupplyPlan
from engine.service.commands import LoadCatalog, PutProduct, ReplaceLanes, ReplaceSupplyPlan

Sku = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Region = Annotated[str, StringConstraints(min_length=1, max_length=64, strip_whitespace=True)]
# A transit quantile, and a standard deviation of supply timing: at most a year and four months (the
# delivery model's table grows with them; a wider one is no promise a customer can use).
Days = Annotated[float, Field(ge=0, le=365)]
SpreadDays = Annotated[float, Field(ge=0, le=120)]
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)  # promises add years of waits to these


def _on_the_calendar(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("needs a time zone (e.g. 2026-11-01T00:00:00Z)")
    if not FIRST_DAY.year <= moment.year <= LAST_DAY.year:  # checked before any conversion to UTC
        raise ValueError(f"must be between {FIRST_DAY} and {LAST_DAY}")
    return moment


CalendarDate = Annotated[date, Field(ge=FIRST_DAY, le=LAST_DAY)]
Moment = Annotated[datetime, AfterValidator(_on_the_calendar)]  # an aware time within the calendar


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        """PostgreSQL cannot store a NUL character in text (SQLite would store it): refused here for the
        command line, as the API's edge refuses it for requests."""
        if isinstance(data, dict):
            for key, value in data.items():
                if isinstance(value, str) and "\x00" in value:
                    raise ValueError(f"{key} contains a NUL character")
        return data


class TermsIn(Strict):
    enabled: bool = True
    opens_at: Moment | None = None
    closes_at: Moment | None = None
    cap_units: Annotated[int, Field(ge=1, le=100_000_000)] | None = None
    per_customer_limit: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    max_pause_days: Annotated[int, Field(ge=0, le=3650)] | None = None

    @model_validator(mode="after")
    def _window_in_order(self) -> Self:
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValueError("closes_at must be after opens_at")
        return self


class ProductIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "name": "Console X",
                    "price": "499.00",
                    "currency": "USD",
                    "facility": "DC-EAST",
                    "preorder": {
                        "enabled": True,
                        "opens_at": "2026-11-01T00:00:00Z",
                        "closes_at": "2027-03-01T00:00:00Z",
                        "cap_units": 5000,
                        "per_customer_limit": 2,
                        "max_pause_days": 30,
                    },
                }
            ]
        },
    )
    name: Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
    price: Annotated[Decimal, Field(ge=0, le=Decimal("10000000"), max_digits=12, decimal_places=2)]
    currency: Currency
    facility: Code
    preorder: TermsIn = TermsIn(enabled=False)

    def to_domain(self, sku: str) -> Product:
        t = self.preorder
        return Product(
            sku=sku,
            name=self.name,
            price=self.price.quantize(Decimal("0.01")),
            currency=self.currency,
            facility=self.facility,
            terms=PreorderTerms(
                enabled=t.enabled,
                opens_at=t.opens_at,
                closes_at=t.closes_at,
                cap_units=t.cap_units,
                per_customer_limit=t.per_customer_limit,
                max_pause_days=t.max_pause_days,
            ),
        )


class RunIn(Strict):
    id: Code
    quantity: Annotated[int, Field(ge=0, le=100_000_000)]
    expected_date: CalendarDate
    spread_days: SpreadDays = 0
    facility: Code | None = None


class PurchaseOrderIn(Strict):
    id: Code
    supplier: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    quantity: Annotated[int, Field(ge=0, le=100_000_000)]
    expected_date: CalendarDate
    spread_days: SpreadDays = 0


class BeyondPlanIn(Strict):
    capacity_per_day: Annotated[int, Field(ge=1, le=10_000_000)] | None = None
    lead_time_days: Annotated[int, Field(ge=0, le=3650)] | None = None
    spread_days: SpreadDays = 0

    @model_validator(mode="after")
    def _exactly_one_rule(self) -> Self:
        if (self.capacity_per_day is None) == (self.lead_time_days is None):
            raise ValueError("give exactly one of capacity_per_day or lead_time_days")
        return self


class SupplyPlanIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "runs": [
                        {"id": "R-1", "quantity": 3000, "expected_date": "2027-02-01", "spread_days": 4}
                    ],
                    "purchase_orders": [
                        {
                            "id": "PO-7",
                            "supplier": "acme-parts",
                            "quantity": 2000,
                            "expected_date": "2027-03-10",
                            "spread_days": 9,
                        }
                    ],
                    "beyond_plan": {"lead_time_days": 60, "spread_days": 10},
                }
            ]
        },
    )
    runs: Annotated[list[RunIn], Field(max_length=1000)] = []
    purchase_orders: Annotated[list[PurchaseOrderIn], Field(max_length=1000)] = []
    beyond_plan: BeyondPlanIn | None = None

    @model_validator(mode="after")
    def _unique_ids(self) -> Self:
        ids = [run.id for run in self.runs] + [po.id for po in self.purchase_orders]
        if len(ids) != len(set(ids)):
            raise ValueError("run and purchase-order ids must be unique within a plan")
        return self

    def to_domain(self, sku: str) -> SupplyPlan:
        lots = [
            SupplyLot(r.id, LotKind.RUN, r.quantity, r.expected_date, r.spread_days, facility=r.facility)
            for r in self.runs
        ] + [
            SupplyLot(
                p.id, LotKind.PURCHASE_ORDER, p.quantity, p.expected_date, p.spread_days, supplier=p.supplier
            )
            for p in self.purchase_orders
        ]
        beyond = None
        if self.beyond_plan is not None:
            b = self.beyond_plan
            beyond = BeyondPlan(b.capacity_per_day, b.lead_time_days, b.spread_days)
        return SupplyPlan(sku=sku, lots=tuple(lots), beyond_plan=beyond)


LONGEST_TRANSIT_DAYS = 3650  # the delivery table stays a few million cells at most


class TransitIn(Strict):
    p10: Days
    p50: Days
    p90: Days

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.p10 <= self.p50 <= self.p90:
            raise ValueError("transit quantiles must satisfy p10 <= p50 <= p90")
        # The quantiles are fitted with a log-normal: a small p10 under a large p50 stretches its tail
        # far past p90, and every promise over the lane would weigh years of possible transit.
        tail = longest_transit_days(self.p10, self.p50, self.p90)
        if tail > LONGEST_TRANSIT_DAYS:
            raise ValueError(
                f"these transit quantiles imply transits of up to {tail:,.0f} days; at most "
                f"{LONGEST_TRANSIT_DAYS} (bring p10 closer to p50)"
            )
        return self


class LaneIn(Strict):
    facility: Code
    country: Country
    region: Region | None = None
    handling_days: Annotated[int, Field(ge=0, le=365)]
    transit_days: TransitIn

    def to_domain(self) -> Lane:
        t = self.transit_days
        return Lane(
            self.facility, self.country, self.region, self.handling_days, TransitDays(t.p10, t.p50, t.p90)
        )


class LanesIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "lanes": [
                        {
                            "facility": "DC-EAST",
                            "country": "US",
                            "region": "CA",
                            "handling_days": 1,
                            "transit_days": {"p10": 3, "p50": 4, "p90": 7},
                        },
                    ]
                }
            ]
        },
    )
    lanes: Annotated[list[LaneIn], Field(min_length=1, max_length=10_000)]

    @model_validator(mode="after")
    def _unique(self) -> Self:
        keys = [(lane.facility, lane.country, lane.region) for lane in self.lanes]
        if len(keys) != len(set(keys)):
            raise ValueError("each facility/country/region lane may appear once")
        return self


class CatalogProductIn(ProductIn):
    sku: Sku
    supply_plan: SupplyPlanIn | None = None


class CatalogIn(Strict):
    """A catalog file: products (each optionally with its supply plan) and lanes."""

    products: list[CatalogProductIn] = []
    lanes: list[LaneIn] = []

    def to_command(self) -> LoadCatalog:
        return LoadCatalog(
            tuple(PutProduct(item.to_domain(item.sku)) for item in self.products),
            tuple(ReplaceSupplyPlan(p.supply_plan.to_domain(p.sku)) for p in self.products if p.supply_plan),
            ReplaceLanes(tuple(lane.to_domain() for lane in self.lanes)) if self.lanes else None,
        )
