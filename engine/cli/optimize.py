"""Optimizer commands: ``preorder route`` and ``preorder consolidate``."""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path
from typing import Any

import typer

from engine.cli.errors import fail
from optimizers.consolidation import consolidate
from optimizers.consolidation_io import ProblemFormatError, plan_to_dict, problem_from_dict
from optimizers.consolidation_types import ConsolidationParams, ConsolidationPlan, ConsolidationProblem
from optimizers.routing import OBJECTIVES, RoutingParams, RoutingResult, solve_routing
from optimizers.vrp_formats import InstanceFormatError, VrpInstance, read_instance

FORMATS = ("solomon", "cvrplib")
DEFAULT_WORKERS = min(2, os.cpu_count() or 1)
# Solver parameters a run may ask for: an hour, a seed CP-SAT accepts (32-bit), 64 processes or threads.
MAX_TIME_LIMIT_S = 3600.0
MAX_SEED = 2**31 - 1
MAX_WORKERS = 64


def register(app: typer.Typer) -> None:
    """Add ``route`` and ``consolidate`` to the root app."""
    app.command("route")(route)
    app.command("consolidate")(consolidate_command)


def route(
    file: Path = typer.Argument(..., help="Instance file."),
    fmt: str = typer.Option("solomon", "--format", help="solomon | cvrplib"),
    objective: str = typer.Option("distance", help="distance | vehicles-then-distance"),
    time_limit: float = typer.Option(30.0, "--time-limit", help="Seconds for the whole solve (≤ 3600)."),
    seed: int = typer.Option(
        0, min=0, max=MAX_SEED, help="Seed; the same seed and limits give the same search."
    ),
    workers: int = typer.Option(
        DEFAULT_WORKERS, min=1, max=MAX_WORKERS, help="Parallel searches, one process each."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Route a VRP instance and print vehicles, distance, feasibility and solve time."""
    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if objective not in OBJECTIVES:
        fail(f"--objective must be one of {', '.join(OBJECTIVES)}, not {objective!r}")
    _check_time_limit(time_limit)
    instance = _load_instance(file, fmt)
    params = RoutingParams(objective=objective, time_limit_s=time_limit, seed=seed, workers=workers)
    result = solve_routing(instance, params)
    if as_json:
        typer.echo(json.dumps(_route_json(result)))
        return
    typer.echo(
        f"{result.instance}: {result.vehicles} vehicles, distance {result.distance:.2f}, "
        f"feasible {'yes' if result.feasible else 'no'}, objective {result.objective}, "
        f"status {result.status}, {result.solve_seconds:.1f} s"
    )
    for k, labels in enumerate(result.route_labels, start=1):
        typer.echo(f"  route {k}: {' '.join(map(str, labels))}")
    for problem in result.violations:
        typer.echo(f"  violation: {problem}")


def consolidate_command(
    file: Path = typer.Argument(..., help="Problem as JSON (format: optimizers/consolidation_io.py)."),
    time_limit: float = typer.Option(30.0, "--time-limit", help="Seconds for the whole plan (≤ 3600)."),
    seed: int = typer.Option(0, min=0, max=MAX_SEED, help="CP-SAT seed."),
    workers: int = typer.Option(1, min=1, max=MAX_WORKERS, help="CP-SAT workers per packing."),
    as_json: bool = typer.Option(False, "--json", help="Print the plan as one JSON object."),
) -> None:
    """Merge allocated orders into parcels and shipments; print shipments, cost, naive cost, bound."""
    _check_time_limit(time_limit)
    problem = _load_problem(file)
    plan = consolidate(problem, ConsolidationParams(time_limit_s=time_limit, seed=seed, workers=workers))
    if as_json:
        typer.echo(json.dumps(plan_to_dict(plan)))
        return
    _print_plan(plan, len(problem.orders))


def _check_time_limit(seconds: float) -> None:
    if not (0 < seconds <= MAX_TIME_LIMIT_S and math.isfinite(seconds)):
        fail(f"--time-limit must be more than 0 and at most {MAX_TIME_LIMIT_S:.0f} seconds, not {seconds}")


def _load_problem(file: Path) -> ConsolidationProblem:
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror or exc}")
    except UnicodeDecodeError as exc:
        fail(f"{file} is not UTF-8 text (byte {exc.start} cannot be decoded)")
    except json.JSONDecodeError as exc:
        fail(f"{file} is not JSON: {exc}")
    except ValueError:  # the only other one json raises: an integer too long to convert
        fail(f"{file}: a number has more than {sys.get_int_max_str_digits()} digits")
    except RecursionError:
        fail(f"{file}: the JSON is nested too deeply")
    try:
        return problem_from_dict(document)
    except ProblemFormatError as exc:
        fail(f"{file}: {exc}")


def _load_instance(file: Path, fmt: str) -> VrpInstance:
    try:
        return read_instance(file, fmt)  # type: ignore[arg-type]
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror or exc}")
    except (InstanceFormatError, ValueError) as exc:
        fail(f"{file} is not a {fmt} instance: {exc}")


def _route_json(result: RoutingResult) -> dict[str, Any]:
    return {
        "instance": result.instance,
        "objective": result.objective,
        "status": result.status,
        "vehicles": result.vehicles,
        "distance": round(result.distance, 6),
        "feasible": result.feasible,
        "solve_seconds": round(result.solve_seconds, 3),
        "routes": [list(labels) for labels in result.route_labels],
    }


def _print_plan(plan: ConsolidationPlan, orders: int) -> None:
    for s in plan.shipments:
        typer.echo(
            f"{s.id}: day {s.ship_day}, {s.region}, {s.vehicle_type}, {len(s.order_ids)} orders in "
            f"{len(s.parcel_ids)} parcels, {len(s.stops)} stops, {s.distance:.1f} km, cost {s.cost:.2f}"
        )
    for u in plan.unplaceable:
        typer.echo(f"unplaceable {u.order_id}: {u.reason}")
    saving = 1 - plan.cost / plan.naive_cost if plan.naive_cost else 0.0
    typer.echo(
        f"{orders} orders, {len(plan.parcels)} parcels, {len(plan.shipments)} shipments, "
        f"{len(plan.unplaceable)} unplaceable; status {plan.status}"
    )
    typer.echo(
        f"cost {plan.cost:.2f}, naive {plan.naive_cost:.2f} ({saving:.1%} saved), "
        f"lower bound {plan.lower_bound:.2f}, {plan.solve_seconds:.1f} s"
    )
