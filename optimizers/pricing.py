"""Scarcity pricing for a fixed production run, within the merchant's guardrails.

Demand rate = forecast arrival rate × price response, with constant elasticity ``ε`` around a reference
price ``r``: expected sales over the rest of the window at price ``p`` are ``S(p) = Λ·(p/r)^−ε`` where
``Λ`` is the forecast of arrivals at the reference price. The recommended price maximises expected
revenue ``p·S(p)`` subject to ``S(p) ≤ remaining units`` and is re-solved every period, so it rises as
the run becomes scarce and falls when demand is weak. Functions accept numpy arrays so a simulation can
price many trials at once; the scalar entry point is :func:`recommend_price`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class PriceResponse:
    """Constant-elasticity response: demand at price ``p`` is ``(p / reference_price)^−elasticity`` times
    demand at the reference price."""

    reference_price: float
    elasticity: float

    def __post_init__(self) -> None:
        if self.reference_price <= 0 or self.elasticity <= 0:
            raise ValueError("reference price and elasticity must be positive")

    def multiplier(self, price: ArrayLike) -> FloatArray:
        return np.power(np.asarray(price, dtype=float) / self.reference_price, -self.elasticity)


@dataclass(frozen=True)
class PriceGuardrails:
    """The merchant's limits: price band, largest relative change per step, periods between changes.

    Changes smaller than ``min_change`` (relative) are not worth showing customers and are skipped.
    """

    floor: float
    ceiling: float
    max_change: float = 0.10
    min_periods_between_changes: int = 3
    min_change: float = 0.01

    def __post_init__(self) -> None:
        if not 0 < self.floor <= self.ceiling:
            raise ValueError("need 0 < floor <= ceiling")
        if not 0 < self.max_change < 1 or self.min_periods_between_changes < 0 or self.min_change < 0:
            raise ValueError("max_change must be in (0, 1); waits and minimum change non-negative")


@dataclass(frozen=True)
class PricingState:
    """What the pricer knows now: units left in the run, forecast arrivals at the reference price over
    the rest of the window, the price customers see, and periods since it last changed."""

    remaining_units: float
    expected_arrivals: float
    current_price: float
    periods_since_change: int


@dataclass(frozen=True)
class PriceDecision:
    """The price to show from now on; ``target`` is the unguarded optimum it moves towards."""

    price: float
    target: float
    expected_sales: float
    changed: bool


def target_price(
    remaining_units: ArrayLike,
    expected_arrivals: ArrayLike,
    response: PriceResponse,
    guardrails: PriceGuardrails,
) -> FloatArray:
    """Revenue-maximising price in ``[floor, ceiling]`` with expected sales at most the remaining units.

    Revenue ``p·S(p)`` is proportional to ``p^(1−ε)``: with elastic demand (``ε ≥ 1``) the cheapest
    feasible price wins, which is the higher of the floor and the price ``r·(Λ/C)^(1/ε)`` that sells
    exactly the remaining ``C`` units; with inelastic demand the ceiling wins. If even the ceiling sells
    more than the run, the ceiling is the best the guardrails allow.
    """
    remaining = np.asarray(remaining_units, dtype=float)
    arrivals = np.maximum(np.asarray(expected_arrivals, dtype=float), 0.0)
    if response.elasticity < 1.0:
        return np.full(np.broadcast(remaining, arrivals).shape, guardrails.ceiling)
    with np.errstate(divide="ignore", invalid="ignore"):
        sell_out = response.reference_price * np.power(arrivals / remaining, 1.0 / response.elasticity)
    sell_out = np.where(remaining > 0, sell_out, guardrails.ceiling)
    return np.clip(np.nan_to_num(sell_out, nan=guardrails.floor), guardrails.floor, guardrails.ceiling)


def apply_guardrails(
    target: ArrayLike,
    current_price: ArrayLike,
    periods_since_change: ArrayLike,
    guardrails: PriceGuardrails,
) -> FloatArray:
    """Move from ``current_price`` towards ``target`` only as far and as often as the guardrails allow.

    Prices are rounded to cents; the result is always within ``[floor, ceiling]``.
    """
    current = np.asarray(current_price, dtype=float)
    wanted = np.asarray(target, dtype=float)
    step = np.clip(wanted, current * (1.0 - guardrails.max_change), current * (1.0 + guardrails.max_change))
    step = np.round(np.clip(step, guardrails.floor, guardrails.ceiling), 2)
    too_soon = np.asarray(periods_since_change) < guardrails.min_periods_between_changes
    too_small = np.abs(step - current) < guardrails.min_change * current
    # A current price outside the band (e.g. the merchant narrowed it) is corrected at once.
    outside = (current < guardrails.floor) | (current > guardrails.ceiling)
    keep = (too_soon | too_small) & ~outside
    return np.where(keep, current, step)


def recommend_price(
    state: PricingState, response: PriceResponse, guardrails: PriceGuardrails
) -> PriceDecision:
    """Re-solve the price for one product now; orders already confirmed keep the price they were given."""
    target = float(target_price(state.remaining_units, state.expected_arrivals, response, guardrails))
    price = float(apply_guardrails(target, state.current_price, state.periods_since_change, guardrails))
    expected = float(state.expected_arrivals * response.multiplier(price))
    return PriceDecision(
        price=price,
        target=target,
        expected_sales=min(expected, max(state.remaining_units, 0.0)),
        changed=price != state.current_price,
    )
