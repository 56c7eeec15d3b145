"""Whether demand is fading, as the pricing agent reads it: list-price units week over week."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agents.demand_trend import AdoptionShape, DemandTrend
from engine.service.market import MarketView, ProductState

START = datetime(2026, 12, 1, 18, tzinfo=UTC)


def feed(trend: DemandTrend, per_day: list[int], prices: list[float]) -> None:
    """One market view a day: the day's units, placed at the day's price (list price 500)."""
    for day, (units, price) in enumerate(zip(per_day, prices, strict=True)):
        state = ProductState("SKU", 500.0, price, "USD", "DC", 1000, 0, 0, 0, 0, 1000, None, None, ())
        now = START + timedelta(days=day)
        trend.observe(MarketView(now, (state,), (("SKU", "web", units),), (), (), day))


def test_steady_demand_keeps_every_day_left() -> None:
    trend = DemandTrend(elasticity=2.0)
    feed(trend, [20] * 15, [500.0] * 15)

    assert trend.weekly_ratio("SKU") == pytest.approx(1.0)
    assert trend.days_of_demand("SKU", 40) == 40


def test_fading_demand_leaves_fewer_days_of_todays_rate() -> None:
    trend = DemandTrend(elasticity=2.0)
    feed(trend, [40] * 8 + [20] * 7, [500.0] * 15)  # the last week sold half the week before

    assert trend.weekly_ratio("SKU") == pytest.approx(0.5)
    # half a week's rate is lost each week: at most 7 / ln 2 ≈ 10.1 days of today's rate remain
    assert 9.0 < trend.days_of_demand("SKU", 40) < 10.1


def test_a_price_rise_is_not_read_as_fading_demand() -> None:
    # Given sales that fell by exactly what a 25% price rise costs at elasticity 2
    trend = DemandTrend(elasticity=2.0)
    feed(trend, [25] * 8 + [16] * 7, [500.0] * 8 + [625.0] * 7)  # 16 × 1.25² = 25

    # Then at list price the demand held: no fading
    assert trend.weekly_ratio("SKU") == pytest.approx(1.0)
    assert trend.days_of_demand("SKU", 30) == 30


def test_nothing_is_read_before_two_whole_weeks() -> None:
    trend = DemandTrend(elasticity=2.0)
    feed(trend, [40] * 5 + [5] * 5, [500.0] * 10)

    assert trend.weekly_ratio("SKU") is None
    assert trend.days_of_demand("SKU", 30) == 30


def test_the_adoption_curve_scaled_by_the_units_seen_gives_the_rest_of_the_market() -> None:
    # Given a curve peaking around day 14 and a market of 3,000 units, 10 days into a 110-day window
    shape, market = AdoptionShape(p=0.02, q=0.08), 3000.0
    seen = market * shape.share(10)

    # Then the units seen so far say how much of the market is still to come: the rest of it, less
    # what the window's closing cuts off
    coming = shape.still_to_come(seen, now=10, closes=110)
    assert coming == pytest.approx(market * (shape.share(110) - shape.share(10)))
    assert coming < market - seen  # the window closes before the whole market has bought
    # a flat extrapolation of the day-10 rate would expect over three times as many
    assert market * (shape.share(10) - shape.share(9)) * 100 > 3 * coming


def test_the_curve_is_not_read_before_enough_of_it_has_passed() -> None:
    shape = AdoptionShape(p=0.001, q=0.1)

    assert shape.still_to_come(5.0, now=1, closes=60) is None  # 0.1% of the curve: noise would decide
    assert shape.still_to_come(0.0, now=30, closes=60) is None  # nothing sold: no market to scale


@pytest.mark.parametrize(("p", "q"), [(0.0, 0.1), (-0.01, 0.1), (0.01, -0.1), (float("nan"), 0.1)])
def test_an_adoption_shape_refuses_impossible_parameters(p: float, q: float) -> None:
    with pytest.raises(ValueError, match="adoption shape"):
        AdoptionShape(p=p, q=q)
