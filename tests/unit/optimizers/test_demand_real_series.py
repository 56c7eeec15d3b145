"""Hold-out forecasting on the three real adoption series of the Bass literature."""

from __future__ import annotations

import csv
from functools import partial

import pytest
from reference_data import DATA as REFERENCE

from optimizers.demand import BassPrior, fit_bass, forecast_bass
from optimizers.demand_backtest import rolling_origin_backtest
from optimizers.forecast_baselines import forecast_holt

DATA = REFERENCE / "bass" / "bass_series.csv"


def _series() -> dict[str, list[float]]:
    series: dict[str, list[float]] = {}
    with DATA.open(newline="") as handle:
        for row in csv.DictReader(handle):
            series.setdefault(row["product"], []).append(float(row["sales_thousands_units"]))
    return series


def test_bass_with_analogue_priors_beats_holt_on_at_least_two_of_the_three_real_series() -> None:
    # given the three real series; each one's prior comes from full fits of the other two (its analogues)
    series = _series()
    assert len(series) == 3
    wins = {}
    for name, sales in series.items():
        prior = BassPrior.from_analogues([fit_bass(v).parameters for k, v in series.items() if k != name])
        # when each model is fitted on the first half and forecasts the rest, origin rolling to the end
        scores = rolling_origin_backtest(
            sales,
            {
                "bass_prior": partial(forecast_bass, prior=prior, n_bootstrap=10),
                "holt": forecast_holt,
            },
            first_origin=len(sales) // 2,
        )
        wins[name] = scores["bass_prior"].wape < scores["holt"].wape
    # then the diffusion model has the lower WAPE on at least two series
    assert sum(wins.values()) >= 2, wins


def test_holt_extends_a_straight_line_exactly() -> None:
    # given sales growing by exactly 10 a period, when Holt forecasts three periods
    forecast = forecast_holt([10.0, 20.0, 30.0, 40.0, 50.0], 3)
    # then it continues the line
    assert forecast.mean == pytest.approx((60.0, 70.0, 80.0))
