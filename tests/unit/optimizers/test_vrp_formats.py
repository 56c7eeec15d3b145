"""Reading Solomon and CVRPLIB files from ../shared/data."""

from __future__ import annotations

import pytest
from vrp_recompute import DATA, route_distance

from optimizers.route_check import check_routes
from optimizers.vrp_formats import InstanceFormatError, parse_cvrplib, parse_solomon, read_instance


def test_solomon_c101_has_a_depot_and_one_hundred_customers_with_windows() -> None:
    inst = read_instance(DATA / "solomon" / "C101.txt", "solomon")

    assert (inst.name, inst.size, inst.capacity, inst.vehicles) == ("C101", 101, 200, 25)
    assert inst.ready is not None and inst.due is not None and inst.service is not None
    # depot row: 0 40 50 0 0 1236 0; customer 1: 45 68 10 912 967 90 (as printed in the file)
    assert (inst.x[0], inst.y[0], inst.due[0]) == (40.0, 50.0, 1236.0)
    assert (inst.x[1], inst.y[1], inst.demand[1], inst.ready[1], inst.due[1], inst.service[1]) == (
        45.0,
        68.0,
        10,
        912.0,
        967.0,
        90.0,
    )


def test_cvrplib_optimal_routes_of_a_n32_k5_cost_exactly_784_with_rounded_distances() -> None:
    # Given the published optimal routes (customer ids 1..31 are file nodes 2..32)
    inst = read_instance(DATA / "cvrp" / "A-n32-k5.vrp", "cvrplib")
    sol = (DATA / "cvrp" / "A-n32-k5.sol").read_text().splitlines()
    routes = [[int(v) for v in line.split(":")[1].split()] for line in sol if line.startswith("Route")]

    # When they are checked against the instance
    check = check_routes(inst, routes)

    # Then they are feasible and cost the published optimum under TSPLIB nint distances
    assert check.feasible, check.violations
    assert check.distance == 784
    assert sum(route_distance(inst, r) for r in routes) == 784
    assert inst.capacity == 100 and inst.size == 32 and inst.distance_kind == "nint"


def test_a_file_in_the_wrong_format_is_refused_with_a_format_error() -> None:
    cvrp_text = (DATA / "cvrp" / "A-n32-k5.vrp").read_text()
    solomon_text = (DATA / "solomon" / "C101.txt").read_text()

    with pytest.raises(InstanceFormatError):
        parse_solomon(cvrp_text)
    with pytest.raises(InstanceFormatError):
        parse_cvrplib(solomon_text)
    with pytest.raises(InstanceFormatError):
        parse_solomon("")
