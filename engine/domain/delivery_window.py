"""The delivery-time model behind every promise, and the honest window it yields.

Supply timing is Normal(0, supply_spread) days around the lot's expected date, handling is fixed, and
transit follows a shifted log-normal fitted to the lane's p10/p50/p90 (``ln(T + 1)`` is normal, so
same-day quantiles of 0 are allowed). A parcel is delivered on day ``floor(S + H + T)`` after the
expected availability date. The window is the shortest run of whole days holding at least the target
probability; the confidence we state is the exact probability of that run under the model, so it
is honest by construction (and checked against a Monte Carlo of the same model in the tests).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist

import numpy as np

_Z90 = 1.2815515655446004  # standard normal 90th percentile
_NODES = 400
_STANDARD = NormalDist()
_ERF = np.frompyfunc(math.erf, 1, 1)


def _ndtr(x: np.ndarray) -> np.ndarray:
    """Standard normal CDF, elementwise (kept off scipy so the domain imports quickly)."""
    erf = np.asarray(_ERF(x / math.sqrt(2.0)), dtype=float)
    return np.asarray(0.5 * (1.0 + erf))


@dataclass(frozen=True)
class DeliveryModel:
    supply_spread_days: float
    handling_days: int
    transit_mu: float
    transit_sigma: float

    @classmethod
    def of(
        cls, supply_spread_days: float, handling_days: int, p10: float, p50: float, p90: float
    ) -> DeliveryModel:
        mu = math.log(p50 + 1.0)
        sigma = max(0.0, (math.log(p90 + 1.0) - math.log(p10 + 1.0)) / (2 * _Z90))
        return cls(round(float(supply_spread_days), 6), int(handling_days), round(mu, 9), round(sigma, 9))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Delivery day offsets (whole days after expected availability) drawn from the model."""
        supply = rng.normal(0.0, self.supply_spread_days, n) if self.supply_spread_days > 0 else np.zeros(n)
        transit = np.exp(rng.normal(self.transit_mu, self.transit_sigma, n)) - 1.0
        return np.floor(np.round(supply + self.handling_days + transit, 9)).astype(np.int64)


@dataclass(frozen=True)
class WindowOffsets:
    """Window bounds in whole days after expected availability, and their probability."""

    earliest: int
    latest: int
    confidence: float


def _transit_nodes(model: DeliveryModel) -> np.ndarray:
    # Rounded so that whole-day quantiles (exp(log(4)) - 1 = 2.9999...) stay whole days.
    if model.transit_sigma == 0:
        return np.array([round(math.exp(model.transit_mu) - 1.0, 9)])
    z = np.array([_STANDARD.inv_cdf((i + 0.5) / _NODES) for i in range(_NODES)])
    return np.round(np.exp(model.transit_mu + model.transit_sigma * z) - 1.0, 9)


def longest_transit_days(p10: float, p50: float, p90: float) -> float:
    """The longest transit the model of a lane with these quantiles counts with (its last quadrature node,
    about the 99.9th percentile): the delivery table is that many days long."""
    model = DeliveryModel.of(0.0, 0, p10, p50, p90)
    return float(_transit_nodes(model).max())


def _cdf(model: DeliveryModel, x: np.ndarray) -> np.ndarray:
    """P(S + H + T < x) for each x, by quadrature over transit quantiles."""
    nodes = _transit_nodes(model) + model.handling_days
    gap = x[:, None] - nodes[None, :]
    if model.supply_spread_days > 0:
        inside = _ndtr(gap / model.supply_spread_days)
    else:
        inside = (gap > 0).astype(float)
    return np.asarray(inside.mean(axis=1))


@lru_cache(maxsize=4096)
def window_offsets(model: DeliveryModel, target: float) -> WindowOffsets:
    """The shortest whole-day window holding at least ``target`` of the delivery probability."""
    spread = 6 * model.supply_spread_days
    nodes = _transit_nodes(model)
    # No probability lies past the last transit node (the quadrature's own support), so the table ends
    # there: a wide lane (p90 far above p10) no longer asks for exp(mu + 6 sigma) days of it.
    top = min(math.exp(model.transit_mu + 6 * model.transit_sigma) - 1.0, float(nodes.max()))
    low = math.floor(-spread + model.handling_days - 1)
    high = math.ceil(spread + model.handling_days + top + 1)
    days = np.arange(low, high + 1)
    cdf = _cdf(model, np.append(days, high + 1).astype(float))
    mass = np.diff(cdf)
    best = (0, len(days) - 1, float(mass.sum()))
    start, running = 0, 0.0
    for end in range(len(days)):
        running += mass[end]
        while start < end and running - mass[start] >= target:
            running -= mass[start]
            start += 1
        if running >= target and end - start < best[1] - best[0]:
            best = (start, end, running)
    start, end, covered = best
    return WindowOffsets(int(days[start]), int(days[end]), round(min(float(covered), 1.0), 3))
