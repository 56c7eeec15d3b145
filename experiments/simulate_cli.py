"""``preorder simulate``: a season of pre-orders under the engine's policies and their baselines, as a
table, a JSON file and an MLflow run."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from engine.cli.errors import fail, first_line
from experiments.cli_tracking import tracker_or_fail


def simulate(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML (see experiments/scenarios/README.md).")],
    orders: Annotated[
        int | None,
        typer.Option(
            "--orders",
            min=1,
            help="Size demand so that about this many orders are placed (a short pilot run measures "
            "how many visitors prices, waits and caps turn away).",
        ),
    ] = None,
    skus: Annotated[
        int | None, typer.Option("--skus", min=1, max=100_000, help="Replicate products to this many SKUs.")
    ] = None,
    days: Annotated[
        int | None, typer.Option("--days", min=1, help="Stretch the horizon to this many days.")
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", min=0, help="Seed of every draw (default: the scenario's).")
    ] = None,
    runtime: Annotated[
        str, typer.Option("--runtime", help="Where agents run: inprocess or ray.")
    ] = "inprocess",
    ray_address: Annotated[
        str | None, typer.Option("--ray-address", help="Ray cluster to join (default: RAY_ADDRESS or local).")
    ] = None,
    shards: Annotated[
        int,
        typer.Option(
            "--shards",
            min=1,
            help="Split the products into this many seasons, each with its own engine, world streams and "
            "allocation and pricing agents, one logistics agent for all: one after the other in "
            "process, side by side on Ray.",
        ),
    ] = 1,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the results to this file.")
    ] = None,
    no_tracking: Annotated[bool, typer.Option("--no-tracking", help="Do not log an MLflow run.")] = False,
    baselines: Annotated[
        bool, typer.Option("--baselines/--no-baselines", help="Also run every baseline policy.")
    ] = True,
) -> None:
    """Simulate a season of pre-orders with the engine's agents against a synthetic world, compare
    the engine's policies with their baselines, and log the run to MLflow."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from agents.runtime import AgentsUnavailable
    from experiments.simulation.calibration import rescale_to_orders
    from experiments.simulation.policies import BASELINES
    from experiments.simulation.report import summary
    from experiments.simulation.runner import RUNTIMES, compare, days_to_run
    from experiments.simulation.scenario import ScenarioError, load_scenario, rescale
    from experiments.simulation.shards import split

    if runtime not in RUNTIMES:
        fail(f"--runtime must be one of {', '.join(RUNTIMES)}, not {runtime!r}")
    if json_out is not None:
        _check_can_write(json_out)  # before a run of minutes, not after it
    tracker = None if no_tracking else tracker_or_fail()  # likewise
    try:
        loaded = load_scenario(scenario)
        split(rescale(loaded, skus=skus), shards)  # too many shards is said before any pilot run
        if orders is None:
            world = rescale(loaded, skus=skus, days=days, seed=seed)
        else:
            world = rescale_to_orders(loaded, orders, skus=skus, days=days, seed=seed)
    except ScenarioError as exc:
        fail(str(exc))
    chosen = BASELINES if baselines else ()
    total = days_to_run(world) * (1 + len(chosen))
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
    ) as progress:
        task = progress.add_task(f"simulating {world.name}", total=total)
        try:
            comparison = compare(
                world,
                runtime=runtime,
                ray_address=ray_address,
                baselines=chosen,
                on_day=lambda: progress.advance(task),
                shards=shards,
            )
        except AgentsUnavailable as exc:
            fail(str(exc))
    run_id = None
    not_logged = None
    if tracker is not None:
        from experiments.simulation.report import track
        from experiments.tracking import STORE_ERRORS

        params = {
            "scenario": world.name,
            "scenario_file": str(scenario),
            "seed": world.seed,
            "runtime": runtime,
            "shards": shards,
            "skus": len(world.products),
            "horizon_days": world.horizon_days,
            "orders_requested": orders or "scenario",
        }
        try:
            run_id = track(comparison, tracker, params=params)
        except STORE_ERRORS as bad:  # the store failed during the run: still show and write the results
            not_logged = first_line(bad)
    result = summary(comparison, run_id=run_id)
    _simulation_table(result)
    if missing := result["not_delivered"]["never_shipped"]:
        typer.echo(
            f"note: {missing} orders sold had not shipped when the season ended (their supply came late)"
        )
    if json_out is not None:
        try:
            json_out.write_text(json.dumps(result, indent=2, sort_keys=True), encoding="utf-8")
        except OSError as exc:
            fail(f"--json {json_out}: cannot write: {exc.strerror or exc}")
    if run_id:
        typer.echo(f"MLflow run {run_id}")
    if not_logged:
        fail(f"the results above were not logged to MLflow: {not_logged}")


def _check_can_write(path: Path) -> None:
    """A one-line error unless ``path`` names a file that can be written in an existing folder."""
    folder = path.parent
    if path.is_dir():
        fail(f"--json {path}: is a folder, not a file")
    if not folder.is_dir():
        fail(f"--json {path}: no folder {folder}")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        fail(f"--json {path}: not writable")


def _simulation_table(result: dict[str, Any]) -> None:
    from experiments.simulation.kpis import KPI_NAMES

    names = list(result["baselines"])
    shards = f", {result['shards']} shards" if result["shards"] > 1 else ""
    table = Table(title=f"{result['scenario']} (seed {result['seed']}, agents {result['runtime']}{shards})")
    table.add_column("KPI")
    table.add_column("engine", justify="right")
    for name in names:
        table.add_column(f"{name} (Δ)", justify="right")
    for kpi in KPI_NAMES:
        cells = [_figure(result["kpis"][kpi])]
        for name in names:
            theirs = result["baselines"][name][kpi]
            cells.append(f"{_figure(theirs)} ({_figure(result['differences'][name][kpi], signed=True)})")
        table.add_row(kpi, *cells)
    console = Console(width=max(Console().width, 160))
    console.print(table)
    for name, better in result["policy_beats_baseline"].items():
        console.print(f"engine vs {name}: {'better' if better else 'NOT better'} on its KPI")


def _figure(value: float, *, signed: bool = False) -> str:
    sign = "+" if signed else ""
    if abs(value) >= 1000:
        return f"{value:{sign},.0f}"
    return f"{value:{sign}.3f}" if abs(value) < 10 else f"{value:{sign}.1f}"
