"""The live agent set of ``preorder serve``: the champion pricing model when one is registered."""

from __future__ import annotations

import logging
from datetime import timedelta

from agents.allocation import AllocationAgent
from agents.base import Agent
from agents.intake import IntakeAgent
from agents.logistics import LogisticsAgent
from agents.pricing import PricingAgent
from engine.config import Settings
from engine.model_registry import PricingModel, PricingPolicyConfig, ScarcityPricingModel

log = logging.getLogger(__name__)
FALLBACK_PRICING = PricingPolicyConfig(reference_price=100.0, elasticity=2.0, floor=80.0, ceiling=160.0)


def champion_pricing(settings: Settings) -> tuple[PricingModel, float]:
    """The registered champion, or the default scarcity policy when none is registered yet."""
    try:
        from engine.adapters.mlflow_models import MlflowChampionModels

        model = MlflowChampionModels(settings.resolved_mlflow_tracking_uri).load_pricing()
        elasticity = getattr(getattr(model, "config", None), "elasticity", FALLBACK_PRICING.elasticity)
        return model, float(elasticity)
    except Exception as missing:  # no registry or no champion: price by the default policy
        log.info("no champion pricing model (%s); using the default scarcity policy", missing)
        return ScarcityPricingModel(FALLBACK_PRICING), FALLBACK_PRICING.elasticity


def live_agents(settings: Settings) -> list[Agent]:
    model, elasticity = champion_pricing(settings)
    return [
        IntakeAgent(),
        AllocationAgent(),
        PricingAgent(
            model=model, elasticity=elasticity, min_history=timedelta(hours=settings.agent_min_history_hours)
        ),
        LogisticsAgent(cut_off_hour=settings.cut_off_hour),
    ]
