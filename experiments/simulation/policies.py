"""The engine's policies and the simpler baselines each is compared with."""

from __future__ import annotations

from dataclasses import dataclass

from agents.allocation import AllocationAgent
from agents.base import Agent
from agents.demand_trend import AdoptionShape
from agents.logistics import LogisticsAgent, ParcelTariff
from agents.pricing import PricingAgent
from engine.model_registry import PricingPolicyConfig, ScarcityPricingModel
from experiments.simulation.scenario import Scenario


@dataclass(frozen=True)
class PolicySet:
    """Which policies run; every switch off is one of the baselines of issue 6."""

    name: str
    scarcity_pricing: bool = True
    engine_promise: bool = True  # False: promise a fixed lead time and show it as the wait
    consolidation: bool = True  # False: one parcel per order
    preorders: bool = True  # False: sell only from units on hand; the rest of demand is lost


ENGINE = PolicySet("engine")
BASELINES = (
    PolicySet("static_pricing", scarcity_pricing=False),
    PolicySet("naive_promise", engine_promise=False),
    PolicySet("one_parcel_per_order", consolidation=False),
    PolicySet("preorders_off", preorders=False),
)
# The KPI each engine policy exists to improve, by the baseline that lacks it.
PURPOSE = {
    "static_pricing": "revenue",
    "naive_promise": "on_time_rate",
    "one_parcel_per_order": "logistics_cost_per_unit",
    "preorders_off": "units",
}


def build_agents(scenario: Scenario, policy: PolicySet) -> list[Agent]:
    """The production agent classes, configured from the scenario, with the policy's switches."""
    rules = scenario.policies
    agents: list[Agent] = [AllocationAgent()]
    if policy.scarcity_pricing:
        elasticity = scenario.demand.elasticity
        config = PricingPolicyConfig(
            reference_price=100.0,  # the pricing agent prices on an index where list price is 100
            elasticity=elasticity,
            floor=100.0 * rules.price_floor,
            ceiling=100.0 * rules.price_ceiling,
            max_change=rules.price_max_change,
            min_periods_between_changes=rules.price_min_days_between_changes,
        )
        # The shape of each product's adoption curve stands for what analogous launches tell the
        # strategy team; the market size, and so the demand still to come, the agent reads from sales.
        shapes = {p.sku: AdoptionShape(p.demand.p, p.demand.q) for p in scenario.products}
        agents.append(PricingAgent(model=ScarcityPricingModel(config), elasticity=elasticity, shapes=shapes))
    agents.append(
        LogisticsAgent(
            cut_off_hour=rules.cut_off_hour,
            consolidate=policy.consolidation,
            time_limit_s=rules.consolidation_time_limit_s,
            parcel=ParcelTariff(rules.parcel_base_cost, rules.parcel_cost_per_kg, rules.parcel_cost_per_km),
        )
    )
    return agents
