"""``preorder forecast``, ``preorder pricing``, ``preorder models`` and ``preorder tracking-ui``.

Heavy imports (MLflow, scipy, matplotlib) happen inside the commands so ``preorder --help`` stays fast.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from engine.cli.errors import fail, first_line, settings_or_fail, shown_url
from engine.reachability import url_unreachable

if TYPE_CHECKING:
    from experiments.tracking import Tracker

T = TypeVar("T")
_STORE_PORTS = {"http": 80, "https": 443, "postgresql": 5432, "mysql": 3306, "mssql": 1433}

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a table.")]
SeedOption = Annotated[int, typer.Option("--seed", min=0, max=2**32 - 1, help="Seed of every random draw.")]


def register(app: typer.Typer) -> None:
    """Add the forecasting, pricing, model-registry and tracking-UI commands to the root app."""
    forecast = typer.Typer(help="Demand forecasts from pre-order velocity.", no_args_is_help=True)
    pricing = typer.Typer(help="Scarcity pricing experiments.", no_args_is_help=True)
    models = typer.Typer(help="Registered models (MLflow).", no_args_is_help=True)
    app.add_typer(forecast, name="forecast")
    app.add_typer(pricing, name="pricing")
    app.add_typer(models, name="models")
    forecast.command("backtest")(forecast_backtest)
    pricing.command("backtest")(pricing_backtest)
    models.command("register")(models_register)
    app.command("tracking-ui")(tracking_ui)
    app.command("simulate")(simulate)


def forecast_backtest(
    data: Annotated[Path, typer.Option("--data", help="CSV with product,period,value rows.")],
    series: Annotated[
        list[str] | None, typer.Option("--series", help="Only this series (repeatable); default: all.")
    ] = None,
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", min=10, max=10_000, help="Bootstrap replicates.")
    ] = 200,
    seed: SeedOption = 0,
    as_json: JsonOption = False,
) -> None:
    """Rolling-origin backtest of Bass (with and without analogue priors) against Holt and a linear
    trend; logs an MLflow run with a nested run and plot per series."""
    from experiments.forecast_backtest import (
        SeriesDataError,
        load_series,
        run_forecast_backtest,
        track_forecast_backtest,
    )

    tracker = _tracker()
    try:
        all_series = load_series(data)
        report = run_forecast_backtest(all_series, names=series or None, n_bootstrap=bootstrap, seed=seed)
    except SeriesDataError as exc:
        fail(str(exc))
    except ValueError as exc:
        fail(f"cannot fit {data}: {exc}")
    run_id = _tracked(lambda: track_forecast_backtest(report, tracker, data=str(data)))
    rows: list[dict[str, Any]] = [
        {"series": r.series, "model": r.model, "wape": r.wape, "bias": r.bias, "coverage": r.coverage}
        for r in report.results
    ]
    if as_json:
        typer.echo(json.dumps({"run_id": run_id, "results": _rounded(rows)}))
        return
    table = Table(title=f"Rolling-origin forecast backtest ({report.level:.0%} intervals)")
    for column in ("series", "model", "WAPE", "bias", "coverage"):
        table.add_column(column, justify="left" if column in ("series", "model") else "right")
    for row in rows:
        table.add_row(
            row["series"], row["model"], f"{row['wape']:.3f}", f"{row['bias']:+.3f}", f"{row['coverage']:.0%}"
        )
    _print(table, run_id)


def pricing_backtest(
    seed: SeedOption = 0,
    trials: Annotated[
        int, typer.Option("--trials", min=10, max=100_000, help="Monte Carlo trials per scenario.")
    ] = 400,
    as_json: JsonOption = False,
) -> None:
    """Seeded Monte Carlo of static list pricing against scarcity pricing, weak to strong demand; logs
    an MLflow run with a nested run and price-path plot per scenario."""
    from experiments.pricing_backtest import run_pricing_backtest, scenario_row, track_pricing_backtest
    from optimizers.pricing_simulation import MarketSettings

    tracker = _tracker()
    market = MarketSettings()
    outcomes = run_pricing_backtest(seed=seed, trials=trials, market=market)
    run_id = _tracked(lambda: track_pricing_backtest(outcomes, tracker, seed=seed, market=market))
    if as_json:
        typer.echo(json.dumps({"run_id": run_id, "scenarios": [scenario_row(o) for o in outcomes]}))
        return
    table = Table(title=f"Static vs scarcity pricing: {trials} trials per scenario, run of {market.capacity}")
    for column in (
        "scenario",
        "demand/run",
        "revenue static",
        "revenue scarcity",
        "lift",
        "units st/sc",
        "sell-out day st/sc",
        "saw change",
    ):
        table.add_column(column, justify="left" if column == "scenario" else "right")
    for o in outcomes:
        table.add_row(
            o.scenario.name,
            f"{o.scenario.demand_to_capacity:g}",
            f"{o.static.mean_revenue:,.0f}",
            f"{o.scarcity.mean_revenue:,.0f}",
            f"{o.revenue_lift:+.1%}",
            f"{o.static.mean_units:,.0f}/{o.scarcity.mean_units:,.0f}",
            f"{_day(o.static.median_sellout_period)}/{_day(o.scarcity.median_sellout_period)}",
            f"{o.scarcity.share_saw_price_change:.0%}",
        )
    _print(table, run_id)


def models_register(
    data: Annotated[
        Path | None, typer.Option("--data", help="CSV of past launches for the demand prior.")
    ] = None,
    seed: SeedOption = 0,
    as_json: JsonOption = False,
) -> None:
    """Register preorder-demand and preorder-pricing as MLflow pyfunc models and make them @champion."""
    from experiments.forecast_backtest import SeriesDataError, load_series
    from experiments.model_registry import (
        demand_config_from_series,
        pricing_config_from_market,
        register_champions,
    )
    from optimizers.pricing_simulation import MarketSettings

    tracker = _tracker()
    try:
        series = load_series(data) if data is not None else None
        demand = demand_config_from_series(series, seed=seed)
    except SeriesDataError as exc:
        fail(str(exc))
    except ValueError as exc:
        fail(f"cannot fit {data}: {exc}")
    pricing = pricing_config_from_market(MarketSettings())
    champions = _tracked(lambda: register_champions(tracker, demand=demand, pricing=pricing))
    result: dict[str, Any] = {
        "run_id": champions.run_id,
        "models": [
            {"name": "preorder-demand", "version": champions.demand_version, "alias": "champion"},
            {"name": "preorder-pricing", "version": champions.pricing_version, "alias": "champion"},
        ],
    }
    if as_json:
        typer.echo(json.dumps(result))
        return
    for model in result["models"]:
        typer.echo(f"registered {model['name']} version {model['version']} as @{model['alias']}")
    typer.echo(f"MLflow run {champions.run_id}")


def tracking_ui(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 5000,
    print_command: Annotated[
        bool, typer.Option("--print-command", help="Only print the command that would start the UI.")
    ] = False,
) -> None:
    """Start the MLflow UI on the same tracking store and artifacts as the experiment runs."""
    from experiments.tracking import tracking_location, ui_command

    try:
        location = tracking_location(settings_or_fail())
    except OSError as bad:
        fail(f"cannot prepare the MLflow store: {first_line(bad)}")
    command = ui_command(location, host=host, port=port)
    if print_command:
        typer.echo(" ".join(command))
        return
    _check_can_listen(host, port)  # the UI exits 0 when it cannot listen: say so here instead
    typer.echo(f"MLflow UI on http://{host}:{port} (Ctrl-C stops it)")
    sys.stdout.flush()
    # Become the UI process, so signals reach it directly and nothing is left behind when it stops.
    os.execv(command[0], command)


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
    tracker = None if no_tracking else _tracker()  # likewise
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


def _tracker() -> Tracker:
    """The MLflow tracker the settings name, reached once before any work, or one line saying why not."""
    from experiments.tracking import STORE_ERRORS, open_tracker

    settings = settings_or_fail()
    _quiet_mlflow()
    uri = settings.resolved_mlflow_tracking_uri
    # MLflow retries an unreachable server for minutes: ask the network first
    reason = url_unreachable(uri, default_ports=_STORE_PORTS)
    try:
        if reason is not None:
            raise OSError(reason)
        tracker = open_tracker(settings)
        tracker.check()
    except STORE_ERRORS as bad:
        fail(f"cannot use the MLflow store {shown_url(uri)}: {first_line(bad)}")
    return tracker


def _tracked(log: Callable[[], T]) -> T:
    """What ``log`` returns, or one line saying why the store refused it."""
    from experiments.tracking import STORE_ERRORS

    try:
        return log()
    except STORE_ERRORS as bad:
        fail(f"cannot log to MLflow: {first_line(bad)}")


def _check_can_listen(host: str, port: int) -> None:
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as bad:
        fail(f"cannot listen on {host}:{port}: {bad.strerror or first_line(bad)}")


def _quiet_mlflow() -> None:
    # MLflow logs store migrations at INFO on every first use; the user asked for a table, not those.
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)


def _print(table: Table, run_id: str) -> None:
    # Wide enough for the tables even when piped (rich assumes 80 columns without a terminal).
    console = Console(width=max(Console().width, 120))
    console.print(table)
    console.print(f"MLflow run {run_id}")


def _day(day: int | None) -> str:
    return "—" if day is None else str(day)


def _rounded(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()} for row in rows]
