"""Scarcity pricing: the revenue-maximising feasible price, and the merchant's guardrails."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from optimizers.pricing import (
    PriceGuardrails,
    PriceResponse,
    PricingState,
    apply_guardrails,
    recommend_price,
    target_price,
)

RESPONSE = PriceResponse(reference_price=100.0, elasticity=2.0)
RAILS = PriceGuardrails(floor=80.0, ceiling=160.0, max_change=0.10, min_periods_between_changes=3)
WIDE = PriceGuardrails(floor=1.0, ceiling=1_000.0, max_change=0.5)


@pytest.mark.parametrize(
    ("remaining", "arrivals"), [(100.0, 300.0), (500.0, 300.0), (50.0, 51.0), (1.0, 900.0)]
)
def test_target_price_matches_a_brute_force_search_of_revenue_under_the_sales_cap(
    remaining: float, arrivals: float
) -> None:
    # given a run and a forecast, when every price on a fine grid is tried
    grid = np.linspace(RAILS.floor, RAILS.ceiling, 80_001)
    expected_sales = arrivals * RESPONSE.multiplier(grid)
    revenue = np.where(expected_sales <= remaining, grid * expected_sales, -np.inf)
    best = grid[np.argmax(revenue)] if np.isfinite(revenue).any() else RAILS.ceiling
    # then the closed-form target is that best price
    assert float(target_price(remaining, arrivals, RESPONSE, RAILS)) == pytest.approx(best, abs=0.01)


def test_price_rises_as_the_run_becomes_scarce_and_falls_when_demand_is_weak() -> None:
    # given the same forecast of 300 arrivals, when 150, 300 and 600 units remain
    scarce, matched, plenty = (float(target_price(c, 300.0, RESPONSE, WIDE)) for c in (150.0, 300.0, 600.0))
    # then the price is highest when units are scarce and lowest when there are plenty
    assert scarce > matched > plenty
    assert matched == pytest.approx(100.0)
    assert scarce == pytest.approx(100.0 * 2**0.5)


def test_a_step_never_moves_the_price_more_than_the_largest_change() -> None:
    # given a target far above the current price, when the guardrails apply
    state = PricingState(
        remaining_units=10.0, expected_arrivals=1_000.0, current_price=100.0, periods_since_change=9
    )
    decision = recommend_price(state, RESPONSE, RAILS)
    # then the price rises by exactly the allowed 10 % and the target is the ceiling
    assert decision.price == pytest.approx(110.0)
    assert decision.target == RAILS.ceiling
    assert decision.changed


def test_price_does_not_change_again_before_the_minimum_wait() -> None:
    # given a change one period ago, when a new target wants a different price
    state = PricingState(
        remaining_units=10.0, expected_arrivals=1_000.0, current_price=110.0, periods_since_change=1
    )
    # then the price holds
    assert recommend_price(state, RESPONSE, RAILS).price == 110.0


def test_changes_too_small_to_be_worth_showing_are_skipped() -> None:
    # given a target 0.5 % away from the current price, then the price holds
    assert float(apply_guardrails(100.5, 100.0, 10, RAILS)) == 100.0


def test_inelastic_demand_is_priced_at_the_ceiling() -> None:
    # given demand that barely reacts to price, when the target is solved, then revenue says ceiling
    inelastic = PriceResponse(reference_price=100.0, elasticity=0.5)
    assert float(target_price(1_000.0, 10.0, inelastic, RAILS)) == RAILS.ceiling


@given(
    target=st.floats(1.0, 1_000.0),
    current=st.floats(1.0, 1_000.0),
    since=st.integers(0, 10),
)
def test_guarded_prices_stay_in_the_band_and_move_at_most_one_step(
    target: float, current: float, since: int
) -> None:
    # given any target, current price and wait, when the guardrails apply
    price = float(apply_guardrails(target, current, since, RAILS))
    inside = RAILS.floor <= current <= RAILS.ceiling
    if inside:
        # then a price inside the band stays inside it, moves at most one step and only after the wait
        assert RAILS.floor <= price <= RAILS.ceiling
        assert abs(price - current) <= RAILS.max_change * current + 0.005
        if since < RAILS.min_periods_between_changes:
            assert price == current
    else:
        # and a price outside the band (the merchant narrowed it) is brought back into it at once
        assert RAILS.floor <= price <= RAILS.ceiling
