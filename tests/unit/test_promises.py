"""Promises: which supply covers an order, and how honest its delivery window is."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.domain.catalog import PreorderTerms, Product
from engine.domain.delivery_window import DeliveryModel, window_offsets
from engine.domain.errors import NotPreorderable, SoldOut, WindowClosed
from engine.domain.lanes import Lane, TransitDays, best_lane
from engine.domain.promise import SupplyLadder, promise_for
from engine.domain.supply import BeyondPlan, LotKind, SupplyLot, SupplyPlan

TODAY = date(2026, 12, 1)
LANE = Lane("DC", "US", None, 1, TransitDays(2, 3, 6))


def plan(*lots: tuple[str, int, date, float], beyond: BeyondPlan | None = None) -> SupplyPlan:
    return SupplyPlan(
        sku="SKU",
        lots=tuple(SupplyLot(i, LotKind.RUN, q, d, s) for i, q, d, s in lots),
        beyond_plan=beyond,
    )


def test_an_order_is_covered_by_the_first_lot_whose_cumulative_supply_reaches_it() -> None:
    ladder = SupplyLadder.build(
        plan(("R-2", 50, date(2027, 3, 1), 2), ("R-1", 100, date(2027, 2, 1), 2)), on_hand_free=0, today=TODAY
    )
    assert ladder.cover(100).source == "R-1"
    assert ladder.cover(101).source == "R-2"
    assert ladder.cover(150).source == "R-2"


def test_free_units_on_hand_are_promised_today_before_any_lot() -> None:
    ladder = SupplyLadder.build(plan(("R-1", 100, date(2027, 2, 1), 2)), on_hand_free=3, today=TODAY)
    assert ladder.cover(3).available_on == TODAY
    assert ladder.cover(4).source == "R-1"


def test_past_the_plan_a_capped_run_without_more_supply_is_sold_out() -> None:
    ladder = SupplyLadder.build(plan(("R-1", 10, date(2027, 2, 1), 0)), on_hand_free=0, today=TODAY)
    with pytest.raises(SoldOut):
        ladder.cover(11)


def test_past_the_plan_daily_capacity_adds_days_after_the_last_lot() -> None:
    ladder = SupplyLadder.build(
        plan(("R-1", 10, date(2027, 2, 1), 0), beyond=BeyondPlan(capacity_per_day=5)), 0, TODAY
    )
    assert ladder.cover(11).available_on == date(2027, 2, 2)
    assert ladder.cover(20).available_on == date(2027, 2, 3)
    assert ladder.cover(21).available_on == date(2027, 2, 4)


def test_past_the_plan_a_supplier_lead_time_counts_from_today() -> None:
    ladder = SupplyLadder.build(plan(beyond=BeyondPlan(lead_time_days=45, spread_days=5)), 0, TODAY)
    coverage = ladder.cover(1)
    assert coverage.available_on == TODAY + timedelta(days=45)
    assert coverage.spread_days == 5


def test_an_overdue_lot_is_promised_from_today_not_in_the_past() -> None:
    ladder = SupplyLadder.build(plan(("R-1", 10, date(2026, 11, 1), 0)), 0, TODAY)
    assert ladder.cover(1).available_on == TODAY


def test_a_deterministic_lane_gives_a_one_day_window_with_full_confidence() -> None:
    lane = Lane("DC", "US", None, 2, TransitDays(3, 3, 3))
    ladder = SupplyLadder.build(plan(("R-1", 10, date(2027, 2, 1), 0)), 0, TODAY)
    promise = promise_for(ladder.cover(1), lane, 0.9)
    assert promise.expected_availability == date(2027, 2, 1)
    assert promise.delivery_window.earliest == promise.delivery_window.latest == date(2027, 2, 6)
    assert promise.delivery_window.confidence == 1.0


@pytest.mark.parametrize(
    ("spread", "handling", "p10", "p50", "p90", "target"),
    [(4, 1, 3, 4, 7, 0.9), (0, 1, 2, 3, 6, 0.9), (9, 2, 4, 6, 10, 0.8), (1.5, 0, 0, 1, 2, 0.95)],
)
def test_the_stated_confidence_matches_a_monte_carlo_of_the_same_model(
    spread: float, handling: int, p10: float, p50: float, p90: float, target: float
) -> None:
    # Given a delivery model and the window the engine states for it
    model = DeliveryModel.of(spread, handling, p10, p50, p90)
    window = window_offsets(model, target)
    # When deliveries are simulated from the same model
    days = model.sample(np.random.default_rng(20261129), 200_000)
    share = float(np.mean((days >= window.earliest) & (days <= window.latest)))
    # Then the share inside the window is within 2 points of the stated confidence
    assert window.confidence >= target - 0.005
    assert abs(share - window.confidence) <= 0.02


@settings(max_examples=40, deadline=None)
@given(
    spread=st.floats(0, 10),
    handling=st.integers(0, 5),
    p10=st.floats(0, 10),
    widths=st.tuples(st.floats(0, 10), st.floats(0, 20)),
)
def test_every_window_holds_at_least_the_target_and_is_ordered(
    spread: float, handling: int, p10: float, widths: tuple[float, float]
) -> None:
    p50 = p10 + widths[0]
    p90 = p50 + widths[1]
    window = window_offsets(DeliveryModel.of(spread, handling, p10, p50, p90), 0.9)
    assert window.earliest <= window.latest
    assert window.confidence >= 0.895


def test_the_most_specific_lane_serves_a_destination() -> None:
    country = Lane("DC", "US", None, 1, TransitDays(2, 3, 5))
    california = Lane("DC", "US", "CA", 1, TransitDays(1, 2, 3))
    assert best_lane([country, california], "DC", "US", "CA") is california
    assert best_lane([country, california], "DC", "US", "TX") is country
    assert best_lane([country, california], "DC", "FR", None) is None


def _product(**terms: object) -> Product:
    return Product("SKU", "Thing", Decimal("10.00"), "USD", "DC", PreorderTerms(**terms))  # type: ignore[arg-type]


def test_a_product_is_preorderable_only_when_enabled_and_inside_its_window() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    _product(enabled=True).check_preorderable(now)
    with pytest.raises(NotPreorderable):
        _product(enabled=False).check_preorderable(now)
    with pytest.raises(WindowClosed):
        _product(enabled=True, opens_at=now + timedelta(days=1)).check_preorderable(now)
    with pytest.raises(WindowClosed):
        _product(enabled=True, closes_at=now).check_preorderable(now)


def test_capacity_beyond_the_plan_promises_nothing_more_than_ten_years_past_the_last_lot() -> None:
    ladder = SupplyLadder.build(
        plan(("R-1", 10, date(2027, 2, 1), 0), beyond=BeyondPlan(capacity_per_day=1)), 0, TODAY
    )
    assert ladder.cover(10 + 3650).available_on == date(2027, 2, 1) + timedelta(days=3650)
    with pytest.raises(SoldOut, match="within 10 years"):
        ladder.cover(10 + 3651)
