"""The pricing agent: scarcity pricing of capped pre-order products from the champion pricing model."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from agents.demand_trend import AdoptionShape, DemandTrend
from agents.velocity import DAY, Velocity
from engine.model_registry import PriceQuery, PricingModel
from engine.service.commands import AgentCommand, SetPrice
from engine.service.market import MarketView, ProductState

INDEX = 100.0  # the model prices on an index where each product's list price is 100


@dataclass
class PricingAgent:
    """Re-prices capped products that are open for pre-orders, within the model's guardrails.

    Observed velocity at the current price is turned into expected arrivals at the list price until the
    window closes (constant elasticity), and the model returns the price index to show. Where the shape
    of a SKU's adoption curve is known (``shapes``, from analogous launches), the units sold since the
    window opened scale that curve instead, so the peak and the fading after it are foreseen.
    """

    model: PricingModel
    elasticity: float
    period: timedelta = timedelta(days=1)  # the model's period: guardrail waits count in these
    min_history: timedelta = timedelta(days=1)  # no price move on less evidence than this
    name: str = "pricing"
    velocity: Velocity = field(default_factory=Velocity)
    shapes: dict[str, AdoptionShape] = field(default_factory=dict)  # sku -> its adoption curve's shape
    trend: DemandTrend = field(init=False)  # read with the agent's own elasticity
    _first: datetime | None = None

    def __post_init__(self) -> None:
        self.trend = DemandTrend(self.elasticity)

    def decide(self, view: MarketView) -> list[AgentCommand]:
        self.velocity.observe(view)
        self.trend.observe(view)
        self._first = self._first or view.now
        if view.now - self._first < self.min_history:
            return []
        candidates = [p for p in view.products if self._priced(p, view)]
        if not candidates:
            return []
        queries = [self._query(p, view) for p in candidates]
        commands: list[AgentCommand] = []
        for product, query, index in zip(candidates, queries, self.model.predict(queries), strict=True):
            price = Decimal(str(round(product.list_price * index / INDEX, 2)))
            if abs(float(price) - product.price) < 0.005:
                continue
            commands.append(SetPrice(product.sku, price, self._reason(product, query)))
        return commands

    def _priced(self, product: ProductState, view: MarketView) -> bool:
        if product.cap_units is None or product.closes_at is None or product.list_price <= 0:
            return False  # open-ended, or free: there is no scarcity price to find
        opened = product.opens_at is None or product.opens_at <= view.now
        return opened and view.now < product.closes_at and product.units_reserved < product.cap_units

    def _query(self, product: ProductState, view: MarketView) -> PriceQuery:
        assert product.closes_at is not None and product.cap_units is not None
        periods_left = max((product.closes_at - view.now) / self.period, 0.0)
        index = INDEX * product.price / product.list_price
        coming = self._by_shape(product, view)
        if coming is None:
            per_day = self.velocity.rate(product.sku) * (index / INDEX) ** self.elasticity  # at list price
            coming = per_day * self.trend.days_of_demand(product.sku, periods_left * (self.period / DAY))
        return PriceQuery(
            remaining_units=float(product.cap_units - product.units_reserved),
            expected_arrivals=coming,
            current_price=index,
            periods_since_change=self._since_change(product, view),
        )

    def _since_change(self, product: ProductState, view: MarketView) -> int:
        """Whole periods since the price last changed, as the store says (whichever server changed it,
        before any restart): the guardrail's wait is the product's, not this process's."""
        if product.price_changed_at is None:
            return 10**6
        return int((view.now - product.price_changed_at) / self.period)

    def _by_shape(self, product: ProductState, view: MarketView) -> float | None:
        """List-price units still to come on the SKU's adoption curve, or None without a shape."""
        shape = self.shapes.get(product.sku)
        if shape is None or product.opens_at is None or product.closes_at is None:
            return None
        opened = (view.now - product.opens_at) / DAY
        closes = (product.closes_at - product.opens_at) / DAY
        return shape.still_to_come(self.trend.units_seen(product.sku), opened, closes)

    @staticmethod
    def _reason(product: ProductState, query: PriceQuery) -> str:
        return (
            f"scarcity pricing: {query.remaining_units:.0f} of {product.cap_units} units left, "
            f"about {query.expected_arrivals:.0f} orders expected at list price before the window closes"
        )
