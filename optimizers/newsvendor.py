"""Production planning from a demand forecast: the newsvendor critical fractile.

Build too few and each unit of unmet demand loses its margin; build too many and each unsold unit loses
its cost (less any salvage). The quantity that balances the two is the ``margin / (margin + cost −
salvage)`` quantile of demand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class ProductionEconomics:
    """Per-unit money: what a unit costs to make, what it earns when sold, what an unsold one fetches."""

    unit_cost: float
    unit_margin: float
    salvage_value: float = 0.0

    def __post_init__(self) -> None:
        if self.unit_cost <= 0 or self.unit_margin <= 0:
            raise ValueError("unit cost and unit margin must be positive")
        if not 0 <= self.salvage_value < self.unit_cost:
            raise ValueError("salvage value must be in [0, unit cost)")

    @property
    def critical_fractile(self) -> float:
        overage = self.unit_cost - self.salvage_value
        return self.unit_margin / (self.unit_margin + overage)


@dataclass(frozen=True)
class ProductionAdvice:
    """The recommended run and what the current plan is expected to leave short or over."""

    recommended_quantity: int
    critical_fractile: float
    planned_quantity: int
    expected_shortage: float
    expected_surplus: float
    probability_short: float
    expected_profit_recommended: float
    expected_profit_planned: float


def advise_production(
    demand_samples: Sequence[float] | NDArray[np.float64],
    economics: ProductionEconomics,
    *,
    planned_quantity: int,
) -> ProductionAdvice:
    """Recommend the critical-fractile quantity of the sampled demand and judge ``planned_quantity``.

    Expectations are sample means over ``demand_samples`` (e.g. bootstrap draws of total demand by
    window close plus units already ordered).
    """
    demand = np.asarray(demand_samples, dtype=float)
    if demand.ndim != 1 or len(demand) == 0 or np.any(demand < 0):
        raise ValueError("need at least one non-negative demand sample")
    if planned_quantity < 0:
        raise ValueError("planned quantity cannot be negative")
    fractile = economics.critical_fractile
    recommended = int(np.ceil(np.quantile(demand, fractile)))
    return ProductionAdvice(
        recommended_quantity=recommended,
        critical_fractile=fractile,
        planned_quantity=planned_quantity,
        expected_shortage=float(np.maximum(demand - planned_quantity, 0.0).mean()),
        expected_surplus=float(np.maximum(planned_quantity - demand, 0.0).mean()),
        probability_short=float(np.mean(demand > planned_quantity)),
        expected_profit_recommended=_expected_profit(demand, recommended, economics),
        expected_profit_planned=_expected_profit(demand, planned_quantity, economics),
    )


def _expected_profit(demand: NDArray[np.float64], quantity: int, economics: ProductionEconomics) -> float:
    sold = np.minimum(demand, quantity)
    unsold = quantity - sold
    profit = economics.unit_margin * sold - (economics.unit_cost - economics.salvage_value) * unsold
    return float(profit.mean())
