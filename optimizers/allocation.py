"""Split a fixed production run across channels or regions.

Each channel's demand is uncertain (normal with a mean and a standard deviation, truncated at zero);
units beyond demand earn nothing. The model maximises the expected margin of fulfilled demand plus a
fairness term (``fairness_weight`` times the worst channel's expected fill rate, in money per unit of
fill rate), subject to minimum shares, with integral allocations that sum to the run.
``allocate_proportionally`` is the greedy baseline: shares in proportion to mean demand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ortools.sat.python import cp_model

# Expected sales are piecewise linear between breakpoints; at most this many pieces per channel.
_MAX_PIECES = 64
_VALUE_SCALE = 1000
# Spreads below this are certainty; smaller ones overflow the normal formulas.
_CERTAIN = 1e-9


@dataclass(frozen=True)
class ChannelDemand:
    """``min_share`` is the fraction of the run the channel is promised at least (rounded up)."""

    channel: str
    mean: float
    std: float
    margin: float
    min_share: float = 0.0


@dataclass(frozen=True)
class AllocationResult:
    """``units`` per channel in input order; they sum to the run. ``expected_value`` is the expected
    fulfilled margin (exact, not the piecewise model's); ``worst_fill_rate`` the fairness measure."""

    status: str
    units: tuple[tuple[str, int], ...]
    expected_fulfilled: float
    expected_value: float
    worst_fill_rate: float
    objective_bound: float


class AllocationInfeasible(ValueError):
    """The minimum shares promise more units than the run holds."""


def expected_sales(units: float, mean: float, std: float) -> float:
    """E[min(units, D)] for demand D ~ Normal(mean, std) truncated at zero (all mass below 0 at 0)."""
    if units <= 0:
        return 0.0
    if math.isinf(units):
        return expected_demand(mean, std)
    if std <= _CERTAIN:
        return min(units, max(mean, 0.0))
    # E[min(u, D+)] = E[D+] - E[(D - u)+]; both are the normal loss function at different points.
    return _loss(0.0, mean, std) - _loss(units, mean, std)


def expected_demand(mean: float, std: float) -> float:
    """E[D+]: the expected demand, negative draws counting as none."""
    return max(mean, 0.0) if std <= _CERTAIN else _loss(0.0, mean, std)


def _loss(level: float, mean: float, std: float) -> float:
    z = (level - mean) / std
    pdf = math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    tail = 0.5 * math.erfc(z / math.sqrt(2))
    return std * (pdf - z * tail)


def evaluate(demands: list[ChannelDemand], units: list[int]) -> tuple[float, float, float]:
    """(expected fulfilled units, expected value, worst expected fill rate) of an allocation."""
    sales = [expected_sales(u, d.mean, d.std) for d, u in zip(demands, units, strict=True)]
    fill = [s / expected_demand(d.mean, d.std) for s, d in zip(sales, demands, strict=True) if d.mean > 0]
    value = sum(s * d.margin for s, d in zip(sales, demands, strict=True))
    return sum(sales), value, min(fill, default=1.0)


def minimum_units(demands: list[ChannelDemand], run: int) -> list[int]:
    """The units each channel is owed; raises ``AllocationInfeasible`` when they exceed ``run``."""
    floors = [math.ceil(d.min_share * run - 1e-9) for d in demands]
    if sum(floors) > run:
        raise AllocationInfeasible(f"minimum shares need {sum(floors)} units but the run has {run}")
    return floors


def allocate_proportionally(demands: list[ChannelDemand], run: int) -> AllocationResult:
    """Baseline: minimum shares first, the rest in proportion to mean demand (largest remainders)."""
    floors = minimum_units(demands, run)
    rest = run - sum(floors)
    weights = [max(d.mean, 0.0) for d in demands]
    total = sum(weights) or float(len(demands))
    raw = [rest * (w / total if sum(weights) else 1 / len(demands)) for w in weights]
    units = [f + math.floor(r) for f, r in zip(floors, raw, strict=True)]
    by_remainder = sorted(range(len(demands)), key=lambda i: (-(raw[i] - math.floor(raw[i])), i))
    for i in by_remainder[: run - sum(units)]:
        units[i] += 1
    return allocation_result("heuristic", demands, units, math.inf)


def allocate_channels(
    demands: list[ChannelDemand],
    run: int,
    *,
    fairness_weight: float = 0.0,
    time_limit_s: float = 5.0,
    seed: int = 0,
    workers: int = 1,
) -> AllocationResult:
    """Integral allocation of ``run`` units maximising expected margin + fairness (CP-SAT).

    Expected sales are modelled exactly at the breakpoints of a concave piecewise-linear curve, so the
    model may undervalue units between breakpoints by a little; ``objective_bound`` is the solver's
    bound on the modelled objective."""
    if run < 0 or not demands:
        raise ValueError("need a non-negative run and at least one channel")
    floors = minimum_units(demands, run)
    model = cp_model.CpModel()
    # --- variables: units per channel and their modelled expected sales ---
    units = [model.new_int_var(floors[k], run, f"units_{d.channel}") for k, d in enumerate(demands)]
    sales = [model.new_int_var(0, run * _VALUE_SCALE, f"sales_{d.channel}") for d in demands]
    add_run_is_used_up(model, units, run)
    add_expected_sales_curves(model, units, sales, demands, run)
    worst = add_worst_fill_rate(model, sales, demands)
    # --- objective: expected margin plus the fairness term ---
    value = sum(round(d.margin * _VALUE_SCALE) * s for d, s in zip(demands, sales, strict=True))
    model.maximize(value + round(fairness_weight * _VALUE_SCALE) * worst)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = workers
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return allocation_result("no_solution", demands, floors, solver.best_objective_bound)
    chosen = [int(solver.value(u)) for u in units]
    label = "optimal" if status == cp_model.OPTIMAL else "feasible"
    return allocation_result(label, demands, chosen, solver.best_objective_bound / _VALUE_SCALE**2)


def add_run_is_used_up(model: cp_model.CpModel, units: list[cp_model.IntVar], run: int) -> None:
    """Every unit of the run goes to some channel."""
    model.add(sum(units) == run)


def add_expected_sales_curves(
    model: cp_model.CpModel,
    units: list[cp_model.IntVar],
    sales: list[cp_model.IntVar],
    demands: list[ChannelDemand],
    run: int,
) -> None:
    """Modelled sales stay under every chord of the concave expected-sales curve (an upper envelope
    that the maximisation makes tight)."""
    step = max(1, math.ceil(run / _MAX_PIECES))
    points = sorted({*range(0, run + 1, step), run})
    for u, s, d in zip(units, sales, demands, strict=True):
        values = [round(expected_sales(p, d.mean, d.std) * _VALUE_SCALE) for p in points]
        for a, b, fa, fb in zip(points, points[1:], values, values[1:], strict=False):
            # s <= fa + (fb - fa) / (b - a) * (u - a), multiplied through by (b - a) to stay integral.
            model.add((b - a) * s <= fa * (b - a) + (fb - fa) * (u - a))


def add_worst_fill_rate(
    model: cp_model.CpModel, sales: list[cp_model.IntVar], demands: list[ChannelDemand]
) -> cp_model.IntVar:
    """``worst`` (fill rate in thousandths) is at most every channel's expected fill rate."""
    worst = model.new_int_var(0, _VALUE_SCALE, "worst_fill_rate")
    for s, d in zip(sales, demands, strict=True):
        full = expected_demand(d.mean, d.std)
        if full > 0:
            # worst/1000 <= (s/1000) / full  <=>  worst * full <= s, with full kept to 1/1000.
            model.add(worst * round(full * _VALUE_SCALE) <= s * _VALUE_SCALE)
    return worst


def allocation_result(
    status: str, demands: list[ChannelDemand], units: list[int], bound: float
) -> AllocationResult:
    fulfilled, value, worst = evaluate(demands, units)
    return AllocationResult(
        status=status,
        units=tuple((d.channel, u) for d, u in zip(demands, units, strict=True)),
        expected_fulfilled=fulfilled,
        expected_value=value,
        worst_fill_rate=worst,
        objective_bound=bound,
    )
