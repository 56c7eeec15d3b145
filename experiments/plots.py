"""Figures for experiment runs, drawn off-screen (no pyplot state, no display needed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from optimizers.forecast_types import DemandForecast
from optimizers.pricing_simulation import ScenarioOutcome


def forecast_figure(
    series: str,
    sales: Sequence[float],
    origin: int,
    forecasts: Mapping[str, DemandForecast],
) -> Figure:
    """Sales per period, and each model's forecast from ``origin`` with its prediction interval."""
    figure = Figure(figsize=(8, 4.5))
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    periods = np.arange(1, len(sales) + 1)
    ax.plot(periods, sales, "o-", color="black", label="actual")
    ax.axvline(origin + 0.5, color="grey", linestyle=":", label="forecast origin")
    for name, forecast in forecasts.items():
        future = np.arange(origin + 1, origin + forecast.horizon + 1)
        (line,) = ax.plot(future, forecast.mean, "--", label=f"{name} ({forecast.level:.0%} interval)")
        ax.fill_between(future, forecast.lower, forecast.upper, color=line.get_color(), alpha=0.15)
    ax.set_title(f"{series}: forecast from period {origin} vs actual")
    ax.set_xlabel("period since launch")
    ax.set_ylabel("units per period")
    ax.legend(loc="upper left", fontsize="small")
    figure.tight_layout()
    return figure


def pricing_figure(outcome: ScenarioOutcome) -> Figure:
    """One trial's scarcity price path and the units left under both policies."""
    figure = Figure(figsize=(8, 4.5))
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    periods = np.arange(1, len(outcome.example_prices) + 1)
    ax.step(periods, outcome.example_prices, where="post", color="tab:red", label="scarcity price")
    ax.set_xlabel("period of the pre-order window")
    ax.set_ylabel("price")
    units = ax.twinx()
    units.plot(periods, outcome.example_remaining_scarcity, color="tab:blue", label="units left (scarcity)")
    units.plot(periods, outcome.example_remaining_static, "--", color="tab:grey", label="units left (static)")
    units.set_ylabel("units left in the run")
    handles = ax.get_legend_handles_labels()[0] + units.get_legend_handles_labels()[0]
    ax.legend(handles=handles, loc="upper right", fontsize="small")
    ax.set_title(f"{outcome.scenario.name}: demand {outcome.scenario.demand_to_capacity:g}× the run")
    figure.tight_layout()
    return figure
