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
"""

from __future__ import annotations

import dataclasses
from typing import Any

from optimizers.consolidation_types import (
    AllocatedOrder,
    ConsolidationPlan,
    ConsolidationProblem,
    VehicleType,
)


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
            max_hold_days=int(data.get("max_hold_days", 0)),
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
    return float(value[0]), float(value[1])


def _field(item: Any, key: str, where: str) -> Any:
    if not isinstance(item, dict) or key not in item:
        raise ProblemFormatError(f"{where} lacks '{key}'")
    return item[key]


def _vehicle(item: Any, k: int) -> VehicleType:
    where = f"fleet[{k}]"
    vehicle = VehicleType(
        name=str(_field(item, "name", where)),
        capacity_weight=float(_field(item, "capacity_weight", where)),
        capacity_volume=float(_field(item, "capacity_volume", where)),
        fixed_cost=float(_field(item, "fixed_cost", where)),
        cost_per_distance=float(_field(item, "cost_per_distance", where)),
        count=int(_field(item, "count", where)),
    )
    if min(vehicle.capacity_weight, vehicle.capacity_volume) <= 0 or vehicle.count < 0:
        raise ProblemFormatError(f"{where} needs positive capacities and a non-negative count")
    if min(vehicle.fixed_cost, vehicle.cost_per_distance) < 0:
        raise ProblemFormatError(f"{where} has a negative cost")
    return vehicle


def _order(item: Any, k: int) -> AllocatedOrder:
    where = f"orders[{k}]"
    order = AllocatedOrder(
        id=str(_field(item, "id", where)),
        customer=str(_field(item, "customer", where)),
        address=_point(_field(item, "address", where), f"{where}.address"),
        region=str(_field(item, "region", where)),
        sku=str(_field(item, "sku", where)),
        units=int(_field(item, "units", where)),
        weight=float(_field(item, "weight", where)),
        volume=float(_field(item, "volume", where)),
        ready_day=int(_field(item, "ready_day", where)),
        due_day=int(_field(item, "due_day", where)),
    )
    if order.units <= 0 or order.weight < 0 or order.volume < 0:
        raise ProblemFormatError(f"{where} needs positive units and non-negative weight and volume")
    return order
