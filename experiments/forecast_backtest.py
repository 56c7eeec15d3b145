"""Forecast backtest over adoption series: Bass (with and without analogue priors) against baselines."""

from __future__ import annotations

import csv
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

from experiments.plots import forecast_figure
from experiments.tracking import Tracker
from optimizers.demand import BassParameters, BassPrior, fit_bass, forecast_bass
from optimizers.demand_backtest import BacktestScore, Forecaster, rolling_origin_backtest
from optimizers.forecast_baselines import forecast_holt, forecast_linear_trend

logger = logging.getLogger(__name__)

EXPERIMENT = "forecast-backtest"
MODELS = ("bass", "bass_prior", "holt", "linear_trend")
# Meta-analysis means of 213 published Bass fits (Sultan, Farley & Lehmann 1990): the analogue of last
# resort when a file holds a single series.
LITERATURE_ANALOGUE = BassParameters(p=0.03, q=0.38, m=1.0)
# Bounds that keep one run to minutes (each origin costs two bootstrapped Bass fits, ~0.2-4 s): a longer
# series is scored from this many origins spread over its second half; more series need ``--series``.
MAX_ORIGINS = 52
MAX_PERIODS = 10_000
MAX_SERIES = 1_000  # in one file: each is fitted once as an analogue of the others
MAX_SERIES_PER_RUN = 20


class SeriesDataError(ValueError):
    """The series file is missing, unreadable or holds no usable series."""


@dataclass(frozen=True)
class SeriesResult:
    """One model on one series: the figures the CLI prints and the JSON carries."""

    series: str
    model: str
    wape: float
    bias: float
    coverage: float


@dataclass(frozen=True)
class ForecastBacktestReport:
    """Scores per series and model, with the inputs that produced them."""

    series: Mapping[str, tuple[float, ...]]
    first_origins: Mapping[str, int]
    priors: Mapping[str, BassPrior]
    scores: Mapping[str, Mapping[str, BacktestScore]]
    level: float
    n_bootstrap: int
    seed: int

    @property
    def results(self) -> list[SeriesResult]:
        return [
            SeriesResult(series=name, model=model, wape=s.wape, bias=s.bias, coverage=s.coverage)
            for name, by_model in self.scores.items()
            for model, s in by_model.items()
        ]


def load_series(path: Path) -> dict[str, tuple[float, ...]]:
    """Series from a CSV with a ``product`` (or ``series``) column and the per-period value last, in file
    order per series."""
    if not path.is_file():
        raise SeriesDataError(f"{'a folder, not a file' if path.is_dir() else 'no such file'}: {path}")
    series: dict[str, list[float]] = {}
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            fields = reader.fieldnames or []
            key = next((f for f in ("product", "series") if f in fields), None)
            if key is None or len(fields) < 2:
                raise SeriesDataError(f"{path} needs a 'product' or 'series' column and a value column")
            value_field = fields[-1]
            for line, row in enumerate(reader, start=2):
                try:
                    value = float(row[value_field])
                except (TypeError, ValueError) as exc:
                    raise SeriesDataError(f"{path}:{line}: {value_field} is not a number") from exc
                if not math.isfinite(value):
                    raise SeriesDataError(f"{path}:{line}: {value_field} is not a finite number")
                periods = series.setdefault(row[key], [])
                if len(series) > MAX_SERIES:
                    raise SeriesDataError(f"{path}:{line}: more than {MAX_SERIES:,} series in one file")
                if len(periods) == MAX_PERIODS:
                    raise SeriesDataError(
                        f"{path}:{line}: series {row[key]} has more than {MAX_PERIODS:,} periods"
                    )
                periods.append(value)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise SeriesDataError(f"cannot read {path}: {exc}") from exc
    if not series:
        raise SeriesDataError(f"{path} holds no series")
    return {name: tuple(values) for name, values in series.items()}


def analogue_priors(series: Mapping[str, Sequence[float]], targets: Sequence[str]) -> dict[str, BassPrior]:
    """A prior for each target from full-history Bass fits of every other series (its analogous
    launches); each series is fitted once."""
    fits = {name: fit_bass(values).parameters for name, values in series.items()}
    return {
        target: BassPrior.from_analogues(
            [fit for name, fit in fits.items() if name != target] or [LITERATURE_ANALOGUE]
        )
        for target in targets
    }


