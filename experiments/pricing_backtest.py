"""Pricing backtest: static list pricing against scarcity pricing over seeded demand scenarios."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from experiments.plots import pricing_figure
from experiments.tracking import Tracker
from optimizers.pricing_simulation import (
    DEFAULT_SCENARIOS,
    MarketSettings,
    PricingScenario,
    ScenarioOutcome,
    simulate_pricing,
)

EXPERIMENT = "pricing-backtest"


def run_pricing_backtest(
    *,
    seed: int = 0,
    trials: int = 400,
    market: MarketSettings | None = None,
    scenarios: tuple[PricingScenario, ...] = DEFAULT_SCENARIOS,
) -> tuple[ScenarioOutcome, ...]:
    """Both policies on the same seeded demand draws in every scenario."""
    return simulate_pricing(scenarios, market=market or MarketSettings(), trials=trials, seed=seed)


def scenario_row(outcome: ScenarioOutcome) -> dict[str, Any]:
    """One scenario in the shape the ``--json`` output promises."""
    return {
        "name": outcome.scenario.name,
        "demand_to_capacity": outcome.scenario.demand_to_capacity,
        "revenue_static": round(outcome.static.mean_revenue, 2),
        "revenue_scarcity": round(outcome.scarcity.mean_revenue, 2),
        "units_static": round(outcome.static.mean_units, 1),
        "units_scarcity": round(outcome.scarcity.mean_units, 1),
        "sellout_day_static": outcome.static.median_sellout_period,
        "sellout_day_scarcity": outcome.scarcity.median_sellout_period,
    }


def track_pricing_backtest(
    outcomes: tuple[ScenarioOutcome, ...], tracker: Tracker, *, seed: int, market: MarketSettings
) -> str:
    """Log one parent run with a nested run per scenario; returns the parent run id."""
    params: dict[str, Any] = {"seed": seed, "trials": outcomes[0].trials if outcomes else 0}
    params |= {key: value for key, value in asdict(market).items() if key != "guardrails"}
    params |= {f"guardrail_{key}": value for key, value in asdict(market.guardrails).items()}
    with tracker.parent_run(EXPERIMENT, "pricing-backtest", params) as parent:
        for outcome in outcomes:
            scenario = outcome.scenario
            with tracker.nested_run(
                scenario.name, {"demand_to_capacity": scenario.demand_to_capacity}
            ) as child:
                child.log_metrics(_scenario_metrics(outcome))
                child.log_figure(pricing_figure(outcome), f"{scenario.name}_price_path.png")
        parent.log_metrics({f"{o.scenario.name}_revenue_lift": o.revenue_lift for o in outcomes})
        return parent.run_id


def _scenario_metrics(outcome: ScenarioOutcome) -> dict[str, float]:
    metrics: dict[str, float] = {"revenue_lift": outcome.revenue_lift}
    for policy, summary in (("static", outcome.static), ("scarcity", outcome.scarcity)):
        metrics[f"revenue_{policy}"] = summary.mean_revenue
        metrics[f"units_{policy}"] = summary.mean_units
        metrics[f"sellout_share_{policy}"] = summary.sellout_share
        metrics[f"share_saw_price_change_{policy}"] = summary.share_saw_price_change
        if summary.median_sellout_period is not None:
            metrics[f"sellout_day_{policy}"] = float(summary.median_sellout_period)
    return metrics
