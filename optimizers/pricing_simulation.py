"""Seeded Monte Carlo: static list pricing against scarcity pricing over demand scenarios.

Each trial draws a true demand level (around the scenario's demand-to-capacity ratio) and a true
elasticity (around the one the pricer assumes). Arrivals follow a known launch-shaped profile; the
scarcity pricer learns the demand level from its own sales (gamma–Poisson update, prior centred on the
demand the run was planned for) and re-solves the price each period. Confirmed orders keep their price,
so revenue is the sum of the prices at which each unit was ordered.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.stats import poisson

from optimizers.pricing import PriceGuardrails, PriceResponse, apply_guardrails, target_price

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class PricingScenario:
    """Expected demand at the list price over the window, as a multiple of the production run."""

    name: str
    demand_to_capacity: float


DEFAULT_SCENARIOS: tuple[PricingScenario, ...] = (
    PricingScenario("weak", 0.5),
    PricingScenario("soft", 0.8),
    PricingScenario("matched", 1.0),
    PricingScenario("strong", 1.5),
    PricingScenario("very_strong", 2.5),
)


@dataclass(frozen=True)
class MarketSettings:
    """The product, the run, the window and how uncertain the world is."""

    capacity: int = 1000
    periods: int = 60
    list_price: float = 100.0
    elasticity: float = 2.0
    # The world's elasticity when it differs from the one the pricer assumes (a misspecified pricer).
    true_elasticity: float | None = None
    guardrails: PriceGuardrails = field(default_factory=lambda: PriceGuardrails(floor=80.0, ceiling=160.0))
    demand_noise: float = 0.25
    elasticity_noise: float = 0.15
    prior_strength: float = 100.0
    # Launch-shaped arrival profile (a Bass curve over the window): an early burst that fades.
    profile_p: float = 0.03
    profile_q: float = 0.08


@dataclass(frozen=True)
class PolicySummary:
    """Averages over trials; ``median_sellout_period`` is ``None`` when fewer than half the trials sell
    out. ``share_saw_price_change`` is the share of buyers who ordered at a price other than the list
    price."""

    mean_revenue: float
    mean_units: float
    median_sellout_period: int | None
    sellout_share: float
    share_saw_price_change: float


@dataclass(frozen=True)
class ScenarioOutcome:
    """Both policies in one scenario, on the same demand draws, plus one trial's paths for plotting."""

    scenario: PricingScenario
    trials: int
    static: PolicySummary
    scarcity: PolicySummary
    example_prices: tuple[float, ...]
    example_remaining_scarcity: tuple[float, ...]
    example_remaining_static: tuple[float, ...]

    @property
    def revenue_lift(self) -> float:
        """Relative revenue change of scarcity over static pricing (0.05 = 5 % more)."""
        return self.scarcity.mean_revenue / self.static.mean_revenue - 1.0


@dataclass(frozen=True)
class _Paths:
    revenue: FloatArray
    units: FloatArray
    sellout: FloatArray  # 1-based period of sell-out, inf when the run did not sell out
    changed_units: FloatArray
    prices: FloatArray  # trials × periods
    remaining: FloatArray  # trials × periods, after each period


def simulate_pricing(
    scenarios: tuple[PricingScenario, ...] = DEFAULT_SCENARIOS,
    *,
    market: MarketSettings | None = None,
    trials: int = 400,
    seed: int = 0,
) -> tuple[ScenarioOutcome, ...]:
    """Run ``trials`` seeded trials per scenario under both policies on identical demand draws."""
    market = market or MarketSettings()
    profile = arrival_profile(market)
    outcomes = []
    for index, scenario in enumerate(scenarios):
        rng = np.random.default_rng([seed, index])
        # Lognormal draws divided by their mean keep the expected demand at the scenario's ratio.
        noise = rng.lognormal(0.0, market.demand_noise, trials) / np.exp(market.demand_noise**2 / 2.0)
        level = scenario.demand_to_capacity * market.capacity * noise
        true_elasticity = market.true_elasticity or market.elasticity
        elasticity = true_elasticity * rng.lognormal(0.0, market.elasticity_noise, trials)
        uniforms = rng.random((trials, market.periods))
        static = _run(market, profile, level, elasticity, uniforms, scarcity=False)
        scarce = _run(market, profile, level, elasticity, uniforms, scarcity=True)
        outcomes.append(
            ScenarioOutcome(
                scenario=scenario,
                trials=trials,
                static=_summarise(static),
                scarcity=_summarise(scarce),
                example_prices=tuple(float(v) for v in scarce.prices[0]),
                example_remaining_scarcity=tuple(float(v) for v in scarce.remaining[0]),
                example_remaining_static=tuple(float(v) for v in static.remaining[0]),
            )
        )
    return tuple(outcomes)


