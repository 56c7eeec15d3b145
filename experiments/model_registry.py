"""Register the demand and pricing models in MLflow and point their ``champion`` alias at them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pandas as pd

from engine.adapters.mlflow_models import DemandPyfunc, PricingPyfunc
from engine.model_registry import (
    CHAMPION_ALIAS,
    DEMAND_MODEL_NAME,
    PRICING_MODEL_NAME,
    DemandModelConfig,
    PricingPolicyConfig,
)
from experiments.forecast_backtest import LITERATURE_ANALOGUE
from experiments.tracking import Tracker
from optimizers.demand import BassPrior, fit_bass
from optimizers.pricing_simulation import MarketSettings

EXPERIMENT = "model-registry"


@dataclass(frozen=True)
class RegisteredChampions:
    run_id: str
    demand_version: str
    pricing_version: str


def demand_config_from_series(
    series: Mapping[str, Sequence[float]] | None, *, seed: int = 0
) -> DemandModelConfig:
    """A Bass forecaster whose prior is the analogues' geometric mean (the literature's without data)."""
    analogues = [fit_bass(values).parameters for values in (series or {}).values()]
    prior = BassPrior.from_analogues(analogues or [LITERATURE_ANALOGUE])
    return DemandModelConfig(
        prior_p=prior.p,
        prior_q=prior.q,
        prior_m=prior.m,
        weight_p=prior.weight_p,
        weight_q=prior.weight_q,
        weight_m=prior.weight_m,
        seed=seed,
    )


def pricing_config_from_market(market: MarketSettings) -> PricingPolicyConfig:
    """The scarcity pricer the pricing backtest evaluated, with its guardrails."""
    rails = market.guardrails
    return PricingPolicyConfig(
        reference_price=market.list_price,
        elasticity=market.elasticity,
        floor=rails.floor,
        ceiling=rails.ceiling,
        max_change=rails.max_change,
        min_periods_between_changes=rails.min_periods_between_changes,
        min_change=rails.min_change,
    )


def register_champions(
    tracker: Tracker, *, demand: DemandModelConfig, pricing: PricingPolicyConfig
) -> RegisteredChampions:
    """Register ``preorder-demand`` and ``preorder-pricing`` in one run and make both the champion."""
    params = {f"demand_{k}": v for k, v in demand.as_dict().items()}
    params |= {f"pricing_{k}": v for k, v in pricing.as_dict().items()}
    with tracker.parent_run(EXPERIMENT, "register-models", params) as run:
        demand_input = pd.DataFrame({"sales": [5.0, 12.0, 20.0, 31.0]})
        demand_version = tracker.register_pyfunc(
            name=DEMAND_MODEL_NAME,
            python_model=DemandPyfunc(),
            model_config=demand.as_dict(),
            input_example=demand_input,
            output_example=_example_output(DemandPyfunc(), demand.as_dict(), demand_input, {"horizon": 3}),
            params_example={"horizon": 3},
            alias=CHAMPION_ALIAS,
        )
        pricing_input = pd.DataFrame(
            {
                "remaining_units": [400.0, 50.0],
                "expected_arrivals": [300.0, 200.0],
                "current_price": [pricing.reference_price, pricing.reference_price],
                "periods_since_change": [5.0, 5.0],
            }
        )
        pricing_version = tracker.register_pyfunc(
            name=PRICING_MODEL_NAME,
            python_model=PricingPyfunc(),
            model_config=pricing.as_dict(),
            input_example=pricing_input,
            output_example=_example_output(PricingPyfunc(), pricing.as_dict(), pricing_input, None),
            alias=CHAMPION_ALIAS,
        )
        return RegisteredChampions(run.run_id, demand_version, pricing_version)


def _example_output(
    model: Any, config: dict[str, Any], frame: pd.DataFrame, params: dict[str, Any] | None
) -> Any:
    # The signature's output example comes from the very wrapper that will be registered.
    model.load_context(SimpleNamespace(model_config=config))
    return model.predict(None, frame, params)
