"""Experiment tracking: the only module in ``experiments`` that talks to MLflow.

One :class:`Tracker` per command: it points MLflow at the configured store (default: an SQLite file in
the data directory), keeps artifacts under the data directory rather than ``./mlruns`` in whatever
directory the command ran from, and offers parent/nested runs, figure logging and model registration.
"""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mlflow
from mlflow.exceptions import MlflowException
from mlflow.models import infer_signature
from mlflow.tracking import MlflowClient
from sqlalchemy import create_engine
from sqlalchemy.exc import SQLAlchemyError

from engine.config import Settings

logger = logging.getLogger(__name__)

_LOCAL_SCHEMES = ("sqlite:", "file:")
# What a bad, missing or unreachable tracking store raises (MLflow's own errors, its SQL store's, files')
# (ImportError: the store's database driver is not installed)
STORE_ERRORS: tuple[type[Exception], ...] = (MlflowException, SQLAlchemyError, OSError, ImportError)


@dataclass(frozen=True)
class TrackingLocation:
    """Where runs and artifacts live."""

    tracking_uri: str
    artifact_root: Path

    @property
    def is_local(self) -> bool:
        return self.tracking_uri.startswith(_LOCAL_SCHEMES) or "://" not in self.tracking_uri


def tracking_location(settings: Settings) -> TrackingLocation:
    """The store named by the settings; its SQLite folder and the artifact folder exist afterwards."""
    uri = settings.resolved_mlflow_tracking_uri
    artifact_root = (settings.data_dir / "mlartifacts").resolve()
    location = TrackingLocation(tracking_uri=uri, artifact_root=artifact_root)
    if location.is_local:
        artifact_root.mkdir(parents=True, exist_ok=True)
        if uri.startswith("sqlite:///"):
            Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return location


def ui_command(location: TrackingLocation, *, host: str = "127.0.0.1", port: int = 5000) -> list[str]:
    """The command line that starts the MLflow UI on the same store and artifacts as the runs."""
    artifacts = location.artifact_root.as_uri()
    return [
        sys.executable,
        "-m",
        "mlflow",
        "ui",
        "--backend-store-uri",
        location.tracking_uri,
        "--default-artifact-root",
        artifacts,
        "--artifacts-destination",
        artifacts,
        "--host",
        host,
        "--port",
        str(port),
    ]


class RunHandle:
    """An open run: log parameters, metrics, figures and dictionaries to it."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id

    def log_params(self, params: Mapping[str, Any]) -> None:
        mlflow.log_params({key: _param_value(value) for key, value in params.items()})

    def log_metrics(self, metrics: Mapping[str, float]) -> None:
        mlflow.log_metrics({key: float(value) for key, value in metrics.items()})

    def log_figure(self, figure: Any, file_name: str) -> None:
        mlflow.log_figure(figure, f"plots/{file_name}")

    def log_dict(self, data: Mapping[str, Any], file_name: str) -> None:
        mlflow.log_dict(dict(data), file_name)


class Tracker:
    """Parent and nested MLflow runs in one experiment, on one store."""

    def __init__(self, location: TrackingLocation) -> None:
        self.location = location
        mlflow.set_tracking_uri(location.tracking_uri)
        mlflow.set_registry_uri(location.tracking_uri)
        self._client = MlflowClient(tracking_uri=location.tracking_uri, registry_uri=location.tracking_uri)
        self._experiment_id: str | None = None

    def check(self) -> None:
        """Reach the store once (one of :data:`STORE_ERRORS` if it cannot be used)."""
        self._client.search_experiments(max_results=1)

    @contextmanager
    def parent_run(self, experiment: str, run_name: str, params: Mapping[str, Any]) -> Iterator[RunHandle]:
        """Open the run of one command; nested runs opened inside belong to it."""
        self._experiment_id = self._ensure_experiment(experiment)
        with mlflow.start_run(experiment_id=self._experiment_id, run_name=run_name) as run:
            handle = RunHandle(run.info.run_id)
            handle.log_params(params)
            yield handle

    @contextmanager
    def nested_run(self, run_name: str, params: Mapping[str, Any]) -> Iterator[RunHandle]:
        """A child of the active parent run (one per series, scenario or model)."""
        if self._experiment_id is None:
            raise RuntimeError("a nested run needs an open parent run")
        # Without the explicit experiment MLflow would file the child under the Default experiment.
        with mlflow.start_run(experiment_id=self._experiment_id, run_name=run_name, nested=True) as run:
            handle = RunHandle(run.info.run_id)
            handle.log_params(params)
            yield handle

    def register_pyfunc(
        self,
        *,
        name: str,
        python_model: Any,
        model_config: Mapping[str, Any],
        input_example: Any,
        output_example: Any,
        params_example: Mapping[str, Any] | None = None,
        alias: str,
    ) -> str:
        """Log ``python_model`` in the active run, register it as ``name`` and point ``alias`` at the new
        version; returns the version."""
        signature = infer_signature(input_example, output_example, params=dict(params_example or {}))
        with warnings.catch_warnings():
            # MLflow's advice on type hints and integer columns does not apply to DataFrame pyfuncs.
            warnings.filterwarnings("ignore", category=UserWarning, module="mlflow")
            info = self._log_pyfunc(name, python_model, model_config, signature, input_example)
        version = str(info.registered_model_version)
        self._client.set_registered_model_alias(name, alias, version)
        logger.info("registered %s version %s as @%s", name, version, alias)
        return version

    def _log_pyfunc(
        self, name: str, python_model: Any, model_config: Mapping[str, Any], signature: Any, example: Any
    ) -> Any:
        return mlflow.pyfunc.log_model(
            name=name,
            python_model=python_model,
            model_config=dict(model_config),
            signature=signature,
            input_example=example,
            registered_model_name=name,
            # Explicit requirements: inferring them would load the model in a subprocess on every call.
            pip_requirements=[f"mlflow=={mlflow.__version__}", "numpy", "scipy", "pandas"],
        )

    def _ensure_experiment(self, name: str) -> str:
        existing = self._client.get_experiment_by_name(name)
        if existing is not None:
            return str(existing.experiment_id)
        artifact_location = None
        if self.location.is_local:
            artifact_location = (self.location.artifact_root / name).as_uri()
        return str(self._client.create_experiment(name, artifact_location=artifact_location))


def check_sql_store(uri: str) -> None:
    """Connect once to a PostgreSQL, MySQL or SQL Server tracking store, which MLflow itself would retry
    for minutes when the server refuses (wrong password, no such database); nothing for other stores."""
    if uri.split(":", 1)[0].split("+")[0] not in ("postgresql", "mysql", "mssql"):
        return
    engine = create_engine(uri)
    try:
        engine.connect().close()
    finally:
        engine.dispose()


def open_tracker(settings: Settings) -> Tracker:
    """A tracker on the store the settings name (``PREORDER_MLFLOW_TRACKING_URI`` or ``data_dir``)."""
    return Tracker(tracking_location(settings))


def _param_value(value: Any) -> Any:
    # MLflow params are strings of at most a few thousand characters; keep numbers readable.
    return value if isinstance(value, int | float | str | bool) else str(value)
