"""Production planning: the critical-fractile run and the expected shortfall of the current plan."""

from __future__ import annotations

import numpy as np
import pytest

from optimizers.demand import BassParameters, BassPrior, bass_cumulative, bass_period_sales, forecast_bass
from optimizers.newsvendor import ProductionEconomics, advise_production


def test_recommended_run_is_the_critical_fractile_of_demand() -> None:
    # given demand uniform on 1..1000 units, a margin of 30 and a cost of 10 (fractile 0.75)
    demand = np.arange(1, 1001, dtype=float)
    economics = ProductionEconomics(unit_cost=10.0, unit_margin=30.0)
    # when advice is asked for a planned run of 500
    advice = advise_production(demand, economics, planned_quantity=500)
    # then about the 75th percentile is recommended and the plan is short half the time
    assert advice.critical_fractile == pytest.approx(0.75)
    assert advice.recommended_quantity == pytest.approx(750, abs=2)
    assert advice.probability_short == pytest.approx(0.5)
    # and the expected shortage is the mean of max(D - 500, 0) = 500·501/2/1000
    assert advice.expected_shortage == pytest.approx(125.25)
    assert advice.expected_surplus == pytest.approx(499 * 500 / 2 / 1000)
    assert advice.expected_profit_recommended > advice.expected_profit_planned


def test_salvage_value_raises_the_recommended_run() -> None:
    # given the same demand, when unsold units can be sold off at 8 of their 10 cost
    demand = np.arange(1, 1001, dtype=float)
    plain = advise_production(demand, ProductionEconomics(10.0, 10.0), planned_quantity=0)
    salvaged = advise_production(
        demand, ProductionEconomics(10.0, 10.0, salvage_value=8.0), planned_quantity=0
    )
    # then building more is worth it
    assert salvaged.recommended_quantity > plain.recommended_quantity


def test_economics_refuse_a_salvage_value_above_cost() -> None:
    with pytest.raises(ValueError, match="salvage"):
        ProductionEconomics(unit_cost=10.0, unit_margin=5.0, salvage_value=12.0)


def test_a_bass_forecast_two_weeks_in_says_whether_the_planned_run_is_short() -> None:
    # given two weeks of pre-orders from a launch whose whole window would sell about 10,000 units
    truth = BassParameters(p=0.02, q=0.45, m=10_000.0)
    sold = bass_period_sales(truth, 1, 14)
    prior = BassPrior(p=0.02, q=0.45, m=10_000.0)
    # when the rest of a 30-period window is forecast and a run of 6,000 is judged (cost 40, margin 60)
    forecast = forecast_bass(sold, 16, prior=prior, n_bootstrap=50, seed=1)
    demand = float(sold.sum()) + np.asarray(forecast.total_samples)
    advice = advise_production(
        demand, ProductionEconomics(unit_cost=40.0, unit_margin=60.0), planned_quantity=6_000
    )
    # then the advice recommends about the whole market and flags the planned run as short
    total = float(bass_cumulative(truth, np.array([30.0]))[0])
    assert advice.recommended_quantity == pytest.approx(total, rel=0.1)
    assert advice.probability_short > 0.9
    assert advice.expected_shortage == pytest.approx(total - 6_000, rel=0.2)
