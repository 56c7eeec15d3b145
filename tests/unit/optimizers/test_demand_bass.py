"""The Bass model: recovering known curves, shrinking towards analogues, seeded intervals."""

from __future__ import annotations

import numpy as np
import pytest

from optimizers.demand import BassParameters, BassPrior, bass_period_sales, fit_bass, forecast_bass

TRUE = BassParameters(p=0.02, q=0.45, m=10_000.0)


def _synthetic_sales(params: BassParameters, periods: int, seed: int) -> np.ndarray:
    """Poisson adoptions around the Bass curve: the noise of real pre-order counts."""
    rng = np.random.default_rng(seed)
    return rng.poisson(bass_period_sales(params, 1, periods)).astype(float)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_fit_recovers_known_parameters_from_a_seeded_synthetic_series(seed: int) -> None:
    # given twenty periods of noisy adoptions from a known curve
    sales = _synthetic_sales(TRUE, 20, seed)
    # when the model is fitted without any prior
    fit = fit_bass(sales)
    # then p, q and m are recovered within a few percent
    assert fit.converged
    assert fit.parameters.p == pytest.approx(TRUE.p, rel=0.15)
    assert fit.parameters.q == pytest.approx(TRUE.q, rel=0.08)
    assert fit.parameters.m == pytest.approx(TRUE.m, rel=0.05)


def test_a_prior_from_analogues_makes_an_early_forecast_of_the_total_sensible() -> None:
    # given only four periods of a launch, and analogous launches with similar p and q
    sales = _synthetic_sales(TRUE, 4, seed=11)
    analogues = [BassParameters(0.015, 0.5, 4_000.0), BassParameters(0.03, 0.4, 50_000.0)]
    prior = BassPrior.from_analogues(analogues)
    truth = float(bass_period_sales(TRUE, 5, 20).sum())
    # when the rest of the window is forecast with and without the prior
    with_prior = forecast_bass(sales, 16, prior=prior, n_bootstrap=30, seed=0).total_mean
    without = forecast_bass(sales, 16, n_bootstrap=30, seed=0).total_mean
    # then the prior's forecast is close to the truth and much closer than the unregularised one
    assert abs(with_prior - truth) / truth < 0.3
    assert abs(with_prior - truth) < abs(without - truth)


def test_prior_from_analogues_is_the_weighted_geometric_mean() -> None:
    # given two analogues weighted 3:1
    analogues = [BassParameters(0.01, 0.4, 1_000.0), BassParameters(0.04, 0.1, 4_000.0)]
    # when the prior is formed, with a market size from research
    prior = BassPrior.from_analogues(analogues, [3.0, 1.0], market_size=2_500.0)
    # then p and q are weighted geometric means and m is the researched size
    assert prior.p == pytest.approx(0.01**0.75 * 0.04**0.25)
    assert prior.q == pytest.approx(0.4**0.75 * 0.1**0.25)
    assert prior.m == 2_500.0


def test_market_size_never_falls_below_the_units_already_sold() -> None:
    # given sales that already fell to a trickle
    sales = [100.0, 400.0, 300.0, 50.0, 10.0]
    # when fitted
    fit = fit_bass(sales)
    # then m is at least what was sold
    assert fit.parameters.m >= sum(sales) * (1 - 1e-9)


def test_the_same_seed_gives_the_same_forecast_and_intervals_bracket_the_point_forecast() -> None:
    # given a series
    sales = _synthetic_sales(TRUE, 8, seed=3)
    # when it is forecast twice with one seed and once with another
    first = forecast_bass(sales, 6, n_bootstrap=40, seed=9)
    second = forecast_bass(sales, 6, n_bootstrap=40, seed=9)
    other = forecast_bass(sales, 6, n_bootstrap=40, seed=10)
    # then the same seed reproduces it exactly and the interval is ordered around the total
    assert first == second
    assert first.lower != other.lower
    assert all(lo <= hi for lo, hi in zip(first.lower, first.upper, strict=True))
    assert first.total_lower <= first.total_mean <= first.total_upper
    assert len(first.total_samples) == 40


def test_fit_refuses_series_without_any_adoption() -> None:
    # given a series of zeros, when fitted, then it is refused with a reason
    with pytest.raises(ValueError, match="adoption"):
        fit_bass([0.0, 0.0, 0.0])