def arrival_profile(market: MarketSettings) -> FloatArray:
    """Share of the window's arrivals expected in each period (sums to 1)."""
    p, q = market.profile_p, market.profile_q
    t = np.arange(0, market.periods + 1, dtype=float)
    decay = np.exp(-(p + q) * t)
    cumulative = (1.0 - decay) / (1.0 + (q / p) * decay)
    shares = np.diff(cumulative)
    return np.asarray(shares / shares.sum(), dtype=float)


def _run(
    market: MarketSettings,
    profile: FloatArray,
    level: FloatArray,
    elasticity: FloatArray,
    uniforms: FloatArray,
    *,
    scarcity: bool,
) -> _Paths:
    trials = len(level)
    believed = PriceResponse(market.list_price, market.elasticity)
    remaining = np.full(trials, float(market.capacity))
    price = np.full(trials, market.list_price)
    since_change = np.full(trials, market.periods)  # the opening price may move at once
    # Gamma prior on the window's arrivals at list price, centred on the run the merchant planned.
    shape = np.full(trials, market.prior_strength)
    rate = np.full(trials, market.prior_strength / market.capacity)
    revenue, units, changed_units = np.zeros(trials), np.zeros(trials), np.zeros(trials)
    sellout = np.full(trials, np.inf)
    prices, left = np.zeros((trials, market.periods)), np.zeros((trials, market.periods))
    tail = np.cumsum(profile[::-1])[::-1]  # share of arrivals still to come from each period on
    for t in range(market.periods):
        if scarcity:
            forecast = shape / rate * tail[t]
            target = target_price(remaining, forecast, believed, market.guardrails)
            new_price = apply_guardrails(target, price, since_change, market.guardrails)
            since_change = np.where(new_price != price, 0, since_change)
            price = new_price
        demand_rate = level * profile[t] * np.power(price / market.list_price, -elasticity)
        # Inverse-CDF Poisson draws from shared uniforms: both policies face the same luck.
        wanted = _poisson_from_uniform(demand_rate, uniforms[:, t])
        sold = np.minimum(wanted, remaining)
        remaining = remaining - sold
        revenue += sold * price
        units += sold
        changed_units += np.where(np.abs(price - market.list_price) > 1e-9, sold, 0.0)
        sellout = np.where((remaining <= 0) & np.isinf(sellout), t + 1, sellout)
        shape = shape + sold
        rate = rate + profile[t] * believed.multiplier(price)
        since_change = since_change + 1
        prices[:, t], left[:, t] = price, remaining
    return _Paths(revenue, units, sellout, changed_units, prices, left)


def _poisson_from_uniform(rate: FloatArray, uniform: FloatArray) -> FloatArray:
    return np.asarray(poisson.ppf(uniform, rate), dtype=float)


def _summarise(paths: _Paths) -> PolicySummary:
    median = float(np.median(paths.sellout))
    total_units = float(paths.units.sum())
    return PolicySummary(
        mean_revenue=float(paths.revenue.mean()),
        mean_units=float(paths.units.mean()),
        median_sellout_period=None if np.isinf(median) else int(np.ceil(median)),
        sellout_share=float(np.mean(np.isfinite(paths.sellout))),
        share_saw_price_change=float(paths.changed_units.sum() / total_units) if total_units else 0.0,
    )
