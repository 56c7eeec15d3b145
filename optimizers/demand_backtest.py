"""Rolling-origin backtest: every model forecasts the same held-out periods from the same origins."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from optimizers.forecast_types import DemandForecast

FloatArray = NDArray[np.float64]

# A forecaster sees the sales up to the origin and returns the forecast of the next ``horizon`` periods.
Forecaster = Callable[[FloatArray, int], DemandForecast]


@dataclass(frozen=True)
class OriginForecast:
    """One model's forecast from one origin, beside what actually happened."""

    origin: int
    actual: tuple[float, ...]
    forecast: DemandForecast


@dataclass(frozen=True)
class BacktestScore:
    """Accuracy of one model over all origins.

    ``wape`` is Σ|forecast − actual| / Σ actual; ``bias`` is Σ(forecast − actual) / Σ actual (positive
    means over-forecasting); ``coverage`` is the share of actual periods inside the prediction interval
    (compare it with ``level``).
    """

    model: str
    wape: float
    bias: float
    coverage: float
    level: float
    forecasts: tuple[OriginForecast, ...]


def rolling_origin_backtest(
    sales: Sequence[float] | FloatArray,
    forecasters: Mapping[str, Forecaster],
    *,
    first_origin: int,
    horizon: int | None = None,
    max_origins: int | None = None,
) -> dict[str, BacktestScore]:
    """Forecast from every origin ``first_origin..n−1`` to ``horizon`` periods ahead (default: the end);
    with ``max_origins``, from that many origins spread evenly over the same span, first and last
    included, when there are more.

    All models see exactly the same training prefixes and are scored on exactly the same periods.
    """
    y = np.asarray(sales, dtype=float)
    n = len(y)
    if not 2 <= first_origin < n:
        raise ValueError(f"first_origin must be in [2, {n - 1}] for {n} periods")
    if max_origins is not None and max_origins < 2:
        raise ValueError("max_origins must be at least 2")
    origins = origins_between(first_origin, n - 1, max_origins)
    scores: dict[str, BacktestScore] = {}
    for name, forecaster in forecasters.items():
        runs: list[OriginForecast] = []
        for origin in origins:
            steps = n - origin if horizon is None else min(horizon, n - origin)
            forecast = forecaster(y[:origin], steps)
            runs.append(OriginForecast(origin, tuple(float(v) for v in y[origin : origin + steps]), forecast))
        scores[name] = score_forecasts(name, runs)
    return scores


def origins_between(first: int, last: int, at_most: int | None) -> list[int]:
    """Every origin from ``first`` to ``last``, or ``at_most`` of them spread evenly, both ends kept."""
    if at_most is None or last - first + 1 <= at_most:
        return list(range(first, last + 1))
    return sorted({round(first + i * (last - first) / (at_most - 1)) for i in range(at_most)})


def score_forecasts(model: str, runs: Sequence[OriginForecast]) -> BacktestScore:
    """WAPE, bias and interval coverage pooled over every (origin, period) pair."""
    actual = np.concatenate([np.asarray(r.actual) for r in runs])
    mean = np.concatenate([np.asarray(r.forecast.mean) for r in runs])
    lower = np.concatenate([np.asarray(r.forecast.lower) for r in runs])
    upper = np.concatenate([np.asarray(r.forecast.upper) for r in runs])
    total = float(np.abs(actual).sum())
    if total <= 0:
        raise ValueError("cannot score against periods with no sales at all")
    return BacktestScore(
        model=model,
        wape=float(np.abs(mean - actual).sum() / total),
        bias=float((mean - actual).sum() / total),
        coverage=float(np.mean((actual >= lower) & (actual <= upper))),
        level=runs[0].forecast.level,
        forecasts=tuple(runs),
    )
