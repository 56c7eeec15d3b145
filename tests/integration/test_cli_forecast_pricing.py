"""The forecast and pricing backtest commands: JSON output, terminal tables and their MLflow runs."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from mlflow.tracking import MlflowClient
from reference_data import DATA as REFERENCE
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from experiments.cli import register
from experiments.forecast_backtest import MAX_PERIODS, MAX_SERIES, MAX_SERIES_PER_RUN

DATA = REFERENCE / "bass" / "bass_series.csv"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One temporary tracking store (and data dir) shared by the module: MLflow setup is slow."""
    root = tmp_path_factory.mktemp("tracking")
    uri = f"sqlite:///{root / 'mlflow.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PREORDER_DATA_DIR", str(root / "var"))
        patch.setenv("PREORDER_MLFLOW_TRACKING_URI", uri)
        yield uri


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    root = typer.Typer()
    register(root)
    return root


def _invoke(app: typer.Typer, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def forecast_json(app: typer.Typer, store: str) -> dict[str, object]:
    code, out, err = _invoke(app, "forecast", "backtest", "--data", str(DATA), "--bootstrap", "10", "--json")
    assert code == 0, err
    return dict(json.loads(out))


@pytest.fixture(scope="module")
def pricing_json(app: typer.Typer, store: str) -> dict[str, object]:
    code, out, err = _invoke(app, "pricing", "backtest", "--seed", "3", "--trials", "60", "--json")
    assert code == 0, err
    return dict(json.loads(out))


def _children(store: str, run_id: str) -> list[Any]:
    client = MlflowClient(tracking_uri=store)
    parent = client.get_run(run_id)
    return list(
        client.search_runs([parent.info.experiment_id], filter_string=f"tags.mlflow.parentRunId = '{run_id}'")
    )


def test_forecast_backtest_json_has_one_result_per_series_and_model(forecast_json: dict[str, object]) -> None:
    # given the three real series, when backtested with --json
    results = forecast_json["results"]
    assert isinstance(results, list)
    # then there is one entry per series and model with exactly the promised fields
    assert {(r["series"], r["model"]) for r in results} == {
        (s, m)
        for s in ("room_air_conditioners", "color_televisions", "clothes_dryers")
        for m in ("bass", "bass_prior", "holt", "linear_trend")
    }
    assert all(set(r) == {"series", "model", "wape", "bias", "coverage"} for r in results)
    # and Bass with analogue priors beats Holt on at least two of the three series
    wape = {(r["series"], r["model"]): r["wape"] for r in results}
    series = {r["series"] for r in results}
    assert sum(wape[(s, "bass_prior")] < wape[(s, "holt")] for s in series) >= 2


def test_forecast_backtest_logs_a_parent_run_with_a_nested_run_metrics_and_plot_per_series(
    forecast_json: dict[str, object], store: str
) -> None:
    # given the run id the command printed
    run_id = str(forecast_json["run_id"])
    client = MlflowClient(tracking_uri=store)
    # then the parent run holds summary metrics and one child per series with metrics and a PNG
    assert "bass_prior_mean_wape" in client.get_run(run_id).data.metrics
    children = _children(store, run_id)
    assert sorted(c.info.run_name for c in children) == sorted(
        ["room_air_conditioners", "color_televisions", "clothes_dryers"]
    )
    for child in children:
        assert {"bass_wape", "holt_bias", "bass_prior_coverage"} <= set(child.data.metrics)
        plots = [a.path for a in client.list_artifacts(child.info.run_id, "plots")]
        assert plots == [f"plots/{child.info.run_name}_forecast.png"]


def test_pricing_backtest_json_has_the_promised_fields_per_scenario(pricing_json: dict[str, object]) -> None:
    scenarios = pricing_json["scenarios"]
    assert isinstance(scenarios, list)
    assert [s["name"] for s in scenarios] == ["weak", "soft", "matched", "strong", "very_strong"]
    assert all(
        set(s)
        == {
            "name",
            "demand_to_capacity",
            "revenue_static",
            "revenue_scarcity",
            "units_static",
            "units_scarcity",
            "sellout_day_static",
            "sellout_day_scarcity",
        }
        for s in scenarios
    )
    # where demand exceeds the run, scarcity pricing earns more
    assert all(s["revenue_scarcity"] > s["revenue_static"] for s in scenarios if s["demand_to_capacity"] > 1)


def test_pricing_backtest_logs_a_nested_run_with_a_price_path_plot_per_scenario(
    pricing_json: dict[str, object], store: str
) -> None:
    client = MlflowClient(tracking_uri=store)
    children = _children(store, str(pricing_json["run_id"]))
    assert len(children) == 5
    for child in children:
        assert {"revenue_static", "revenue_scarcity", "revenue_lift"} <= set(child.data.metrics)
        assert child.data.params["demand_to_capacity"]
        plots = [a.path for a in client.list_artifacts(child.info.run_id, "plots")]
        assert plots == [f"plots/{child.info.run_name}_price_path.png"]


def test_artifacts_land_in_the_data_directory_not_in_the_working_directory(
    pricing_json: dict[str, object], store: str
) -> None:
    run = MlflowClient(tracking_uri=store).get_run(str(pricing_json["run_id"]))
    data_dir = Path(__import__("os").environ["PREORDER_DATA_DIR"]).resolve()
    assert run.info.artifact_uri.startswith((data_dir / "mlartifacts").as_uri())


def test_the_table_output_names_the_series_and_the_mlflow_run(app: typer.Typer, store: str) -> None:
    code, out, _ = _invoke(
        app, "forecast", "backtest", "--data", str(DATA), "--series", "clothes_dryers", "--bootstrap", "10"
    )
    assert code == 0
    assert "clothes_dryers" in out and "bass_prior" in out and "MLflow run" in out
    assert "room_air_conditioners" not in out


def test_a_missing_csv_is_a_one_line_error_with_exit_code_2(app: typer.Typer, store: str) -> None:
    code, out, err = _invoke(app, "forecast", "backtest", "--data", "/nonexistent/series.csv")
    assert code == 2
    assert err.strip().count("\n") == 0 and err.startswith("error: no such file")
    assert "Traceback" not in out + err


def test_an_unknown_series_name_is_a_one_line_error_listing_the_known_ones(
    app: typer.Typer, store: str
) -> None:
    code, _, err = _invoke(app, "forecast", "backtest", "--data", str(DATA), "--series", "hoverboards")
    assert code == 2
    assert "unknown series hoverboards" in err and "clothes_dryers" in err


def _series_csv(path: Path, rows: Iterable[tuple[str, int, str]]) -> Path:
    path.write_text("product,period,units\n" + "".join(f"{p},{t},{v}\n" for p, t, v in rows), "utf-8")
    return path


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [("a", t, "5") for t in range(MAX_PERIODS + 1)],
            f"series a has more than {MAX_PERIODS:,} periods",
        ),
        (
            [(f"s{i}", t, "5") for i in range(MAX_SERIES + 1) for t in range(4)],
            f"more than {MAX_SERIES:,} series in one file",
        ),
        ([("a", 1, "5"), ("a", 2, "nan")], "units is not a finite number"),
        (
            [(f"s{i}", t, "5") for i in range(MAX_SERIES_PER_RUN + 1) for t in range(4)],
            f"{MAX_SERIES_PER_RUN + 1} series to backtest; name at most {MAX_SERIES_PER_RUN} with --series",
        ),
    ],
    ids=["too-many-periods", "too-many-series-in-the-file", "not-finite", "too-many-to-backtest"],
)
def test_a_series_file_past_the_documented_bounds_is_a_one_line_error_before_any_fit(
    app: typer.Typer, store: str, tmp_path: Path, rows: list[tuple[str, int, str]], message: str
) -> None:
    data = _series_csv(tmp_path / "series.csv", rows)
    code, out, err = _invoke(app, "forecast", "backtest", "--data", str(data))
    assert code == 2, err
    assert err.strip().count("\n") == 0 and message in err
    assert "Traceback" not in out + err


