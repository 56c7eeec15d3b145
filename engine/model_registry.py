"""The port through which live agents load the current champion demand and pricing models.

Agents depend on :class:`ChampionModels` only. The MLflow adapter (``engine.adapters.mlflow_models``)
loads the registered ``champion`` versions; :class:`InMemoryChampionModels` serves tests and the
embedded default. The model classes here are plain Python over the optimizers, so a registered model and
an in-memory one with the same configuration give the same answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from optimizers.demand import BassPrior, forecast_bass
from optimizers.pricing import (
    PriceGuardrails,
    PriceResponse,
    apply_guardrails,
    target_price,
)

DEMAND_MODEL_NAME = "preorder-demand"
PRICING_MODEL_NAME = "preorder-pricing"
CHAMPION_ALIAS = "champion"


@dataclass(frozen=True)
class PriceQuery:
    """One product's situation: units left, forecast arrivals at the reference price until the window
    closes, the price shown now and how many periods ago it last changed."""

    remaining_units: float
    expected_arrivals: float
    current_price: float
    periods_since_change: int


@dataclass(frozen=True)
class DemandQuery:
    """Pre-orders per period since the window opened, and how many periods to forecast."""

    sales: tuple[float, ...]
    horizon: int


@dataclass(frozen=True)
class DemandOutlook:
    """Forecast per future period with its interval, and the total until the horizon."""

    mean: tuple[float, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    total_mean: float
    total_lower: float
    total_upper: float


class PricingModel(Protocol):
    def predict(self, queries: Sequence[PriceQuery]) -> list[float]:
        """The price to show for each query, within the model's guardrails."""
        ...


class DemandModel(Protocol):
    def predict(self, query: DemandQuery) -> DemandOutlook:
        """Forecast the next ``query.horizon`` periods from the sales so far."""
        ...


class ChampionModels(Protocol):
    def load_pricing(self) -> PricingModel:
        """The pricing model currently holding the ``champion`` alias."""
        ...

    def load_demand(self) -> DemandModel:
        """The demand model currently holding the ``champion`` alias."""
        ...


@dataclass(frozen=True)
class PricingPolicyConfig:
    """Everything a scarcity pricer needs: the price response it assumes and the merchant's guardrails."""

    reference_price: float
    elasticity: float
    floor: float
    ceiling: float
    max_change: float = 0.10
    min_periods_between_changes: int = 3
    min_change: float = 0.01

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class DemandModelConfig:
    """A Bass forecaster: the analogues' prior, the interval level and the bootstrap that draws it."""

    prior_p: float
    prior_q: float
    prior_m: float
    weight_p: float = 4.0
    weight_q: float = 4.0
    weight_m: float = 0.0
    level: float = 0.8
    n_bootstrap: int = 200
    seed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class ScarcityPricingModel:
    """Scarcity pricing (``optimizers.pricing``) behind the :class:`PricingModel` port."""

    def __init__(self, config: PricingPolicyConfig) -> None:
        self.config = config
        self._response = PriceResponse(config.reference_price, config.elasticity)
        self._guardrails = PriceGuardrails(
            floor=config.floor,
            ceiling=config.ceiling,
            max_change=config.max_change,
            min_periods_between_changes=config.min_periods_between_changes,
            min_change=config.min_change,
        )

    def predict(self, queries: Sequence[PriceQuery]) -> list[float]:
        """Every query in one vectorised pass (the same arithmetic as ``recommend_price``)."""
        if not queries:
            return []
        target = target_price(
            [q.remaining_units for q in queries],
            [q.expected_arrivals for q in queries],
            self._response,
            self._guardrails,
        )
        prices = apply_guardrails(
            target,
            [q.current_price for q in queries],
            [q.periods_since_change for q in queries],
            self._guardrails,
        )
        return [float(price) for price in prices]


class BassDemandModel:
    """Bass forecasting with priors (``optimizers.demand``) behind the :class:`DemandModel` port."""

    def __init__(self, config: DemandModelConfig) -> None:
        self.config = config
        self._prior = BassPrior(
            p=config.prior_p,
            q=config.prior_q,
            m=config.prior_m,
            weight_p=config.weight_p,
            weight_q=config.weight_q,
            weight_m=config.weight_m,
        )

    def predict(self, query: DemandQuery) -> DemandOutlook:
        forecast = forecast_bass(
            query.sales,
            query.horizon,
            prior=self._prior,
            level=self.config.level,
            n_bootstrap=self.config.n_bootstrap,
            seed=self.config.seed,
        )
        return DemandOutlook(
            mean=forecast.mean,
            lower=forecast.lower,
            upper=forecast.upper,
            total_mean=forecast.total_mean,
            total_lower=forecast.total_lower,
            total_upper=forecast.total_upper,
        )


@dataclass
class InMemoryChampionModels:
    """Champions held in memory: the fake for tests and the default when no registry is configured."""

    pricing: PricingModel
    demand: DemandModel

    def load_pricing(self) -> PricingModel:
        return self.pricing

    def load_demand(self) -> DemandModel:
        return self.demand
