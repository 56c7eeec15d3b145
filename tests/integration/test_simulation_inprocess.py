"""The strategy simulator end to end in-process: the real engine on an in-memory store, the production
agent classes, the synthetic world; KPI invariants, determinism, baselines, the CLI and MLflow."""

from __future__ import annotations

import gc
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer
from mlflow.tracking import MlflowClient
from typer.testing import CliRunner

from agents.runtime import AgentRuntime
from engine.bootstrap import bootstrap_in_memory
from engine.clock import ManualClock
from engine.config import Settings
from experiments.cli import register
from experiments.simulation.calibration import rescale_to_orders
from experiments.simulation.kpis import KPI_NAMES, WALL_CLOCK_KPIS
from experiments.simulation.policies import ENGINE, PURPOSE, build_agents
from experiments.simulation.report import track
from experiments.simulation.runner import Comparison, RunResult, compare, run_policy
from experiments.simulation.scenario import Scenario, load_scenario, rescale
from experiments.simulation.shards import split
from experiments.simulation.world import World
from experiments.tracking import open_tracker

SCENARIOS = Path(__file__).resolve().parents[2] / "experiments" / "scenarios"
RATES = (
    "preorder_share_of_sales",
    "on_time_rate",
    "on_time_rate_placement_promise",
    "on_time_rate_current_promise",
    "fill_rate",
    "cancellation_rate",
)


def cli() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def small(name: str, *, orders: int = 600, seed: int | None = None) -> Scenario:
    return rescale(load_scenario(SCENARIOS / f"{name}.yaml"), orders=orders, seed=seed)


def same(a: dict[str, float], b: dict[str, float]) -> bool:
    return {k: v for k, v in a.items() if k not in WALL_CLOCK_KPIS} == {
        k: v for k, v in b.items() if k not in WALL_CLOCK_KPIS
    }


@pytest.fixture(scope="module")
def launch_run() -> RunResult:
    return run_policy(small("console_launch"))


@pytest.fixture(scope="module")
def launch_comparison() -> Comparison:
    # the shipped launch at its own size: consolidation pays only with a few dozen orders a day
    return compare(load_scenario(SCENARIOS / "console_launch.yaml"))


def test_a_small_launch_reports_every_kpi_with_rates_between_zero_and_one(launch_run: RunResult) -> None:
    kpis = launch_run.kpis
    assert set(KPI_NAMES) <= set(kpis)
    for rate in RATES:
        assert 0.0 <= kpis[rate] <= 1.0, rate
    assert kpis["orders"] > 100
    assert kpis["orders"] == kpis["units"]  # every launch order is for one unit
    assert kpis["revenue"] > 0 and kpis["logistics_cost_per_unit"] > 0
    assert kpis["wait_time_mape"] >= 0 and kpis["p99_decision_ms"] > 0


def test_the_same_scenario_and_seed_give_identical_kpis(launch_run: RunResult) -> None:
    again = run_policy(small("console_launch"))
    assert same(launch_run.kpis, again.kpis)
    assert launch_run.series["orders_placed"] == again.series["orders_placed"]


def test_another_seed_gives_another_season(launch_run: RunResult) -> None:
    other = run_policy(small("console_launch", seed=99))
    assert not same(launch_run.kpis, other.kpis)


@pytest.mark.parametrize("name", ["console_launch", "steady_open_ended", "fragile_supply"])
def test_a_season_leaves_no_cyclic_garbage_so_pausing_the_cycle_collector_loses_no_memory(name: str) -> None:
    # Everything a run drops is freed by reference counting: a collection at the end of each day,
    # while the automatic one is paused, finds nothing (customers pause, resume and cancel here, and
    # orders are refused).
    found: list[int] = []
    run_policy(small(name, orders=400), ENGINE, on_day=lambda: found.append(gc.collect()))
    assert len(found) > 100 and sum(found) == 0


@pytest.mark.parametrize("name", ["steady_open_ended", "fragile_supply"])
def test_the_other_shipped_scenarios_run_with_sane_kpis(name: str) -> None:
    kpis = run_policy(small(name, orders=400), ENGINE).kpis
    assert kpis["orders"] > 50
    for rate in RATES:
        assert 0.0 <= kpis[rate] <= 1.0, rate
    assert kpis["units"] >= kpis["orders"]


