"""Bass diffusion demand model: fit to cumulative pre-orders, shrink towards analogous launches, forecast.

The Bass (1969) model says cumulative adoptions follow ``N(t) = m·F(t)`` with
``F(t) = (1 − e^{−(p+q)t}) / (1 + (q/p)·e^{−(p+q)t})``: ``p`` is innovation, ``q`` imitation and
``m`` the market size. Time is measured in periods since launch; period ``t`` covers ``(t−1, t]``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import least_squares

from optimizers.forecast_types import DemandForecast

logger = logging.getLogger(__name__)

FloatArray = NDArray[np.float64]

_P_BOUNDS = (1e-5, 0.5)
_Q_BOUNDS = (1e-4, 1.5)
# Beyond a hundred times what is already sold the data say nothing more about m; the bound keeps the
# solver away from the flat valley where p → 0 and m → ∞ explain an early exponential ramp equally well.
_M_MAX_FACTOR = 100.0
# The data's relative misfit that sets the prior's pull, kept within sane limits for tiny samples.
_NOISE_BOUNDS = (0.02, 0.2)


@dataclass(frozen=True)
class BassParameters:
    """Innovation ``p``, imitation ``q`` (per period) and market size ``m`` (units)."""

    p: float
    q: float
    m: float

    def __post_init__(self) -> None:
        if not (self.p > 0 and self.q >= 0 and self.m > 0):
            raise ValueError(f"Bass parameters need p > 0, q >= 0, m > 0; got {self}")


@dataclass(frozen=True)
class BassPrior:
    """Where analogous launches put ``p``, ``q`` and ``m``, and how strongly to shrink towards them.

    A weight is worth that many periods of data: a deviation of a factor ``e`` from the prior value
    costs as much as ``weight`` periods each missing the cumulative curve by ``scale`` (5 %) of the
    units sold so far. Weight 0 leaves a parameter to the data alone.
    """

    p: float
    q: float
    m: float
    weight_p: float = 4.0
    weight_q: float = 4.0
    weight_m: float = 0.0
    scale: float = 0.05

    @classmethod
    def from_analogues(
        cls,
        analogues: Sequence[BassParameters],
        weights: Sequence[float] | None = None,
        *,
        weight_p: float = 4.0,
        weight_q: float = 4.0,
        weight_m: float = 0.0,
        market_size: float | None = None,
    ) -> BassPrior:
        """Weighted geometric means of the analogues' ``p`` and ``q`` (and ``m``, unless given).

        Market sizes rarely transfer between products, so ``market_size`` (e.g. from market research)
        replaces the analogues' ``m`` when known.
        """
        if not analogues:
            raise ValueError("at least one analogous launch is needed for a prior")
        w = np.ones(len(analogues)) if weights is None else np.asarray(weights, dtype=float)
        if len(w) != len(analogues) or np.any(w < 0) or w.sum() <= 0:
            raise ValueError("weights must be non-negative, one per analogue, not all zero")
        w = w / w.sum()

        def geometric_mean(values: Sequence[float]) -> float:
            return float(np.exp(np.dot(w, np.log(np.asarray(values, dtype=float)))))

        m = market_size if market_size is not None else geometric_mean([a.m for a in analogues])
        return cls(
            p=geometric_mean([a.p for a in analogues]),
            q=geometric_mean([a.q for a in analogues]),
            m=m,
            weight_p=weight_p,
            weight_q=weight_q,
            weight_m=weight_m,
        )


@dataclass(frozen=True)
class BassFit:
    """A fitted Bass curve and how well it matches the per-period sales it was fitted to."""

    parameters: BassParameters
    fitted_sales: tuple[float, ...]
    converged: bool

    @property
    def periods(self) -> int:
        return len(self.fitted_sales)


def bass_cumulative(params: BassParameters, t: FloatArray) -> FloatArray:
    """Expected cumulative adoptions ``N(t)`` at (possibly fractional) times ``t`` since launch."""
    return params.m * _bass_fraction(params.p, params.q, np.asarray(t, dtype=float))


def bass_period_sales(params: BassParameters, first: int, last: int) -> FloatArray:
    """Expected adoptions in each period ``first..last`` (1-based, inclusive)."""
    t = np.arange(first - 1, last + 1, dtype=float)
    return np.diff(bass_cumulative(params, t))


def fit_bass(sales: Sequence[float] | FloatArray, *, prior: BassPrior | None = None) -> BassFit:
    """Fit ``p, q, m`` to per-period ``sales`` by bounded least squares on cumulative adoptions.

    With a prior the fit is a penalised (MAP-like) estimate that shrinks towards the analogues. The
    prior's pull is measured against the data's own misfit: a first pass assumes ``prior.scale``, the
    second uses the relative misfit the first pass left, so clean data overrule a prior sooner than noisy
    data do. The estimate of ``m`` never falls below the units already sold.
    """
    y = _validated(sales)
    x, converged, _ = _fit(y, prior)
    params = _parameters(x)
    fitted = bass_period_sales(params, 1, len(y))
    return BassFit(parameters=params, fitted_sales=tuple(float(v) for v in fitted), converged=converged)


def _fit(y: FloatArray, prior: BassPrior | None) -> tuple[FloatArray, bool, float | None]:
    """Both passes of the fit; also returns the noise scale the prior was weighed against."""
    starts = _starting_points(y, prior)
    if prior is None:
        x, converged = _solve(y, None, None, starts)
        return x, converged, None
    x, converged = _solve(y, prior, prior.scale, starts)
    misfit = (bass_cumulative(_parameters(x), np.arange(1, len(y) + 1, dtype=float)) - np.cumsum(y)) / y.sum()
    noise = float(np.sqrt(np.mean(misfit**2) * len(y) / max(len(y) - 2, 1)))
    noise = float(np.clip(noise, _NOISE_BOUNDS[0], _NOISE_BOUNDS[1]))
    x, converged = _solve(y, prior, noise, [x, *starts])
    return x, converged, noise


def _parameters(x: FloatArray) -> BassParameters:
    return BassParameters(p=float(x[0]), q=float(x[1]), m=float(math.exp(x[2])))


def _solve(
    y: FloatArray, prior: BassPrior | None, noise: float | None, starts: Sequence[FloatArray]
) -> tuple[FloatArray, bool]:
    cumulative = np.cumsum(y)
    t = np.arange(1, len(y) + 1, dtype=float)
    observed = float(cumulative[-1])

    def residuals(x: FloatArray) -> FloatArray:
        p, q, log_m = float(x[0]), float(x[1]), float(x[2])
        data = (math.exp(log_m) * _bass_fraction(p, q, t) - cumulative) / observed
        if prior is None or noise is None:
            return data
        penalties = noise * np.array(
            [
                math.sqrt(prior.weight_p) * math.log(p / prior.p),
                math.sqrt(prior.weight_q) * math.log(q / prior.q),
                math.sqrt(prior.weight_m) * (log_m - math.log(prior.m)),
            ]
        )
        return np.concatenate([data, penalties])

    lower = np.array([_P_BOUNDS[0], _Q_BOUNDS[0], math.log(observed)])
    upper = np.array([_P_BOUNDS[1], _Q_BOUNDS[1], math.log(observed * _M_MAX_FACTOR)])
    best = None
    for start in starts:
        start = np.clip(start, lower + 1e-9, upper - 1e-9)
        result = least_squares(residuals, start, bounds=(lower, upper), method="trf", x_scale="jac")
        if best is None or result.cost < best.cost:
            best = result
    assert best is not None
    return np.asarray(best.x, dtype=float), bool(best.success)


def forecast_bass(
    sales: Sequence[float] | FloatArray,
    horizon: int,
    *,
    prior: BassPrior | None = None,
    level: float = 0.8,
    n_bootstrap: int = 200,
    seed: int = 0,
) -> DemandForecast:
    """Forecast the ``horizon`` periods after ``sales`` with a residual-bootstrap prediction interval.

    Each bootstrap replicate multiplies the fitted sales by resampled log residuals, refits (with the
    same prior), extends the refitted curve and adds fresh resampled noise, so the interval reflects both
    parameter and period-to-period uncertainty. The same ``seed`` gives the same forecast.
    """
    if horizon < 1:
        raise ValueError("horizon must be at least one period")
    y = _validated(sales)
    x_point, _, noise = _fit(y, prior)
    n = len(y)
    point = bass_period_sales(_parameters(x_point), n + 1, n + horizon)
    fitted = bass_period_sales(_parameters(x_point), 1, n)
    log_residuals = _log_residuals(y, fitted)
    rng = np.random.default_rng(seed)
    paths = np.empty((n_bootstrap, horizon))
    for b in range(n_bootstrap):
        resampled = fitted * np.exp(rng.choice(log_residuals, size=n))
        # One local solve from the point estimate is enough for a replicate and keeps the bootstrap cheap.
        x, _ = _solve(resampled, prior, noise, [x_point])
        future = bass_period_sales(_parameters(x), n + 1, n + horizon)
        paths[b] = future * np.exp(rng.choice(log_residuals, size=horizon))
    return _summarise("bass" if prior is None else "bass_prior", point, paths, level)


def _validated(sales: Sequence[float] | FloatArray) -> FloatArray:
    y = np.asarray(sales, dtype=float)
    if y.ndim != 1 or len(y) < 2 or not np.all(np.isfinite(y)) or np.any(y < 0) or y.sum() <= 0:
        raise ValueError("need at least two finite, non-negative periods of sales with some adoption")
    return y


def bass_share(p: float, q: float, t: float) -> float:
    """F(t) at one time, in plain floats (agents ask it for every product every tick; no array set-up);
    0 before the launch."""
    if t <= 0:
        return 0.0
    decay = math.exp(-(p + q) * t)
    return (1.0 - decay) / (1.0 + (q / p) * decay)


def _bass_fraction(p: float, q: float, t: FloatArray) -> FloatArray:
    decay = np.exp(-(p + q) * t)
    return (1.0 - decay) / (1.0 + (q / p) * decay)


def _starting_points(y: FloatArray, prior: BassPrior | None) -> list[FloatArray]:
    """A few diverse starts: the Bass likelihood surface has long flat valleys with local minima."""
    observed = float(y.sum())
    guesses = [(0.01, 0.4, observed * 3.0), (0.03, 0.4, observed * 1.5), (0.003, 0.7, observed * 10.0)]
    if prior is not None:
        guesses.insert(0, (prior.p, prior.q, max(prior.m, observed * 1.05)))
    return [np.array([p, q, math.log(m)]) for p, q, m in guesses]


def _log_residuals(observed: FloatArray, fitted: FloatArray) -> FloatArray:
    """Centred log residuals, inflated for the degrees of freedom the fit used up."""
    floor = max(1e-9, 0.01 * float(np.mean(observed)))
    residuals = np.log(np.maximum(observed, floor)) - np.log(np.maximum(fitted, floor))
    residuals = residuals - residuals.mean()
    n = len(residuals)
    return residuals * math.sqrt(n / max(n - 2, 1))


def _summarise(model: str, point: FloatArray, paths: FloatArray, level: float) -> DemandForecast:
    alpha = (1.0 - level) / 2.0
    totals = paths.sum(axis=1)
    return DemandForecast(
        model=model,
        mean=tuple(float(v) for v in point),
        lower=tuple(float(v) for v in np.quantile(paths, alpha, axis=0)),
        upper=tuple(float(v) for v in np.quantile(paths, 1.0 - alpha, axis=0)),
        level=level,
        total_mean=float(point.sum()),
        total_lower=float(np.quantile(totals, alpha)),
        total_upper=float(np.quantile(totals, 1.0 - alpha)),
        total_samples=tuple(float(v) for v in totals),
    )
