"""The JSON shape of a consolidation problem and plan.

Input (all keys required unless marked optional)::

    {
      "depot": [x, y],
      "max_hold_days": 2,                                    # optional, default 0
      "fleet": [{"name": "van", "capacity_weight": 800, "capacity_volume": 6,
                 "fixed_cost": 40, "cost_per_distance": 0.5, "count": 30}],
      "orders": [{"id": "o1", "customer": "c1", "address": [x, y], "region": "north",
                  "sku": "SKU-1", "units": 1, "weight": 2.5, "volume": 0.02,
                  "ready_day": 0, "due_day": 5}]
    }

Days are integers; weight, volume and distance units are whatever the caller uses consistently.
Numbers must be JSON numbers within the bounds below (``MAX_*``, documented in the README); NaN,
Infinity and values past a bound are refused naming the field. The bounds are far beyond any real
plan and keep the packing model's scaled integer costs inside 64 bits.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeAlias

from optimizers.consolidation_types import (
    AllocatedOrder,
    ConsolidationPlan,
    ConsolidationProblem,
    VehicleType,
)

MAX_COORDINATE = 10**6  # depot and addresses, either axis, either sign
MAX_AMOUNT = 10**9  # weights, volumes, capacities and units
MAX_COST = 10**6  # a vehicle's fixed cost and cost per distance unit
MAX_COUNT = 10**6  # vehicles of one type
MAX_DAY = 10**8  # days either side of 0 (a yyyymmdd date fits), and max_hold_days

Number: TypeAlias = int | float


class ProblemFormatError(ValueError):
    """The document does not describe a consolidation problem; the message says where."""


def problem_from_dict(data: Any) -> ConsolidationProblem:
    """Build a problem from parsed JSON, naming the first field that is missing or malformed."""
    if not isinstance(data, dict):
        raise ProblemFormatError("the document must be a JSON object")
    try:
        fleet = tuple(_vehicle(v, k) for k, v in enumerate(_list(data, "fleet")))
        orders = tuple(_order(o, k) for k, o in enumerate(_list(data, "orders")))
        return ConsolidationProblem(
            orders=orders,
            fleet=fleet,
            depot=_point(data.get("depot"), "depot"),
            max_hold_days=int(_number(data.get("max_hold_days", 0), "max_hold_days", 0, MAX_DAY, whole=True)),
        )
    except ProblemFormatError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise ProblemFormatError(str(exc)) from exc


def plan_to_dict(plan: ConsolidationPlan) -> dict[str, Any]:
    """A JSON-ready view of ``plan`` (tuples become lists), its naive cost and lower bound included."""
    data = dataclasses.asdict(plan)
    del data["figures"]
    return {**data, "naive_cost": plan.naive_cost, "lower_bound": plan.lower_bound}


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        raise ProblemFormatError(f"'{key}' must be a list")
    return value


def _point(value: Any, where: str) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ProblemFormatError(f"{where} must be a pair [x, y]")
    x, y = (float(_number(v, f"{where}[{k}]", -MAX_COORDINATE, MAX_COORDINATE)) for k, v in enumerate(value))
    return x, y


def _number(value: Any, where: str, low: Number, high: Number, *, whole: bool = False) -> Number:
    """``value`` if it is a JSON number from ``low`` to ``high`` (a whole one if ``whole``)."""
    shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProblemFormatError(f"{where} must be a number, not {shown}")
    if whole and isinstance(value, float) and not value.is_integer():
        raise ProblemFormatError(f"{where} must be a whole number, not {shown}")
    # Also false for NaN; and exact for integers of any size, which float() would overflow.
    if not low <= value <= high:
        raise ProblemFormatError(f"{where} must be from {low:,} to {high:,}, not {shown}")
    return int(value) if whole else float(value)


def _measure(item: Any, key: str, where: str, low: Number, high: Number, *, whole: bool = False) -> Number:
    return _number(_field(item, key, where), f"{where}.{key}", low, high, whole=whole)


def _field(item: Any, key: str, where: str) -> Any:
    if not isinstance(item, dict) or key not in item:
        raise ProblemFormatError(f"{where} lacks '{key}'")
    return item[key]


def _vehicle(item: Any, k: int) -> VehicleType:
    where = f"fleet[{k}]"
    vehicle = VehicleType(
        name=str(_field(item, "name", where)),
        capacity_weight=_measure(item, "capacity_weight", where, 0, MAX_AMOUNT),
        capacity_volume=_measure(item, "capacity_volume", where, 0, MAX_AMOUNT),
        fixed_cost=_measure(item, "fixed_cost", where, 0, MAX_COST),
        cost_per_distance=_measure(item, "cost_per_distance", where, 0, MAX_COST),
        count=int(_measure(item, "count", where, 0, MAX_COUNT, whole=True)),
    )
    if min(vehicle.capacity_weight, vehicle.capacity_volume) <= 0:
        raise ProblemFormatError(f"{where} needs positive capacities")
    return vehicle


def _order(item: Any, k: int) -> AllocatedOrder:
    where = f"orders[{k}]"
    return AllocatedOrder(
        id=str(_field(item, "id", where)),
        customer=str(_field(item, "customer", where)),
        address=_point(_field(item, "address", where), f"{where}.address"),
        region=str(_field(item, "region", where)),
        sku=str(_field(item, "sku", where)),
        units=int(_measure(item, "units", where, 1, MAX_AMOUNT, whole=True)),
        weight=_measure(item, "weight", where, 0, MAX_AMOUNT),
        volume=_measure(item, "volume", where, 0, MAX_AMOUNT),
        ready_day=int(_measure(item, "ready_day", where, -MAX_DAY, MAX_DAY, whole=True)),
        due_day=int(_measure(item, "due_day", where, -MAX_DAY, MAX_DAY, whole=True)),
    )
