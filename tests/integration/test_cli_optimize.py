"""``preorder route`` and ``preorder consolidate`` on the command line."""

from __future__ import annotations

import itertools
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from click.testing import Result
from reference_data import DATA as REFERENCE
from typer.testing import CliRunner

from engine.cli.optimize import register

DATA = REFERENCE
PREORDER = Path(sys.executable).parent / "preorder"


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    root = typer.Typer(pretty_exceptions_enable=False)
    register(root)
    return root


@pytest.fixture
def small_solomon(tmp_path: Path) -> Path:
    """The header, depot and first 12 customers of C101, as a file of its own."""
    lines = (DATA / "solomon" / "C101.txt").read_text().splitlines()
    depot = next(i for i, ln in enumerate(lines) if ln.split()[:1] == ["0"])
    path = tmp_path / "C101-12.txt"
    path.write_text("\n".join(lines[: depot + 13]) + "\n")
    return path


def read_rows(path: Path) -> dict[int, list[float]]:
    rows = [ln.split() for ln in path.read_text().splitlines()]
    return {int(r[0]): [float(v) for v in r[1:]] for r in rows if len(r) == 7 and r[0].isdigit()}


def test_route_json_lists_customer_numbers_from_which_anyone_can_recompute_the_distance(
    app: typer.Typer, small_solomon: Path
) -> None:
    # When routing a 12-customer cut of C101 with --json
    result = CliRunner().invoke(
        app,
        ["route", str(small_solomon), "--format", "solomon", "--time-limit", "1", "--workers", "1", "--json"],
    )

    # Then one JSON object comes out whose routes, read against the file, give its distance
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert {"vehicles", "distance", "feasible", "objective", "solve_seconds", "routes"} <= set(out)
    rows = read_rows(small_solomon)
    assert sorted(c for r in out["routes"] for c in r) == list(range(1, 13))
    total = 0.0
    for route in out["routes"]:
        path = [0, *route, 0]
        total += sum(math.dist(rows[a][:2], rows[b][:2]) for a, b in itertools.pairwise(path))
    assert out["distance"] == pytest.approx(total, abs=1e-5)
    assert out["feasible"] is True and out["vehicles"] == len(out["routes"])
    assert out["objective"] == "distance"


def test_route_prints_a_readable_summary_without_json(app: typer.Typer) -> None:
    result = CliRunner().invoke(
        app,
        [
            "route",
            str(DATA / "cvrp" / "A-n32-k5.vrp"),
            "--format",
            "cvrplib",
            "--time-limit",
            "1",
            "--workers",
            "1",
            "--objective",
            "vehicles-then-distance",
        ],
    )

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("A-n32-k5: 5 vehicles, distance ")
    assert "objective vehicles-then-distance" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["route", "/no/such/file.txt", "--time-limit", "1"], "cannot read"),
        (
            ["route", str(DATA / "cvrp" / "A-n32-k5.vrp"), "--format", "solomon", "--time-limit", "1"],
            "not a solomon",
        ),
        (["route", str(DATA / "cvrp" / "A-n32-k5.vrp"), "--format", "tsp"], "--format must be"),
        (["route", str(DATA / "cvrp" / "A-n32-k5.vrp"), "--objective", "cheapest"], "--objective must be"),
        (["consolidate", "/no/such/file.json"], "cannot read"),
    ],
)
def test_bad_input_prints_one_line_and_exits_2(app: typer.Typer, args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, args)

    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_a_consolidation_file_that_is_not_a_problem_is_refused_in_one_line(
    app: typer.Typer, tmp_path: Path
) -> None:
    not_json = tmp_path / "a.json"
    not_json.write_text("{oops")
    no_orders = tmp_path / "b.json"
    no_orders.write_text(json.dumps({"depot": [0, 0], "fleet": []}))

    for path, message in ((not_json, "not JSON"), (no_orders, "'orders' must be a list")):
        result = CliRunner().invoke(app, ["consolidate", str(path)])
        assert result.exit_code == 2 and message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_consolidate_merges_a_customers_orders_and_prints_cost_naive_cost_and_bound(
    app: typer.Typer, tmp_path: Path
) -> None:
    # Given two orders of one customer a day apart, holding allowed, and a third elsewhere
    order = {
        "customer": "c1",
        "address": [3, 4],
        "region": "north",
        "sku": "S",
        "units": 1,
        "weight": 5,
        "volume": 0.1,
        "due_day": 6,
    }
    problem = {
        "depot": [0, 0],
        "max_hold_days": 1,
        "fleet": [
            {
                "name": "van",
                "capacity_weight": 100,
                "capacity_volume": 5,
                "fixed_cost": 10,
                "cost_per_distance": 1,
                "count": 3,
            }
        ],
        "orders": [
            {**order, "id": "a", "ready_day": 0},
            {**order, "id": "b", "ready_day": 1},
            {**order, "id": "c", "customer": "c2", "address": [-6, 8], "region": "south", "ready_day": 0},
        ],
    }
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(problem))

    # When consolidated, as JSON and as text
    as_json = CliRunner().invoke(app, ["consolidate", str(path), "--time-limit", "2", "--json"])
    as_text = CliRunner().invoke(app, ["consolidate", str(path), "--time-limit", "2"])

    # Then a and b share one parcel; costs are a van plus the round trip, per shipment
    assert as_json.exit_code == 0, as_json.output
    plan = json.loads(as_json.stdout)
    assert sorted(sorted(p["order_ids"]) for p in plan["parcels"]) == [["a", "b"], ["c"]]
    assert plan["cost"] == pytest.approx((10 + 10) + (10 + 20))
    assert plan["naive_cost"] == pytest.approx(2 * (10 + 10) + (10 + 20))
    assert plan["lower_bound"] <= plan["cost"]
    assert as_text.exit_code == 0
    assert "3 orders, 2 parcels, 2 shipments, 0 unplaceable" in as_text.stdout
    assert "naive 70.00" in as_text.stdout and "lower bound" in as_text.stdout


