"""Scenario files: what the simulated world looks like, read from YAML and checked field by field.

Every day count is relative to ``start`` (day 0). The field-by-field documentation is
``experiments/scenarios/README.md``; unknown fields are refused so a typo never silently changes a run.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Self

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from optimizers.demand import BassParameters, bass_cumulative

Share = Annotated[float, Field(ge=0, le=1)]
Rate = Annotated[float, Field(ge=0, le=1)]
DayCount = Annotated[int, Field(ge=0, le=3650)]
Positive = Annotated[float, Field(gt=0)]


class ScenarioError(ValueError):
    """A scenario file that cannot be used; the message is one line naming the file and the field."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SlipIn(Strict):
    probability: Rate = 0.0
    mean_days: Annotated[float, Field(ge=0, le=365)] = 0.0
    notice_days: DayCount = 7


class LotIn(Strict):
    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,40}$")]
    quantity: Annotated[int, Field(ge=1, le=100_000_000)]
    day: DayCount
    spread_days: Annotated[float, Field(ge=0, le=120)] = 0.0
    supplier: str | None = None
    slip: SlipIn = SlipIn()


class ReplenishIn(Strict):
    review_every_days: Annotated[int, Field(ge=1, le=365)] = 7
    lead_time_days: Annotated[int, Field(ge=0, le=365)] = 21
    spread_days: Annotated[float, Field(ge=0, le=60)] = 0.0
    safety_days: Annotated[float, Field(ge=0, le=365)] = 7.0
    slip: SlipIn = SlipIn()


class SupplyIn(Strict):
    runs: list[LotIn] = []
    purchase_orders: list[LotIn] = []
    replenish: ReplenishIn | None = None

    @property
    def lots(self) -> tuple[LotIn, ...]:
        """The planned runs and purchase orders."""
        return (*self.runs, *self.purchase_orders)

    @model_validator(mode="after")
    def _unique_ids(self) -> Self:
        ids = [lot.id for lot in self.lots]
        if len(ids) != len(set(ids)):
            raise ValueError("run and purchase-order ids must be unique within a product")
        return self


class BassIn(Strict):
    p: Annotated[float, Field(gt=0, le=1)]
    q: Annotated[float, Field(ge=0, le=2)]
    m: Annotated[float, Field(gt=0, le=1e9)]


class WindowIn(Strict):
    opens_day: DayCount = 0
    closes_day: DayCount | None = None


class ProductIn(Strict):
    sku: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,50}$")]
    name: str
    price: Annotated[float, Field(gt=0, le=1e6)]
    cap_units: Annotated[int, Field(ge=1)] | None = None
    per_customer_limit: Annotated[int, Field(ge=1)] | None = None
    max_pause_days: DayCount | None = None
    window: WindowIn = WindowIn()
    supply: SupplyIn = SupplyIn()
    demand: BassIn

    @model_validator(mode="after")
    def _sellable(self) -> Self:
        if self.cap_units is None and self.supply.replenish is None:
            raise ValueError(f"{self.sku}: an open-ended product (no cap_units) needs supply.replenish")
        closes = self.window.closes_day
        if closes is not None and closes <= self.window.opens_day:
            raise ValueError(f"{self.sku}: window.closes_day must be after opens_day")
        return self


class DemandIn(Strict):
    elasticity: Annotated[float, Field(gt=0, le=10)] = 2.0
    wait_sensitivity_per_week: Annotated[float, Field(ge=0, le=10)] = 0.05
    units_per_order: dict[int, Share] = {1: 1.0}

    @model_validator(mode="after")
    def _distribution(self) -> Self:
        if any(units < 1 for units in self.units_per_order) or not math.isclose(
            sum(self.units_per_order.values()), 1.0, abs_tol=1e-6
        ):
            raise ValueError("units_per_order maps quantities >= 1 to shares that sum to 1")
        return self


class CustomersIn(Strict):
    pause_rate_per_day: Rate = 0.0
    resume_rate_per_day: Rate = 0.2
    cancel_rate_per_day: Rate = 0.0


class TransitIn(Strict):
    p10: Annotated[float, Field(ge=0, le=120)]
    p50: Annotated[float, Field(ge=0, le=120)]
    p90: Annotated[float, Field(ge=0, le=120)]

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.p10 <= self.p50 <= self.p90:
            raise ValueError("transit quantiles must satisfy p10 <= p50 <= p90")
        return self


class LaneIn(Strict):
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    region: str
    share: Share
    handling_days: Annotated[int, Field(ge=0, le=30)] = 1
    transit_days: TransitIn


class PoliciesIn(Strict):
    promise_confidence: Annotated[float, Field(gt=0.5, lt=1.0)] = 0.9
    price_floor: Annotated[float, Field(gt=0, le=1)] = 0.9
    price_ceiling: Annotated[float, Field(ge=1, le=5)] = 1.5
    price_max_change: Annotated[float, Field(gt=0, le=1)] = 0.1
    price_min_days_between_changes: Annotated[int, Field(ge=0, le=365)] = 3
    naive_lead_time_days: Annotated[int, Field(ge=0, le=365)] = 14
    # Customers act at 06:00 and visitors order at noon: the day's cut-off comes after both.
    cut_off_hour: Annotated[int, Field(ge=13, le=23)] = 17
    consolidation_time_limit_s: Annotated[float, Field(ge=0, le=60)] = 0.0
    # the one_parcel_per_order baseline: each order goes alone with a parcel carrier at this tariff
    parcel_base_cost: Annotated[float, Field(ge=0, le=1000)] = 6.0
    parcel_cost_per_kg: Annotated[float, Field(ge=0, le=100)] = 0.3
    parcel_cost_per_km: Annotated[float, Field(ge=0, le=10)] = 0.005