def test_the_engine_plans_a_risky_lot_from_its_stated_risk_until_its_supplier_confirms_it() -> None:
    scenario = small("console_launch", orders=200)
    start = datetime.combine(scenario.start, datetime.min.time(), tzinfo=UTC)
    clock = ManualClock(start)
    engine = bootstrap_in_memory(Settings(bootstrap_admin_key=None), clock=clock)
    world = World(scenario, ENGINE, engine, clock)
    world.load()
    fate = next(f for events in world.events.values() for _, f in events if f.id == "R-1")
    assert fate.announce_day is not None and fate.stated_spread > fate.spread_days

    def planned() -> tuple[object, float]:
        lot = next(lot for lot in engine.supply_plan("CONSOLE-X").lots if lot.id == "R-1")
        return lot.expected_date, lot.spread_days

    def day(offset: int) -> object:
        return scenario.start + timedelta(days=offset)

    assert planned() == (day(fate.stated_day), fate.stated_spread)
    runtime = AgentRuntime(engine, build_agents(scenario, ENGINE))
    for offset in range(fate.announce_day):
        world.day(offset, runtime)
    assert planned() == (day(fate.stated_day), fate.stated_spread)  # nothing known before the notice
    world.day(fate.announce_day, runtime)
    assert planned() == (day(fate.slipped_day), fate.spread_days)


def test_in_the_shipped_launch_each_engine_policy_beats_its_baseline_on_its_kpi(
    launch_comparison: Comparison,
) -> None:
    engine = launch_comparison.engine.kpis
    assert engine["on_time_rate"] >= 0.95
    for name, run in launch_comparison.baselines.items():
        kpi = PURPOSE[name]
        if kpi == "logistics_cost_per_unit":
            assert engine[kpi] < run.kpis[kpi], name
        else:
            assert engine[kpi] > run.kpis[kpi], name
    assert launch_comparison.baselines["preorders_off"].kpis["preorder_share_of_sales"] == 0.0


def test_the_comparison_is_logged_as_one_mlflow_run_with_kpis_baselines_and_plots(
    launch_comparison: Comparison, tmp_path: Path
) -> None:
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    tracker = open_tracker(Settings(data_dir=tmp_path, mlflow_tracking_uri=uri))
    run_id = track(launch_comparison, tracker, params={"scenario": "console_launch", "seed": 7})
    run = MlflowClient(tracking_uri=uri).get_run(run_id)
    assert run.data.params["scenario"] == "console_launch"
    assert run.data.metrics["orders"] == launch_comparison.engine.kpis["orders"]
    assert "baseline.static_pricing.revenue" in run.data.metrics
    assert "diff.one_parcel_per_order.logistics_cost_per_unit" in run.data.metrics
    artifacts = {a.path for a in MlflowClient(tracking_uri=uri).list_artifacts(run_id, "plots")}
    assert {"plots/daily_orders.png", "plots/price_path.png", "plots/queue_depth.png"} <= artifacts


