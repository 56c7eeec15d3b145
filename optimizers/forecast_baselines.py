"""Simple baselines beside the Bass model, so backtests show what the diffusion curve buys.

Both work on per-period sales and give normal prediction intervals from their one-step errors.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from scipy.stats import norm

from optimizers.forecast_types import DemandForecast

FloatArray = NDArray[np.float64]

_SMOOTHING_GRID = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def forecast_holt(sales: Sequence[float] | FloatArray, horizon: int, *, level: float = 0.8) -> DemandForecast:
    """Holt's linear-trend exponential smoothing, smoothing constants chosen by one-step squared error.

    Forecasts are floored at zero (sales cannot be negative); the interval uses the standard Holt
    variance ``σ²·(1 + Σ_{j<h} (α + αβj)²)`` of the h-step error.
    """
    y = _validated(sales, horizon)
    best: tuple[float, float, float, float, float] | None = None
    for alpha, beta in itertools.product(_SMOOTHING_GRID, _SMOOTHING_GRID):
        sse, lvl, trend = _holt_pass(y, alpha, beta)
        if best is None or sse < best[0]:
            best = (sse, alpha, beta, lvl, trend)
    assert best is not None
    sse, alpha, beta, lvl, trend = best
    steps = np.arange(1, horizon + 1, dtype=float)
    point = np.maximum(lvl + steps * trend, 0.0)
    sigma = math.sqrt(sse / max(len(y) - 3, 1))
    spread = np.array(
        [
            math.sqrt(1.0 + sum((alpha + alpha * beta * j) ** 2 for j in range(1, h)))
            for h in range(1, horizon + 1)
        ]
    )
    return _normal_forecast("holt", point, sigma * spread, level)


def forecast_linear_trend(
    sales: Sequence[float] | FloatArray, horizon: int, *, level: float = 0.8
) -> DemandForecast:
    """Ordinary least-squares line through per-period sales, extended (and floored at zero)."""
    y = _validated(sales, horizon)
    t = np.arange(1, len(y) + 1, dtype=float)
    slope, intercept = np.polyfit(t, y, 1)
    future_t = np.arange(len(y) + 1, len(y) + horizon + 1, dtype=float)
    point = np.maximum(intercept + slope * future_t, 0.0)
    residuals = y - (intercept + slope * t)
    sigma = math.sqrt(float(residuals @ residuals) / max(len(y) - 2, 1))
    leverage = 1.0 + 1.0 / len(y) + (future_t - t.mean()) ** 2 / float(((t - t.mean()) ** 2).sum())
    return _normal_forecast("linear_trend", point, sigma * np.sqrt(leverage), level)


def _validated(sales: Sequence[float] | FloatArray, horizon: int) -> FloatArray:
    y = np.asarray(sales, dtype=float)
    if y.ndim != 1 or len(y) < 2:
        raise ValueError("need at least two periods of sales")
    if horizon < 1:
        raise ValueError("horizon must be at least one period")
    return y


def _holt_pass(y: FloatArray, alpha: float, beta: float) -> tuple[float, float, float]:
    """One pass of Holt's recursions; returns one-step SSE and the final level and trend."""
    lvl, trend = float(y[0]), float(y[1] - y[0])
    sse = 0.0
    for value in y[1:]:
        error = float(value) - (lvl + trend)
        sse += error * error
        new_level = alpha * float(value) + (1 - alpha) * (lvl + trend)
        trend = beta * (new_level - lvl) + (1 - beta) * trend
        lvl = new_level
    return sse, lvl, trend


def _normal_forecast(model: str, point: FloatArray, sd: FloatArray, level: float) -> DemandForecast:
    z = float(norm.ppf(0.5 + level / 2.0))
    # Totals: errors at different horizons are positively correlated; summing standard deviations is the
    # conservative (perfectly correlated) bound, which is what a planner should see from a baseline.
    total_sd = float(sd.sum())
    total = float(point.sum())
    return DemandForecast(
        model=model,
        mean=tuple(float(v) for v in point),
        lower=tuple(float(v) for v in np.maximum(point - z * sd, 0.0)),
        upper=tuple(float(v) for v in point + z * sd),
        level=level,
        total_mean=total,
        total_lower=max(total - z * total_sd, 0.0),
        total_upper=total + z * total_sd,
    )
