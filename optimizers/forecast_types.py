"""What every demand forecaster returns, so backtests and planners can treat models alike."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemandForecast:
    """Per-period demand forecast for the ``horizon`` periods after the data, with a central interval.

    ``mean``, ``lower`` and ``upper`` hold one value per future period; ``lower``/``upper`` bound the
    central ``level`` prediction interval of each period. ``total_samples`` are draws of the total demand
    over the horizon (empty when a model has no sampling distribution) for production planning.
    """

    model: str
    mean: tuple[float, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    level: float
    total_mean: float
    total_lower: float
    total_upper: float
    total_samples: tuple[float, ...] = ()

    @property
    def horizon(self) -> int:
        return len(self.mean)