LAST_START_YEAR = 3000  # a season's dates (horizon and deliveries) must stay representable


class Scenario(Strict):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    description: str = ""
    seed: Annotated[int, Field(ge=0)] = 0
    start: date
    horizon_days: Annotated[int, Field(ge=1, le=3650)]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "USD"
    facility: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")] = "DC-1"
    products: Annotated[list[ProductIn], Field(min_length=1)]
    demand: DemandIn = DemandIn()
    channels: dict[str, Positive]
    customers: CustomersIn = CustomersIn()
    lanes: Annotated[list[LaneIn], Field(min_length=1)]
    policies: PoliciesIn = PoliciesIn()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        skus = [p.sku for p in self.products]
        if len(skus) != len(set(skus)):
            raise ValueError("product skus must be unique")
        if not self.channels:
            raise ValueError("channels needs at least one channel share")
        if not math.isclose(sum(lane.share for lane in self.lanes), 1.0, abs_tol=1e-6):
            raise ValueError("lane shares must sum to 1")
        if len({(lane.country, lane.region) for lane in self.lanes}) != len(self.lanes):
            raise ValueError("each country/region lane may appear once")
        if self.start.year >= LAST_START_YEAR:
            raise ValueError(f"start must be before the year {LAST_START_YEAR}")
        return self


def load_scenario(path: Path) -> Scenario:
    """The scenario in ``path``; raise :class:`ScenarioError` with one line saying what is wrong."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from exc
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: expected a mapping of scenario fields at the top level")
    return _validated(data, str(path))


def _validated(data: Any, source: str) -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(f"{source}: {_first_problem(exc)}") from exc


def _first_problem(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or exc.title
    more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
    return f"{where}: {first['msg']}{more}"


def mean_units_per_order(scenario: Scenario) -> float:
    return sum(units * share for units, share in scenario.demand.units_per_order.items())


def expected_orders(scenario: Scenario) -> float:
    """Orders the Bass curves promise within the horizon at list price, before waits, caps and churn."""
    total = 0.0
    for product in scenario.products:
        opens = product.window.opens_day
        closes = min(product.window.closes_day or scenario.horizon_days, scenario.horizon_days)
        bass = BassParameters(product.demand.p, product.demand.q, product.demand.m)
        total += float(bass_cumulative(bass, np.array([max(closes - opens, 0)]))[0])
    return total / mean_units_per_order(scenario)


def rescale(
    scenario: Scenario,
    *,
    orders: int | None = None,
    skus: int | None = None,
    days: int | None = None,
    seed: int | None = None,
) -> Scenario:
    """The same world at another size.

    ``days`` stretches the calendar (windows and planned lot days scale with the horizon and the Bass
    rates shrink so the adoption curve keeps its shape); ``skus`` replicates the products cyclically
    (replicas get a numeric suffix); ``orders`` then scales every market size ``m``, cap and lot
    quantity by one factor so the expected order count is about ``orders``. A size that takes a field
    past its limits raises :class:`ScenarioError`.
    """
    source = f"{scenario.name} resized"
    result = scenario
    try:
        if days is not None and days != scenario.horizon_days:
            result = _stretch(result, days / scenario.horizon_days, days)
        if skus is not None and skus != len(result.products):
            result = _replicate(result, skus)
        if orders is not None:
            result = _scale_volume(result, orders / max(expected_orders(result), 1e-9))
    except ValidationError as exc:
        raise ScenarioError(f"{source}: {_first_problem(exc)}") from exc
    if seed is not None:
        result = result.model_copy(update={"seed": seed})
    if result is scenario:
        return result
    return _validated(result.model_dump(), source)  # model_copy does not validate what it changes


def _stretch(scenario: Scenario, factor: float, days: int) -> Scenario:
    def day(value: int) -> int:
        return round(value * factor)

    def lot(item: LotIn) -> LotIn:
        return item.model_copy(update={"day": day(item.day)})

    products = []
    for p in scenario.products:
        closes = p.window.closes_day
        window = WindowIn(
            opens_day=day(p.window.opens_day), closes_day=None if closes is None else day(closes)
        )
        supply = p.supply.model_copy(
            update={
                "runs": [lot(r) for r in p.supply.runs],
                "purchase_orders": [lot(o) for o in p.supply.purchase_orders],
            }
        )
        demand = BassIn(p=min(p.demand.p / factor, 1.0), q=min(p.demand.q / factor, 2.0), m=p.demand.m)
        products.append(p.model_copy(update={"window": window, "supply": supply, "demand": demand}))
    return scenario.model_copy(update={"horizon_days": days, "products": products})


def _replicate(scenario: Scenario, count: int) -> Scenario:
    base = scenario.products
    products = []
    for k in range(count):
        product = base[k % len(base)]
        copy = k // len(base)
        products.append(
            product if copy == 0 else product.model_copy(update={"sku": f"{product.sku}-{copy:04d}"})
        )
    return scenario.model_copy(update={"products": products})


def _scale_volume(scenario: Scenario, factor: float) -> Scenario:
    def units(value: int) -> int:
        return max(1, round(value * factor))

    def lot(item: LotIn) -> LotIn:
        return item.model_copy(update={"quantity": units(item.quantity)})

    products = []
    for p in scenario.products:
        supply = p.supply.model_copy(
            update={
                "runs": [lot(r) for r in p.supply.runs],
                "purchase_orders": [lot(o) for o in p.supply.purchase_orders],
            }
        )
        update = {
            "supply": supply,
            "demand": p.demand.model_copy(update={"m": p.demand.m * factor}),
            "cap_units": None if p.cap_units is None else units(p.cap_units),
        }
        products.append(p.model_copy(update=update))
    return scenario.model_copy(update={"products": products})
