"""The allocation agent: shares of an exclusive run per channel, and production advice.

Allocation of arrived supply itself is done by the engine inside each receipt, cancellation or resume,
strictly in queue order; this agent decides what the engine cannot know alone: how a scarce run should
be split between channels, and whether the supply plan fits the demand the forecast sees coming.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from agents.velocity import DAY, Velocity
from engine.service.commands import AgentCommand, RecommendProduction, SetChannelQuotas
from engine.service.market import MarketView, ProductState
from optimizers.allocation import AllocationResult, ChannelDemand, allocate_channels
from optimizers.marginal_allocation import allocate_by_marginal_gain


@dataclass
class AllocationAgent:
    name: str = "allocation"
    recompute_every: timedelta = timedelta(days=7)  # between quota revisions of a SKU
    min_share: float = 0.05  # the fairness floor: every channel's guaranteed share of the run
    # worth of the worst channel's fill rate, in margin; 0 keeps the split exact and fast (no CP-SAT)
    fairness_weight: float = 0.0
    forecast_cv: float = 0.25  # relative error of a channel's forecast rate over the rest of the window
    plan_tolerance: float = 0.2  # production advice when forecast and plan differ by more than this
    velocity: Velocity = field(default_factory=Velocity)
    quotas: dict[str, dict[str, int]] = field(default_factory=dict)
    advised: dict[str, int] = field(default_factory=dict)  # sku -> recommended units last announced
    revised: dict[str, datetime] = field(default_factory=dict)  # sku -> when its quotas were last revised
    advised_at: dict[str, datetime] = field(default_factory=dict)
    forecasts: dict[str, float] = field(default_factory=dict)  # sku -> demand forecast behind its quotas

    def decide(self, view: MarketView) -> list[AgentCommand]:
        self.velocity.observe(view)
        commands: list[AgentCommand] = []
        for product in view.products:
            if product.closes_at is None or view.now >= product.closes_at:
                continue
            days_left = (product.closes_at - view.now) / DAY
            stored = {channel: quota for channel, quota, _ in product.quotas}
            if product.sku in self.quotas and stored != self.quotas[product.sku]:
                # Not the split this agent set: the cap changed (the engine dropped the quotas) or
                # another server's agent set its own. Split the run again now.
                for memory in (self.quotas, self.revised, self.forecasts):
                    memory.pop(product.sku, None)
            last = self.revised.get(product.sku)
            if product.cap_units is not None and (last is None or view.now - last >= self.recompute_every):
                commands += self._quotas(product, days_left, view.now)
            advised = self.advised_at.get(product.sku)
            if advised is None or view.now - advised >= self.recompute_every:
                advice = self._advice(product, days_left)
                if advice:
                    self.advised_at[product.sku] = view.now
                commands += advice
        return commands

    def _channel_forecast(self, product: ProductState, days_left: float) -> list[ChannelDemand]:
        demands = []
        for channel in self.velocity.channels(product.sku):
            key = (product.sku, channel)
            coming = self.velocity.rate(key) * days_left
            mean = self.velocity.totals[key] + coming
            # Poisson noise of the orders to come, plus the error of the rate itself (proportional)
            std = math.sqrt(max(mean, 1.0) + (self.forecast_cv * coming) ** 2)
            demands.append(ChannelDemand(channel, mean, std, 1.0, self.min_share))
        return demands

    def _quotas(self, product: ProductState, days_left: float, now: datetime) -> list[AgentCommand]:
        assert product.cap_units is not None
        demands = self._channel_forecast(product, days_left)
        expected = sum(d.mean for d in demands)
        if len(demands) < 2 or expected <= product.cap_units:
            return []  # the run covers everyone: no channel needs a limit
        self.revised[product.sku] = now
        last = self.forecasts.get(product.sku)
        if last is not None and abs(expected - last) <= 0.1 * last:
            return []  # the forecast barely moved: the split stands
        self.forecasts[product.sku] = expected
        if sum(math.ceil(d.min_share * product.cap_units) for d in demands) > product.cap_units:
            # a run too small for every channel's minimum share: split it without floors
            demands = [replace(d, min_share=0.0) for d in demands]
        result = self._split(demands, product.cap_units)
        quotas = dict(result.units)
        if quotas == self.quotas.get(product.sku):
            return []
        self.quotas[product.sku] = quotas
        shares = ", ".join(f"{c} {u}" for c, u in sorted(quotas.items()))
        reason = (
            f"forecast demand {expected:.0f} exceeds the run of {product.cap_units}: "
            f"split to maximise expected fulfilled demand with a fairness floor ({shares})"
        )
        return [SetChannelQuotas(product.sku, tuple(sorted(quotas.items())), reason)]

    def _split(self, demands: list[ChannelDemand], run: int) -> AllocationResult:
        if self.fairness_weight <= 0:
            return allocate_by_marginal_gain(demands, run)
        return allocate_channels(
            demands, run, fairness_weight=self.fairness_weight, time_limit_s=0.5, seed=0, workers=1
        )

    def _advice(self, product: ProductState, days_left: float) -> list[AgentCommand]:
        rate = self.velocity.rate(product.sku)
        if self.velocity.ticks < 3 or rate <= 0:
            return []  # too early to tell
        need = product.units_queued + rate * days_left
        if product.cap_units is not None:
            need = min(need, product.units_queued + product.cap_units - product.units_reserved)
        available = product.planned_units + product.units_on_hand
        if abs(need - available) <= self.plan_tolerance * max(available, 1):
            return []
        recommended = max(0, math.ceil(need - product.units_on_hand))
        previous = self.advised.get(product.sku)
        if previous is not None and abs(recommended - previous) <= self.plan_tolerance * max(previous, 1):
            return []  # already said, nothing new
        self.advised[product.sku] = recommended
        direction = "short" if need > available else "long"
        reason = (
            f"the plan is {direction}: about {need:.0f} units will be needed before the window closes "
            f"(at {rate:.1f} per day) against {available} planned or on hand"
        )
        return [RecommendProduction(product.sku, recommended, product.planned_units, reason)]
