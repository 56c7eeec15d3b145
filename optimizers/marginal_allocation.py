"""Split a run across channels by marginal gain: the exact integral optimum when there is no fairness
term, in well under a millisecond.

Without the fairness term the objective is separable, ``sum(margin_k * E[min(u_k, D_k)])``, and each
channel's expected sales are concave in its units: the u-th unit sells only when demand reaches it, and
that gets less likely as u grows. Then the run is best spent on its ``run`` largest marginal gains
(above each channel's minimum), and a split is optimal exactly when no single unit moved from one
channel to another gains anything. This module finds the marginal value where the continuous demand
curves use up the run (bisection on ``P(D > u) = value / margin``), rounds, and moves units one at a
time until no move gains. CP-SAT (``optimizers.allocation.allocate_channels``) remains the model for the
fairness term, which couples the channels.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import replace
from statistics import NormalDist

from optimizers.allocation import (
    AllocationResult,
    ChannelDemand,
    allocation_result,
    expected_sales,
    minimum_units,
)

_STANDARD = NormalDist()
_BISECTIONS = 60
# Gains closer than this (relative to the largest margin) are equal: no move for rounding noise.
_TOLERANCE = 1e-12


def allocate_by_marginal_gain(demands: list[ChannelDemand], run: int) -> AllocationResult:
    """Integral allocation of ``run`` units maximising expected fulfilled margin, minimum shares
    respected; ties go to the channel listed first."""
    if run < 0 or not demands:
        raise ValueError("need a non-negative run and at least one channel")
    if not all(math.isfinite(d.margin) and d.margin >= 0 for d in demands):
        raise ValueError("margins must be finite and non-negative (the split is exact only then)")
    floors = minimum_units(demands, run)
    units = _rounded_continuous_split(demands, floors, run)
    _fill_to_run(demands, floors, units, run)
    _exchange_until_no_move_gains(demands, floors, units)
    result = allocation_result("optimal", demands, units, math.inf)
    return replace(result, objective_bound=result.expected_value)  # exact: the bound is the value


def unit_gain(demand: ChannelDemand, units: int) -> float:
    """Expected margin of the ``units``-th unit given to the channel (non-increasing in ``units``)."""
    if units <= 0:
        return math.inf
    high = expected_sales(units, demand.mean, demand.std)
    return demand.margin * (high - expected_sales(units - 1, demand.mean, demand.std))


def _continuous_units(demand: ChannelDemand, value: float) -> float:
    """Units at which the channel's marginal gain falls to ``value`` (continuous demand curve)."""
    if demand.margin <= value:
        return 0.0
    if demand.std <= 0 or value <= 0:
        return max(demand.mean, 0.0) if value > 0 else math.inf
    # the gain of the u-th unit is margin × P(D > u), so P(D ≤ u) = 1 − value / margin there
    below = min(1.0 - value / demand.margin, math.nextafter(1.0, 0.0))
    return max(0.0, demand.mean + demand.std * _STANDARD.inv_cdf(below))


def _rounded_continuous_split(demands: list[ChannelDemand], floors: list[int], run: int) -> list[int]:
    """Units per channel, rounded down, at the marginal value where the curves use up the run."""

    def split(value: float) -> list[int]:
        return [
            max(floor, run if (u := _continuous_units(d, value)) >= run else math.floor(u))
            for d, floor in zip(demands, floors, strict=True)
        ]

    low, high = 0.0, max((d.margin for d in demands), default=0.0)
    units = split(high)  # nothing is worth the largest margin: the floors, which fit in the run
    for _ in range(_BISECTIONS):
        if run - sum(units) <= len(demands):
            break  # a unit or so per channel is left: the exact gains place it
        middle = (low + high) / 2
        trial = split(middle)
        if sum(trial) > run:
            low = middle
        else:
            high, units = middle, trial
    return units


def _fill_to_run(demands: list[ChannelDemand], floors: list[int], units: list[int], run: int) -> None:
    """Give the units still unassigned, one at a time, to the largest next gain."""
    missing = run - sum(units)
    heap = [(-unit_gain(d, u + 1), k) for k, (d, u) in enumerate(zip(demands, units, strict=True))]
    heapq.heapify(heap)
    for _ in range(missing):
        _, k = heapq.heappop(heap)
        units[k] += 1
        heapq.heappush(heap, (-unit_gain(demands[k], units[k] + 1), k))
    assert all(u >= f for u, f in zip(units, floors, strict=True))


def _exchange_until_no_move_gains(demands: list[ChannelDemand], floors: list[int], units: list[int]) -> None:
    """Move one unit at a time from the channel whose last unit is worth least to the channel whose
    next unit is worth most, while that gains (the optimality condition of a separable concave split)."""
    tolerance = _TOLERANCE * max((abs(d.margin) for d in demands), default=1.0)
    for _ in range(sum(units) + 1):  # each move strictly gains, so this bound is never reached
        gains_next = [unit_gain(d, u + 1) for d, u in zip(demands, units, strict=True)]
        gains_last = [
            unit_gain(d, u) if u > f else math.inf for d, u, f in zip(demands, units, floors, strict=True)
        ]
        receiver = max(range(len(units)), key=lambda k: (gains_next[k], -k))
        giver = min(range(len(units)), key=lambda k: (gains_last[k], k))
        if receiver == giver or gains_next[receiver] <= gains_last[giver] + tolerance:
            return
        units[receiver] += 1
        units[giver] -= 1
