"""A comparison as JSON-ready data, as figures, and as one MLflow parent run (through the tracker)."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from experiments.simulation.kpis import KPI_NAMES
from experiments.simulation.policies import PURPOSE
from experiments.simulation.runner import Comparison, RunResult
from experiments.tracking import Tracker

EXPERIMENT = "simulation"
SERIES_PLOTS = {
    "orders_placed": ("daily_orders.png", "orders accepted per day"),
    "price_index": ("price_path.png", "mean price index (list price = 100)"),
    "queued_units": ("queue_depth.png", "units queued for supply"),
}


def summary(comparison: Comparison, *, run_id: str | None) -> dict[str, Any]:
    """What ``--json`` writes: ``kpis``, ``baselines`` (name -> kpis), differences, scenario, seed,
    runtime, shards, the MLflow run id (None without tracking), refused units and the engine policy's
    orders not delivered when the run ended."""
    return {
        "scenario": comparison.scenario.name,
        "seed": comparison.scenario.seed,
        "runtime": comparison.runtime,
        "shards": comparison.shards,
        "run_id": run_id,
        "kpis": comparison.engine.kpis,
        "baselines": {name: run.kpis for name, run in comparison.baselines.items()},
        "differences": comparison.differences(),
        "policy_beats_baseline": beats(comparison),
        "refused_units": comparison.engine.refused_units,
        # Orders the KPIs could not see delivered: a season too short for its supply shows here.
        "not_delivered": {
            "on_the_road": comparison.engine.undelivered,
            "never_shipped": comparison.engine.never_shipped,
        },
    }


def beats(comparison: Comparison) -> dict[str, bool]:
    """For each baseline: does the engine's policy do better on the KPI that policy exists for?"""
    result = {}
    for name, run in comparison.baselines.items():
        kpi = PURPOSE[name]
        lower_is_better = kpi == "logistics_cost_per_unit"
        ours, theirs = comparison.engine.kpis[kpi], run.kpis[kpi]
        result[name] = ours < theirs if lower_is_better else ours > theirs
    return result


def series_figure(runs: dict[str, RunResult], key: str, title: str) -> Figure:
    """One daily series for the engine's policies and each baseline."""
    figure = Figure(figsize=(8, 4.5))
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    for name, run in runs.items():
        values = run.series.get(key, [])
        ax.plot(np.arange(len(values)), values, label=name, linewidth=2 if name == "engine" else 1)
    ax.set_xlabel("simulation day")
    ax.set_ylabel(title)
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize="small")
    figure.tight_layout()
    return figure


def track(comparison: Comparison, tracker: Tracker, *, params: dict[str, Any]) -> str:
    """Log one parent run: parameters, the engine's KPIs, each baseline's KPIs and differences as
    metrics (``baseline.<name>.<kpi>``, ``diff.<name>.<kpi>``), the plots and the summary; returns its id."""
    runs = {"engine": comparison.engine, **comparison.baselines}
    with tracker.parent_run(EXPERIMENT, comparison.scenario.name, params) as run:
        run.log_metrics({name: comparison.engine.kpis[name] for name in KPI_NAMES})
        for name, baseline in comparison.baselines.items():
            run.log_metrics({f"baseline.{name}.{k}": baseline.kpis[k] for k in KPI_NAMES})
        for name, diff in comparison.differences().items():
            run.log_metrics({f"diff.{name}.{k}": v for k, v in diff.items()})
        for key, (file_name, title) in SERIES_PLOTS.items():
            run.log_figure(series_figure(runs, key, title), file_name)
        run.log_dict(summary(comparison, run_id=run.run_id), "summary.json")
        return run.run_id
