"""Seeded Monte Carlo: scarcity pricing against static list pricing from weak to strong demand."""

from __future__ import annotations

import pytest

from optimizers.pricing_simulation import (
    DEFAULT_SCENARIOS,
    MarketSettings,
    PricingScenario,
    ScenarioOutcome,
    simulate_pricing,
)


@pytest.fixture(scope="module")
def outcomes() -> tuple[ScenarioOutcome, ...]:
    return simulate_pricing(DEFAULT_SCENARIOS, trials=300, seed=42)


def test_scarcity_pricing_earns_more_on_average_where_demand_exceeds_the_run(
    outcomes: tuple[ScenarioOutcome, ...],
) -> None:
    # given scenarios where demand at list price exceeds the run
    strong = [o for o in outcomes if o.scenario.demand_to_capacity > 1.0]
    assert strong
    # then scarcity pricing earns more in every one, and sells out later than static pricing
    for outcome in strong:
        assert outcome.scarcity.mean_revenue > outcome.static.mean_revenue, outcome.scenario.name
        assert outcome.static.median_sellout_period is not None
        assert (outcome.scarcity.median_sellout_period or 10**9) > outcome.static.median_sellout_period


@pytest.mark.parametrize("true_elasticity", [None, 1.0])
def test_scarcity_pricing_is_no_more_than_three_percent_below_static_where_demand_is_weak(
    true_elasticity: float | None,
) -> None:
    # given weak demand, also when the world is less price-sensitive than the pricer assumes
    market = MarketSettings(true_elasticity=true_elasticity)
    (weak,) = simulate_pricing((PricingScenario("weak", 0.5),), market=market, trials=300, seed=7)
    # then scarcity pricing loses at most 3 % of static revenue
    assert weak.revenue_lift > -0.03


def test_the_same_seed_gives_the_same_outcomes(outcomes: tuple[ScenarioOutcome, ...]) -> None:
    # given the seed of the fixture, when run again, then every figure is identical
    assert simulate_pricing(DEFAULT_SCENARIOS, trials=300, seed=42) == outcomes


def test_every_unit_is_sold_at_a_price_within_the_guardrails(outcomes: tuple[ScenarioOutcome, ...]) -> None:
    # given the guardrails, then revenue per unit sold stays inside the band and never oversells the run
    rails = MarketSettings().guardrails
    for outcome in outcomes:
        summary = outcome.scarcity
        assert summary.mean_units <= MarketSettings().capacity
        assert rails.floor * summary.mean_units <= summary.mean_revenue <= rails.ceiling * summary.mean_units
        assert all(rails.floor <= price <= rails.ceiling for price in outcome.example_prices)
        # static pricing never shows a change; scarcity pricing does
        assert outcome.static.share_saw_price_change == 0.0
