"""The JSON shape of a consolidation problem."""

from __future__ import annotations

import json
import math

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


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"depot": [math.nan, 0], "fleet": [VAN], "orders": []}, r"depot\[0\] must be from .* not nan"),
        (
            {"depot": [0, 0], "fleet": [VAN], "orders": [{**ORDER, "address": [3, math.inf]}]},
            r"orders\[0\]\.address\[1\] must be from .* not inf",
        ),
        (
            {"depot": [0, 0], "fleet": [{**VAN, "capacity_weight": 1e308}], "orders": []},
            r"fleet\[0\]\.capacity_weight must be from 0 to 1,000,000,000, not 1e\+308",
        ),
        (
            {"depot": [0, 0], "fleet": [{**VAN, "fixed_cost": -math.inf}], "orders": []},
            r"fleet\[0\]\.fixed_cost must be from 0 to 1,000,000, not -inf",
        ),
        (
            {"depot": [0, 0], "fleet": [{**VAN, "count": 10**30}], "orders": []},
            r"fleet\[0\]\.count must be from 0 to 1,000,000",
        ),
        (
            {"depot": [0, 0], "fleet": [VAN], "orders": [{**ORDER, "due_day": 1e300}]},
            r"orders\[0\]\.due_day must be from -100,000,000 to 100,000,000",
        ),
    ],
)
def test_numbers_that_are_not_finite_or_out_of_range_are_refused_naming_the_field(
    document: object, message: str
) -> None:
    with pytest.raises(ProblemFormatError, match=message):
        problem_from_dict(document)


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"depot": [0, 0], "fleet": [VAN], "orders": [{**ORDER, "units": 1.7}]}, r"orders\[0\]\.units"),
        ({"depot": [0, 0], "fleet": [{**VAN, "count": 2.5}], "orders": []}, r"fleet\[0\]\.count"),
        ({"depot": [0, 0], "max_hold_days": 0.5, "fleet": [VAN], "orders": []}, "max_hold_days"),
    ],
)
def test_a_count_that_is_not_a_whole_number_is_refused_rather_than_truncated(
    document: object, field: str
) -> None:
    with pytest.raises(ProblemFormatError, match=f"{field} must be a whole number"):
        problem_from_dict(document)
