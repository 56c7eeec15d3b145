"""The MLflow store for the experiment commands: reached once before any work, quiet, and one line when it
cannot be used."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from engine.cli.errors import fail, first_line, hiding_url, settings_or_fail, shown_url
from engine.reachability import url_unreachable

if TYPE_CHECKING:
    from experiments.tracking import Tracker

T = TypeVar("T")
_STORE_PORTS = {"http": 80, "https": 443, "postgresql": 5432, "mysql": 3306, "mssql": 1433}


def tracker_or_fail() -> Tracker:
    """The MLflow tracker the settings name, reached once before any work, or one line saying why not."""
    from experiments.tracking import STORE_ERRORS, check_sql_store, open_tracker

    settings = settings_or_fail()
    quiet_mlflow()
    uri = settings.resolved_mlflow_tracking_uri
    reason = url_unreachable(uri, default_ports=_STORE_PORTS)  # MLflow would retry for minutes
    if reason is not None:
        fail(f"cannot use the MLflow store {shown_url(uri)}: {reason}")
    opening: tuple[type[Exception], ...] = (*STORE_ERRORS, ValueError)  # ValueError: a port not a number
    try:
        check_sql_store(uri)
        tracker = open_tracker(settings)
        tracker.check()
    except opening as bad:
        fail(f"cannot use the MLflow store {shown_url(uri)}: {hiding_url(first_line(bad), uri)}")
    return tracker


def tracked_or_fail(log: Callable[[], T]) -> T:
    """What ``log`` returns, or one line saying why the store refused it."""
    from experiments.tracking import STORE_ERRORS

    try:
        return log()
    except STORE_ERRORS as bad:
        fail(f"cannot log to MLflow: {first_line(bad)}")


def quiet_mlflow() -> None:
    # MLflow logs store migrations at INFO on every first use; the user asked for a table, not those.
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
