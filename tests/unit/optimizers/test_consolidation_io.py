"""The JSON shape of a consolidation problem."""

from __future__ import annotations

import json

import pytest

from optimizers.consolidation import consolidate
from optimizers.consolidation_io import ProblemFormatError, plan_to_dict, problem_from_dict
from optimizers.consolidation_types import ConsolidationParams

VAN = {"name": "van", "capacity_weight": 100, "capacity_volume": 5, "fixed_cost": 10, "cost_per_distance": 1,
       "count": 2}  # fmt: skip
ORDER = {"id": "o1", "customer": "c1", "address": [3, 4], "region": "north", "sku": "S", "units": 1,
         "weight": 5, "volume": 0.1, "ready_day": 0, "due_day": 2}  # fmt: skip


def test_a_well_formed_document_round_trips_into_a_plan_that_serialises_to_json() -> None:
    problem = problem_from_dict({"depot": [0, 0], "max_hold_days": 1, "fleet": [VAN], "orders": [ORDER]})

    plan = consolidate(problem, ConsolidationParams(time_limit_s=1.0))
    document = json.loads(json.dumps(plan_to_dict(plan)))

    assert problem.orders[0].address == (3.0, 4.0) and problem.max_hold_days == 1
    assert document["shipments"][0]["order_ids"] == ["o1"]
    assert document["cost"] == pytest.approx(10 + 10)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "JSON object"),
        ({"depot": [0, 0], "fleet": [VAN]}, "'orders' must be a list"),
        ({"depot": [0], "fleet": [VAN], "orders": []}, "depot must be a pair"),
        ({"depot": [0, 0], "fleet": [VAN], "orders": [{**ORDER, "weight": "heavy"}]}, "heavy"),
        (
            {"depot": [0, 0], "fleet": [VAN], "orders": [{k: v for k, v in ORDER.items() if k != "sku"}]},
            "'sku'",
        ),
        ({"depot": [0, 0], "fleet": [VAN], "orders": [ORDER, ORDER]}, "unique"),
        ({"depot": [0, 0], "fleet": [{**VAN, "capacity_weight": 0}], "orders": []}, "positive capacities"),
        ({"depot": [0, 0], "fleet": [], "orders": []}, "at least one vehicle type"),
    ],
)
def test_a_malformed_document_is_refused_with_a_message_naming_the_problem(
    document: object, message: str
) -> None:
    with pytest.raises(ProblemFormatError, match=message):
        problem_from_dict(document)