@pytest.mark.parametrize(
    "command",
    [("forecast", "backtest", "--data", str(DATA)), ("pricing", "backtest"), ("models", "register")],
    ids=["forecast", "pricing", "models"],
)
def test_an_mlflow_store_that_cannot_be_used_is_a_one_line_error_before_any_work(
    app: typer.Typer, store: str, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    monkeypatch.setenv("PREORDER_MLFLOW_TRACKING_URI", "foo://bar")
    code, out, err = _invoke(app, *command)
    assert code == 2 and out == ""
    assert err.startswith("error: cannot use the MLflow store foo://bar: ") and err.strip().count("\n") == 0


def test_the_tracking_ui_on_a_port_already_in_use_is_a_one_line_error(app: typer.Typer, store: str) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        code, _, err = _invoke(app, "tracking-ui", "--port", str(port))
    assert code == 2
    assert err.startswith(f"error: cannot listen on 127.0.0.1:{port}: Address already in use")
    assert err.strip().count("\n") == 0


def test_an_mlflow_server_nobody_listens_on_is_a_one_line_error_not_minutes_of_retries(
    app: typer.Typer, store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as released:
        port = released.getsockname()[1]
    monkeypatch.setenv("PREORDER_MLFLOW_TRACKING_URI", f"http://127.0.0.1:{port}")
    code, _, err = _invoke(app, "pricing", "backtest", "--trials", "10")
    assert code == 2
    assert err.strip() == f"error: cannot use the MLflow store http://127.0.0.1:{port}: Connection refused"


def test_an_mlflow_sql_store_whose_server_refuses_is_a_one_line_error_not_minutes_of_retries(
    app: typer.Typer, store: str, monkeypatch: pytest.MonkeyPatch, postgres_server: str
) -> None:
    missing = make_url(postgres_server).set(database="no_such_mlflow_database")  # the server is up
    monkeypatch.setenv("PREORDER_MLFLOW_TRACKING_URI", missing.render_as_string(hide_password=False))
    code, _, err = _invoke(app, "pricing", "backtest", "--trials", "10")
    assert code == 2
    shown = missing.render_as_string(hide_password=True)
    assert err.startswith(f"error: cannot use the MLflow store {shown}: (psycopg.OperationalError) ")
    assert 'database "no_such_mlflow_database" does not exist' in err and err.strip().count("\n") == 0