def test_the_installed_preorder_command_routes_with_two_worker_processes() -> None:
    completed = subprocess.run(
        [
            str(PREORDER),
            "route",
            str(DATA / "cvrp" / "A-n32-k5.vrp"),
            "--format",
            "cvrplib",
            "--time-limit",
            "2",
            "--workers",
            "2",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    out = json.loads(completed.stdout)
    assert out["feasible"] and sorted(c for r in out["routes"] for c in r) == list(range(1, 32))
    assert out["solve_seconds"] <= 2.0 + 0.5


def solomon_file(tmp_path: Path, *customers: str, fleet: str = "3 200") -> Path:
    """A Solomon file with the depot on line 6 and customers from line 7."""
    header = ["T", "VEHICLE", "NUMBER CAPACITY", fleet, "CUSTOMER", "0 40 50 0 0 1236 0"]
    path = tmp_path / "instance.txt"
    path.write_text("\n".join([*header, *customers]) + "\n")
    return path


def assert_refused_in_one_line(result: Result, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("1 45 68 10 900 100 10", "customer 1 has ready time 900 after its due time 100"),
        ("1 45 68 10 -50 -10 -10", "customer 1 has ready time -50"),
        ("1 45 68 10 2000 3000 10", "customer 1 has ready time 2000, after the depot closes"),
    ],
)
def test_a_solomon_customer_whose_window_cannot_be_met_is_refused_in_one_line_naming_it(
    app: typer.Typer, tmp_path: Path, row: str, message: str
) -> None:
    result = CliRunner().invoke(app, ["route", str(solomon_file(tmp_path, row)), "--time-limit", "1"])

    assert_refused_in_one_line(result, message)


@pytest.mark.parametrize(
    ("customers", "fleet", "message"),
    [
        (("1 1e300 1e300 10 0 1000 10", "2 45 70 30 0 1000 10"), "3 200", "customer 1 has coordinates"),
        (("1 45 68 10000000000000000000 0 1000 10",), "3 200", "customer 1 has demand"),
        (("1 45 68 10 0 1000 10",), "3 10000000000000000000", "capacity 10000000000000000000 is above"),
    ],
)
def test_solomon_values_outside_the_documented_bounds_are_refused_in_one_line(
    app: typer.Typer, tmp_path: Path, customers: tuple[str, ...], fleet: str, message: str
) -> None:
    path = solomon_file(tmp_path, *customers, fleet=fleet)

    result = CliRunner().invoke(app, ["route", str(path), "--time-limit", "1"])

    assert_refused_in_one_line(result, message)


def test_nan_coordinates_in_a_cvrplib_file_are_refused_in_one_line(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "nan.vrp"
    path.write_text(
        "NAME : x\nCAPACITY : 10\nNODE_COORD_SECTION\n1 0 0\n2 nan nan\n3 1 1\n"
        "DEMAND_SECTION\n1 0\n2 5\n3 1\nDEPOT_SECTION\n1\n-1\nEOF\n"
    )

    result = CliRunner().invoke(app, ["route", str(path), "--format", "cvrplib", "--time-limit", "1"])

    assert_refused_in_one_line(result, "customer 1 has coordinates (nan, nan)")


def test_a_solomon_row_that_is_not_numbers_is_refused_with_its_line_number(
    app: typer.Typer, tmp_path: Path
) -> None:
    path = solomon_file(tmp_path, "1 45 68 10 0 1000 10", "2 45 70 30 0 1000 10 # note")

    result = CliRunner().invoke(app, ["route", str(path), "--time-limit", "1"])

    assert_refused_in_one_line(result, "line 8: a customer row is 7 numbers")


@pytest.mark.parametrize("command", ["route", "consolidate"])
@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--time-limit", "nan"),
        ("--time-limit", "inf"),
        ("--time-limit", "1e300"),
        ("--time-limit", "3601"),
        ("--seed", "-1"),
        ("--seed", "99999999999999999999"),
        ("--workers", "65"),
    ],
)
def test_solver_options_outside_their_documented_range_are_refused_before_anything_runs(
    app: typer.Typer, command: str, option: str, value: str
) -> None:
    # A missing file: were the option accepted, the command would fail on the file instead
    result = CliRunner().invoke(app, [command, "/no/such/file", option, value])

    assert result.exit_code == 2
    assert option in result.stderr and "cannot read" not in result.stderr
    assert "Traceback" not in result.output


