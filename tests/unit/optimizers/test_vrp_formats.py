"""Reading Solomon and CVRPLIB files from ../shared/data."""

from __future__ import annotations

from pathlib import Path

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


def solomon_text(*customers: str, fleet: str = "3 200") -> str:
    """A Solomon file: name on line 1, the fleet on line 4, the depot on line 6, customers from line 7."""
    header = ["T", "VEHICLE", "NUMBER CAPACITY", fleet, "CUSTOMER", "0 40 50 0 0 1236 0"]
    return "\n".join([*header, *customers]) + "\n"


@pytest.mark.parametrize(
    ("customers", "message"),
    [
        (("1 45 68 10 0 1000 10", "2 45 70 30 0 1000 10 # note"), "line 8: a customer row is 7 numbers"),
        (("1 45 68 10 0 1000 10", "two 45 70 30 0 1000 10"), "line 8: a customer row is 7 numbers"),
        (("1 45 68 10 0 1000",), "line 7: a customer row is 7 numbers"),
        (("1 45 68 10.5 0 1000 10",), "line 7: the demand must be a whole number"),
    ],
)
def test_a_solomon_row_that_is_not_seven_numbers_is_refused_with_its_line_number(
    customers: tuple[str, ...], message: str
) -> None:
    with pytest.raises(InstanceFormatError, match=message):
        parse_solomon(solomon_text(*customers))


def test_a_solomon_number_in_scientific_notation_is_read_as_that_number() -> None:
    inst = parse_solomon(solomon_text("1 45 68 10 0 1000 10", "2 4.5e1 70 30 0 1.0E3 10"))

    assert inst.labels == (0, 1, 2)
    assert (inst.x[2], inst.due[2]) == (45.0, 1000.0)  # type: ignore[index]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("1 45 68 10 900 100 10", "customer 1 has ready time 900 after its due time 100"),
        ("1 45 68 10 -50 -10 -10", "customer 1 has ready time -50"),
        ("1 45 68 10 0 100 -10", "customer 1 has service time -10"),
        ("1 45 68 10 2000 3000 10", "customer 1 has ready time 2000, after the depot closes at 1236"),
        ("1 45 68 10 0 1e400 10", "customer 1 has due time inf"),
    ],
)
def test_a_time_window_that_no_vehicle_can_meet_is_refused_naming_the_customer(
    row: str, message: str
) -> None:
    with pytest.raises(InstanceFormatError, match=message):
        parse_solomon(solomon_text(row))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (solomon_text("1 1e300 1e300 10 0 1000 10"), r"customer 1 has coordinates \(1e\+300, 1e\+300\)"),
        (solomon_text("1 1e12 45 10 0 1000 10"), "customer 1 has coordinates"),
        (
            solomon_text("1 45 68 10000000000000000000 0 1000 10"),
            "customer 1 has demand 10000000000000000000",
        ),
        (solomon_text("1 45 68 -10 0 1000 10"), "customer 1 has demand -10"),
        (
            solomon_text("1 45 68 10 0 1000 10", fleet="3 10000000000000000000"),
            "capacity 10000000000000000000",
        ),
        (solomon_text("1 45 68 10 0 1000 10", "1 45 70 30 0 1000 10"), "customer number 1 appears more"),
        (
            solomon_text("7 45 68 10 0 1000 10").replace("0 40 50 0 0", "0 40 50 5 0"),
            "the depot has demand 5",
        ),
        (solomon_text(*(f"{k} 45 68 1 0 1000 0" for k in range(1, 2002))), "2,001 customers, more than"),
    ],
)
def test_values_outside_the_documented_bounds_are_refused_naming_the_customer(
    text: str, message: str
) -> None:
    with pytest.raises(InstanceFormatError, match=message):
        parse_solomon(text)


def test_nan_coordinates_or_a_repeated_node_in_a_cvrplib_file_are_refused() -> None:
    def cvrp(coords: str) -> str:
        demands = "DEMAND_SECTION\n1 0\n2 5\n3 1\n"
        return f"NAME : x\nCAPACITY : 10\nNODE_COORD_SECTION\n1 0 0\n{coords}\n{demands}EOF\n"

    with pytest.raises(InstanceFormatError, match=r"customer 1 has coordinates \(nan, nan\)"):
        parse_cvrplib(cvrp("2 nan nan\n3 1 1"))
    with pytest.raises(InstanceFormatError, match="NODE_COORD_SECTION needs one row for each of the 3 nodes"):
        parse_cvrplib(cvrp("2 1 1\n3 1 1\n2 5 5"))


def test_a_file_that_is_not_utf8_text_is_refused_with_a_format_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Töst".encode("latin-1") + solomon_text("1 45 68 10 0 1000 10")[1:].encode())

    with pytest.raises(InstanceFormatError, match="not UTF-8 text"):
        read_instance(path, "solomon")
