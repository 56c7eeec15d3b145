"""Rolling-origin scoring: WAPE, bias and coverage on the same held-out periods for every model."""

from __future__ import annotations

import numpy as np
import pytest

from optimizers.demand_backtest import Forecaster, rolling_origin_backtest
from optimizers.forecast_baselines import forecast_linear_trend
from optimizers.forecast_types import DemandForecast


def _constant(value: float, width: float) -> Forecaster:
    def forecaster(sales: np.ndarray, horizon: int) -> DemandForecast:
        mean = (value,) * horizon
        return DemandForecast(
            model="constant",
            mean=mean,
            lower=(value - width,) * horizon,
            upper=(value + width,) * horizon,
            level=0.8,
            total_mean=value * horizon,
            total_lower=(value - width) * horizon,
            total_upper=(value + width) * horizon,
        )

    return forecaster


def test_scores_pool_every_origin_and_period_against_the_same_actuals() -> None:
    # given sales 10, 10, 20, 20 and a model that always says 10 with an interval of ±5
    sales = [10.0, 10.0, 20.0, 20.0]
    # when backtested from origin 2 (forecasting periods 3-4, then period 4)
    scores = rolling_origin_backtest(sales, {"constant": _constant(10.0, 5.0)}, first_origin=2)
    score = scores["constant"]
    # then three period forecasts each miss by 10 out of 60 actual units, all below, none covered
    assert score.wape == pytest.approx(30.0 / 60.0)
    assert score.bias == pytest.approx(-30.0 / 60.0)
    assert score.coverage == 0.0
    assert [run.origin for run in score.forecasts] == [2, 3]


def test_a_model_that_knows_the_line_scores_perfectly() -> None:
    # given a perfectly linear series, when a linear trend is backtested
    scores = rolling_origin_backtest(
        [5.0, 10.0, 15.0, 20.0, 25.0, 30.0], {"lt": forecast_linear_trend}, first_origin=3
    )
    # then it has no error and no bias
    assert scores["lt"].wape == pytest.approx(0.0, abs=1e-9)
    assert scores["lt"].bias == pytest.approx(0.0, abs=1e-9)


def test_backtest_refuses_an_origin_that_leaves_nothing_to_forecast() -> None:
    with pytest.raises(ValueError, match="first_origin"):
        rolling_origin_backtest([1.0, 2.0, 3.0], {"lt": forecast_linear_trend}, first_origin=3)


def test_a_long_series_is_scored_from_at_most_the_asked_origins_spread_evenly_with_both_ends() -> None:
    sales = [float(v) for v in range(1, 102)]  # 101 periods, origins 50..100
    scores = rolling_origin_backtest(sales, {"lt": forecast_linear_trend}, first_origin=50, max_origins=6)
    assert [run.origin for run in scores["lt"].forecasts] == [50, 60, 70, 80, 90, 100]


def test_a_short_series_keeps_every_origin_under_a_cap_it_does_not_reach() -> None:
    sales = [5.0, 10.0, 15.0, 20.0, 25.0, 30.0]
    capped = rolling_origin_backtest(sales, {"lt": forecast_linear_trend}, first_origin=3, max_origins=52)
    assert [run.origin for run in capped["lt"].forecasts] == [3, 4, 5]