def test_the_simulate_command_writes_the_json_it_promises(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    result = CliRunner().invoke(
        cli(),
        [
            "simulate",
            str(SCENARIOS / "fragile_supply.yaml"),
            "--orders",
            "300",
            "--skus",
            "3",
            "--days",
            "90",
            "--seed",
            "4",
            "--json",
            str(out),
            "--no-tracking",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert {"kpis", "baselines", "scenario", "seed", "runtime", "run_id"} <= set(data)
    assert data["seed"] == 4 and data["runtime"] == "inprocess" and data["run_id"] is None
    assert set(data["baselines"]) == set(PURPOSE)
    assert set(KPI_NAMES) <= set(data["kpis"])
    assert "orders" in result.output


def test_the_simulate_command_refuses_more_shards_than_products_in_one_line() -> None:
    scenario = str(SCENARIOS / "console_launch.yaml")
    result = CliRunner().invoke(
        cli(), ["simulate", scenario, "--skus", "3", "--shards", "4", "--no-tracking"]
    )
    assert result.exit_code != 0
    assert "4 shards need at least 4 products" in result.output
    assert "Traceback" not in result.output


def test_the_simulate_command_refuses_a_bad_scenario_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nhorizon: 3\n")
    result = CliRunner().invoke(cli(), ["simulate", str(bad), "--no-tracking"])
    assert result.exit_code != 0
    assert "bad.yaml" in result.output


@pytest.mark.parametrize(
    ("where", "says"),
    [("missing/result.json", "no folder {parent}"), (".", "is a folder, not a file")],
)
def test_the_simulate_command_refuses_a_json_file_it_cannot_write_before_running(
    tmp_path: Path, where: str, says: str
) -> None:
    out = tmp_path / where
    result = CliRunner().invoke(
        cli(), ["simulate", str(SCENARIOS / "console_launch.yaml"), "--json", str(out), "--no-tracking"]
    )
    assert result.exit_code == 2  # and only the error: no season ran
    assert result.output.strip() == f"error: --json {out}: {says.format(parent=out.parent)}"


def test_the_simulate_command_refuses_a_negative_seed_on_the_command_line_and_in_the_scenario(
    tmp_path: Path,
) -> None:
    launch = SCENARIOS / "console_launch.yaml"
    flag = CliRunner().invoke(cli(), ["simulate", str(launch), "--seed", "-1", "--no-tracking"])
    assert flag.exit_code == 2 and "--seed" in flag.output and "Traceback" not in flag.output
    negative = tmp_path / "negative.yaml"
    negative.write_text(launch.read_text(encoding="utf-8").replace("seed: 7", "seed: -7"), encoding="utf-8")
    scenario = CliRunner().invoke(cli(), ["simulate", str(negative), "--no-tracking"])
    assert scenario.exit_code == 2
    assert scenario.output.strip() == f"error: {negative}: seed: Input should be greater than or equal to 0"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--days", "5000"], "closes_day: Input should be less than or equal to 3650"),
        (["--days", "3651"], "horizon_days: Input should be less than or equal to 3650"),
        (["--orders", "1000000000"], "quantity: Input should be less than or equal to 100000000"),
    ],
)
def test_the_simulate_command_refuses_a_size_past_the_scenarios_limits_in_one_line(
    args: list[str], says: str
) -> None:
    result = CliRunner().invoke(
        cli(), ["simulate", str(SCENARIOS / "console_launch.yaml"), *args, "--no-tracking"]
    )
    assert result.exit_code == 2
    assert result.output.startswith("error: console_launch resized: ") and says in result.output


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda text: text.encode("utf-8") + b"\xff\xfe", "not UTF-8 text"),
        (
            lambda text: text.replace("start: 2027-01-04", "start: 9999-12-01").encode(),
            "before the year 3000",
        ),
    ],
    ids=["not-utf8", "far-future"],
)
def test_the_simulate_command_refuses_an_unreadable_or_unrunnable_scenario_in_one_line(
    tmp_path: Path, change: Any, says: str
) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_bytes(change((SCENARIOS / "console_launch.yaml").read_text(encoding="utf-8")))
    result = CliRunner().invoke(cli(), ["simulate", str(path), "--no-tracking"])
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {path}") and says in result.output, result.output


def test_an_mlflow_store_that_cannot_be_used_is_said_before_a_season_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PREORDER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PREORDER_MLFLOW_TRACKING_URI", "foo://bar")
    result = CliRunner().invoke(cli(), ["simulate", str(SCENARIOS / "console_launch.yaml")])
    assert result.exit_code == 2  # a season would print its table before anything is logged
    assert result.output.startswith("error: cannot use the MLflow store foo://bar: "), result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_season_split_in_two_shards_sells_what_its_shards_sell_alone_and_the_same_every_time() -> None:
    scenario = rescale(load_scenario(SCENARIOS / "console_launch.yaml"), orders=600, skus=6)

    whole = run_policy(scenario, shards=2)
    first, second = (run_policy(part) for part in split(scenario, 2))

    assert whole.kpis["orders"] > 100
    for kpi in ("orders", "units", "revenue"):
        assert whole.kpis[kpi] == pytest.approx(first.kpis[kpi] + second.kpis[kpi], abs=0.02), kpi
    placed = zip(first.series["orders_placed"], second.series["orders_placed"], strict=True)
    assert whole.series["orders_placed"] == [a + b for a, b in placed]
    assert same(run_policy(scenario, shards=2).kpis, whole.kpis)


@pytest.mark.parametrize("name", ["console_launch", "steady_open_ended", "fragile_supply"])
def test_asking_for_a_number_of_orders_places_about_that_many(name: str) -> None:
    asked = 2_000

    sized = rescale_to_orders(load_scenario(SCENARIOS / f"{name}.yaml"), asked, skus=6, days=120)
    placed = run_policy(sized).kpis["orders"]

    assert abs(placed - asked) <= 0.15 * asked, placed


def test_in_the_launch_sizing_demand_alone_would_place_far_fewer_orders_than_asked() -> None:
    # The launch's waits, prices and caps turn most visitors away: why demand is sized by a pilot run.
    asked = 2_000
    plain = run_policy(
        rescale(load_scenario(SCENARIOS / "console_launch.yaml"), orders=asked, skus=6, days=120)
    )

    assert plain.kpis["orders"] < 0.6 * asked