def test_a_consolidation_file_that_is_not_utf8_text_is_refused_in_one_line(
    app: typer.Typer, tmp_path: Path
) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"depot": [0, 0], "note": "Töst"}'.encode("latin-1"))

    result = CliRunner().invoke(app, ["consolidate", str(path)])

    assert_refused_in_one_line(result, "is not UTF-8 text")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"depot": [NaN, 0], "fleet": [], "orders": []}', "depot[0] must be from"),
        ('{"depot": [0, Infinity], "fleet": [], "orders": []}', "depot[1] must be from"),
        ('{"depot": [0, 0], "max_hold_days": 1e308, "fleet": [], "orders": []}', "max_hold_days must be"),
        ('{"depot": [0, 0], "count": ' + "9" * 5000 + "}", "a number has more than"),
        ("[" * 100_000, "nested too deeply"),
    ],
)
def test_consolidation_numbers_python_cannot_use_are_refused_in_one_line_naming_the_field(
    app: typer.Typer, tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "problem.json"
    path.write_text(text)

    result = CliRunner().invoke(app, ["consolidate", str(path)])

    assert_refused_in_one_line(result, message)


def test_units_that_are_not_a_whole_number_are_refused_not_truncated(
    app: typer.Typer, tmp_path: Path
) -> None:
    van = {"name": "van", "capacity_weight": 100, "capacity_volume": 5, "fixed_cost": 10,
           "cost_per_distance": 1, "count": 1}  # fmt: skip
    order = {"id": "a", "customer": "c", "address": [3, 4], "region": "n", "sku": "S", "units": 1.7,
             "weight": 1, "volume": 0.1, "ready_day": 0, "due_day": 1}  # fmt: skip
    path = tmp_path / "problem.json"
    path.write_text(json.dumps({"depot": [0, 0], "fleet": [van], "orders": [order]}))

    result = CliRunner().invoke(app, ["consolidate", str(path), "--time-limit", "1"])

    assert_refused_in_one_line(result, "orders[0].units must be a whole number, not 1.7")
