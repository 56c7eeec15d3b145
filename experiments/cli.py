"""``preorder forecast``, ``preorder pricing``, ``preorder models``, ``preorder tracking-ui`` and (from
``experiments.simulate_cli``) ``preorder simulate``.

Heavy imports (MLflow, scipy, matplotlib) happen inside the commands so ``preorder --help`` stays fast.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from engine.cli.errors import fail, first_line, settings_or_fail
from experiments.cli_tracking import tracked_or_fail, tracker_or_fail
from experiments.simulate_cli import simulate

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

    tracker = tracker_or_fail()
    try:
        all_series = load_series(data)
        report = run_forecast_backtest(all_series, names=series or None, n_bootstrap=bootstrap, seed=seed)
    except SeriesDataError as exc:
        fail(str(exc))
    except ValueError as exc:
        fail(f"cannot fit {data}: {exc}")
    run_id = tracked_or_fail(lambda: track_forecast_backtest(report, tracker, data=str(data)))
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

    tracker = tracker_or_fail()
    market = MarketSettings()
    outcomes = run_pricing_backtest(seed=seed, trials=trials, market=market)
    run_id = tracked_or_fail(lambda: track_pricing_backtest(outcomes, tracker, seed=seed, market=market))
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

    tracker = tracker_or_fail()
    try:
        series = load_series(data) if data is not None else None
        demand = demand_config_from_series(series, seed=seed)
    except SeriesDataError as exc:
        fail(str(exc))
    except ValueError as exc:
        fail(f"cannot fit {data}: {exc}")
    pricing = pricing_config_from_market(MarketSettings())
    champions = tracked_or_fail(lambda: register_champions(tracker, demand=demand, pricing=pricing))
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


def _check_can_listen(host: str, port: int) -> None:
    try:
        with socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET):
            pass
    except OSError as bad:
        fail(f"cannot listen on {host}:{port}: {bad.strerror or first_line(bad)}")


def _print(table: Table, run_id: str) -> None:
    # Wide enough for the tables even when piped (rich assumes 80 columns without a terminal).
    console = Console(width=max(Console().width, 120))
    console.print(table)
    console.print(f"MLflow run {run_id}")


def _day(day: int | None) -> str:
    return "—" if day is None else str(day)


def _rounded(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()} for row in rows]
