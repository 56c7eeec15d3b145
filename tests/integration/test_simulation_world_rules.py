"""The simulated world keeps its own rules: supply planned past the horizon still arrives, a supplier's
stock position counts what is on the way, the naive shop still sells from its shelf, and a scenario the
world cannot run is refused in one line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from agents.runtime import AgentRuntime
from engine.bootstrap import bootstrap_in_memory
from engine.clock import ManualClock
from engine.config import Settings
from experiments.cli import register
from experiments.simulation.policies import BASELINES, ENGINE, build_agents
from experiments.simulation.runner import run_policy
from experiments.simulation.scenario import Scenario, load_scenario, rescale
from experiments.simulation.world import World, total_days

SCENARIOS = Path(__file__).resolve().parents[2] / "experiments" / "scenarios"
NAIVE = next(policy for policy in BASELINES if policy.name == "naive_promise")


def small(name: str, orders: int) -> Scenario:
    return rescale(load_scenario(SCENARIOS / f"{name}.yaml"), orders=orders)


def test_lots_planned_after_the_horizon_arrive_within_the_run_and_their_orders_ship() -> None:
    # Given the launch with visitors for 30 days only, while its runs land on days 35 to 75
    scenario = small("console_launch", 300).model_copy(update={"horizon_days": 30})
    # When the season runs
    result = run_policy(scenario, ENGINE)
    # Then the run waits for the last lot, and every order sold ships
    assert total_days(scenario) > 75
    assert result.kpis["orders"] > 50
    assert result.never_shipped == 0 and result.undelivered == 0
    assert result.kpis["on_time_rate"] > 0.9


def test_a_suppliers_stock_position_counts_the_planned_purchase_orders_on_the_way() -> None:
    scenario = small("steady_open_ended", 400)
    start = datetime.combine(scenario.start, datetime.min.time(), tzinfo=UTC)
    clock = ManualClock(start)
    engine = bootstrap_in_memory(Settings(bootstrap_admin_key=None), clock=clock)
    world = World(scenario, ENGINE, engine, clock)
    world.load()
    runtime = AgentRuntime(engine, build_agents(scenario, ENGINE))
    for day in range(total_days(scenario)):
        world.day(day, runtime)
    assert world.replenishers
    for k, replenisher in world.replenishers.items():
        still_coming = sum(
            fate.quantity
            for events in world.events.values()
            for kind, fate in events
            if kind == "arrive" and fate.sku == k
        )
        planned = sum(lot.quantity for lot in scenario.products[k].supply.lots)
        assert replenisher.on_order == still_coming, scenario.products[k].sku
        assert replenisher.received >= planned


def test_the_naive_shop_promises_from_today_what_its_shelf_has() -> None:
    naive = run_policy(small("steady_open_ended", 400), NAIVE).kpis
    # Most of an open-ended product's orders are served from stock: those arrive inside their window
    assert naive["preorder_share_of_sales"] < 0.5
    assert naive["on_time_rate"] > 0.5


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        (
            "cut_off_hour: 17",
            "cut_off_hour: 8",
            "policies.cut_off_hour: Input should be greater than or equal to 13",
        ),
        ("elasticity: 2.0", "elasticity: 0", "demand.elasticity: Input should be greater than 0"),
    ],
)
def test_a_scenario_the_world_cannot_run_is_refused_in_one_line(
    tmp_path: Path, old: str, new: str, says: str
) -> None:
    launch = (SCENARIOS / "console_launch.yaml").read_text(encoding="utf-8")
    assert old in launch
    bad = tmp_path / "bad.yaml"
    bad.write_text(launch.replace(old, new), encoding="utf-8")
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(app, ["simulate", str(bad), "--no-tracking"])
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {bad}: {says}"