def run_forecast_backtest(
    series: Mapping[str, Sequence[float]],
    *,
    names: Sequence[str] | None = None,
    level: float = 0.8,
    n_bootstrap: int = 200,
    seed: int = 0,
) -> ForecastBacktestReport:
    """Rolling-origin backtest of every model on each named series (default: all).

    Each series is fitted on its first half and forecast to its end, then the origin rolls forward one
    period at a time (at most ``MAX_ORIGINS`` origins, spread evenly, on a longer series); every model
    sees the same prefixes.
    """
    chosen = list(dict.fromkeys(series if names is None else names))
    unknown = [name for name in chosen if name not in series]
    if unknown:
        raise SeriesDataError(f"unknown series {', '.join(unknown)}; known: {', '.join(series)}")
    if len(chosen) > MAX_SERIES_PER_RUN:
        raise SeriesDataError(
            f"{len(chosen):,} series to backtest; name at most {MAX_SERIES_PER_RUN} with --series"
        )
    short = [name for name in chosen if len(series[name]) < 4]
    if short:
        raise SeriesDataError(
            f"series {short[0]} has {len(series[short[0]])} periods; a backtest needs at least 4"
        )
    scores: dict[str, dict[str, BacktestScore]] = {}
    priors = analogue_priors(series, chosen)
    origins: dict[str, int] = {}
    for name in chosen:
        values = np.asarray(series[name], dtype=float)
        prior = priors[name]
        forecasters: dict[str, Forecaster] = {
            "bass": partial(forecast_bass, level=level, n_bootstrap=n_bootstrap, seed=seed),
            "bass_prior": partial(
                forecast_bass, prior=prior, level=level, n_bootstrap=n_bootstrap, seed=seed
            ),
            "holt": partial(forecast_holt, level=level),
            "linear_trend": partial(forecast_linear_trend, level=level),
        }
        origins[name] = len(values) // 2
        scores[name] = rolling_origin_backtest(
            values, forecasters, first_origin=origins[name], max_origins=MAX_ORIGINS
        )
        logger.info("backtested %s from origin %d", name, origins[name])
    return ForecastBacktestReport(
        series={name: tuple(series[name]) for name in chosen},
        first_origins=origins,
        priors=priors,
        scores=scores,
        level=level,
        n_bootstrap=n_bootstrap,
        seed=seed,
    )


def track_forecast_backtest(report: ForecastBacktestReport, tracker: Tracker, *, data: str) -> str:
    """Log the backtest as one parent run with a nested run per series; returns the parent run id."""
    params = {"data": data, "series": ",".join(report.series), "level": report.level}
    params |= {"n_bootstrap": report.n_bootstrap, "seed": report.seed, "models": ",".join(MODELS)}
    with tracker.parent_run(EXPERIMENT, "forecast-backtest", params) as parent:
        for name, by_model in report.scores.items():
            prior = report.priors[name]
            child_params = {"series": name, "periods": len(report.series[name])}
            child_params |= {
                "first_origin": report.first_origins[name],
                "prior_p": prior.p,
                "prior_q": prior.q,
            }
            with tracker.nested_run(name, child_params) as child:
                child.log_metrics(
                    {
                        f"{model}_{metric}": getattr(score, metric)
                        for model, score in by_model.items()
                        for metric in ("wape", "bias", "coverage")
                    }
                )
                first = {model: score.forecasts[0].forecast for model, score in by_model.items()}
                child.log_figure(
                    forecast_figure(name, report.series[name], report.first_origins[name], first),
                    f"{name}_forecast.png",
                )
        parent.log_metrics(_summary_metrics(report))
        return parent.run_id


def _summary_metrics(report: ForecastBacktestReport) -> dict[str, float]:
    metrics: dict[str, float] = {}
    for model in MODELS:
        wapes = [by_model[model].wape for by_model in report.scores.values()]
        metrics[f"{model}_mean_wape"] = float(np.mean(wapes))
    metrics["series_bass_prior_beats_holt"] = float(
        sum(by_model["bass_prior"].wape < by_model["holt"].wape for by_model in report.scores.values())
    )
    return metrics
