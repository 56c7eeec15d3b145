"""Registering the demand and pricing models, loading the champions through the engine port, the UI."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from mlflow.tracking import MlflowClient
from reference_data import DATA as REFERENCE
from typer.testing import CliRunner

from engine.adapters.mlflow_models import MlflowChampionModels
from engine.config import Settings
from engine.model_registry import (
    BassDemandModel,
    DemandQuery,
    InMemoryChampionModels,
    PriceQuery,
    ScarcityPricingModel,
)
from experiments.cli import register
from experiments.forecast_backtest import load_series
from experiments.model_registry import demand_config_from_series, pricing_config_from_market
from experiments.tracking import tracking_location, ui_command
from optimizers.pricing_simulation import MarketSettings

DATA = REFERENCE / "bass" / "bass_series.csv"
QUERIES = [
    PriceQuery(remaining_units=100.0, expected_arrivals=300.0, current_price=100.0, periods_since_change=5),
    PriceQuery(remaining_units=900.0, expected_arrivals=300.0, current_price=100.0, periods_since_change=5),
    PriceQuery(remaining_units=100.0, expected_arrivals=300.0, current_price=100.0, periods_since_change=0),
]
EARLY_SALES = DemandQuery(sales=(747.0, 1480.0, 2646.0, 5118.0), horizon=4)


@pytest.fixture(scope="module")
def registered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, Any]]]:
    """Register both models once, with the real series as the demand prior's analogues."""
    root = tmp_path_factory.mktemp("registry")
    uri = f"sqlite:///{root / 'mlflow.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PREORDER_DATA_DIR", str(root / "var"))
        patch.setenv("PREORDER_MLFLOW_TRACKING_URI", uri)
        app = typer.Typer()
        register(app)
        result = CliRunner().invoke(app, ["models", "register", "--data", str(DATA), "--json"])
        assert result.exit_code == 0, result.stderr
        yield uri, json.loads(result.stdout)


def test_register_creates_both_models_with_the_champion_alias(
    registered: tuple[str, dict[str, Any]],
) -> None:
    # given the models registered by the command
    uri, output = registered
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    # then each name has a version that the champion alias points at, logged in the command's run
    for name in ("preorder-demand", "preorder-pricing"):
        champion = client.get_model_version_by_alias(name, "champion")
        assert champion.run_id == output["run_id"]
        assert {"name": name, "version": str(champion.version), "alias": "champion"} in output["models"]


def test_the_champion_pricing_model_loaded_through_the_port_prices_like_the_in_memory_one(
    registered: tuple[str, dict[str, Any]],
) -> None:
    # given the champion loaded through the MLflow adapter and the in-memory model with the same config
    uri, _ = registered
    loaded = MlflowChampionModels(uri).load_pricing()
    in_memory = ScarcityPricingModel(pricing_config_from_market(MarketSettings()))
    # when both price the same situations, then they agree exactly (scarce: up; plenty: down; too soon: hold)
    prices = loaded.predict(QUERIES)
    assert prices == in_memory.predict(QUERIES)
    assert prices[0] > 100.0 > prices[1] and prices[2] == 100.0


def test_the_champion_demand_model_loaded_through_the_port_forecasts_like_the_in_memory_one(
    registered: tuple[str, dict[str, Any]],
) -> None:
    uri, _ = registered
    loaded = MlflowChampionModels(uri).load_demand()
    in_memory = BassDemandModel(demand_config_from_series(load_series(DATA)))
    assert loaded.predict(EARLY_SALES) == in_memory.predict(EARLY_SALES)


def test_the_in_memory_fake_serves_whatever_champions_it_holds() -> None:
    pricing = ScarcityPricingModel(pricing_config_from_market(MarketSettings()))
    demand = BassDemandModel(demand_config_from_series(None))
    champions = InMemoryChampionModels(pricing=pricing, demand=demand)
    assert champions.load_pricing() is pricing and champions.load_demand() is demand


def test_tracking_ui_command_uses_the_same_store_and_artifact_folder(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, mlflow_tracking_uri=f"sqlite:///{tmp_path / 'm.db'}")
    command = ui_command(tracking_location(settings), port=5123)
    assert command[command.index("--backend-store-uri") + 1] == f"sqlite:///{tmp_path / 'm.db'}"
    assert (
        command[command.index("--default-artifact-root") + 1] == (tmp_path / "mlartifacts").resolve().as_uri()
    )
    assert command[-4:] == ["--host", "127.0.0.1", "--port", "5123"]


def test_tracking_ui_starts_and_answers_on_a_free_loopback_port(tmp_path: Path) -> None:
    # given a free port and an empty store
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = os.environ | {
        "PREORDER_DATA_DIR": str(tmp_path),
        "PREORDER_MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'ui.db'}",
    }
    script = "import typer; from experiments.cli import register; app = typer.Typer(); register(app); app()"
    # when the command starts (in its own session, so the test can stop the UI and all its workers)
    process = subprocess.Popen(
        [sys.executable, "-c", script, "tracking-ui", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        # then the UI answers its health check within a minute
        deadline, answer = time.monotonic() + 60, ""
        while time.monotonic() < deadline and not answer:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
                    answer = response.read().decode()
            except OSError:
                time.sleep(0.5)
        assert answer == "OK"
    finally:
        # The UI's job workers share its session; stop them all, and do not wait long for a polite exit.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_the_model_wrappers_are_defined_without_an_mlflow_warning() -> None:
    """``preorder models register`` used to print MLflow's "Add type hints" warning: MLflow checks the
    wrappers' ``predict`` signatures when their classes are defined."""
    imported = subprocess.run(
        [sys.executable, "-W", "always", "-c", "import engine.adapters.mlflow_models"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr
    assert "Warning" not in imported.stderr, imported.stderr
