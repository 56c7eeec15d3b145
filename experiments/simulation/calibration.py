"""Rescaling to a number of orders the engine actually accepts.

``rescale(orders=N)`` sizes demand: the Bass curves promise about N orders at list price with no wait.
Prices, displayed waits and caps then turn many visitors away (about 70% in the console launch), so a
season asked for N orders would simulate far fewer. ``rescale_to_orders`` measures that share on a
small pilot of the scenario's own products, with the same seed and policies, and sizes demand so that
about N orders are placed. Caps and lots scale with demand, so the share hardly depends on the volume;
it does depend on how much demand each SKU sees (the agents read each SKU's own sales), so the pilot
replicates the products until it has the season's demand per SKU (at most 5,000 orders in all), in two
rounds: the season's demand is the orders asked over the share let through, which the first round
estimates. At 1,000 SKUs, 100,000 asked placed 81,344 orders with one small pilot, 100,460 with this.
"""

from __future__ import annotations

from experiments.simulation.policies import ENGINE
from experiments.simulation.runner import run_policy
from experiments.simulation.scenario import Scenario, rescale

PILOT_ORDERS = 5_000
PILOT_ROUNDS = 2


def rescale_to_orders(
    scenario: Scenario,
    orders: int,
    *,
    skus: int | None = None,
    days: int | None = None,
    seed: int | None = None,
) -> Scenario:
    """The scenario at ``skus`` products and ``days`` days, with demand sized for about ``orders``
    accepted orders under the engine's policies."""
    shaped = rescale(scenario, days=days, seed=seed)
    base = len(shaped.products)
    share = 1.0
    for _ in range(PILOT_ROUNDS):
        # The pilot has the season's demand per SKU where it can: the pricing and allocation agents read
        # each SKU's own sales, so the share of visitors turned away depends on it. That demand is the
        # orders asked over the share let through, so the second round uses the first round's share.
        per_sku = orders / share / (skus or base)
        pilot_skus = min(skus or base, base * max(1, round(PILOT_ORDERS / per_sku / base)))
        pilot_size = max(1, min(round(per_sku * pilot_skus), PILOT_ORDERS))
        pilot = rescale(shaped, skus=pilot_skus, orders=pilot_size)
        accepted = run_policy(pilot, ENGINE).kpis["orders"]
        share = accepted / pilot_size if accepted > 0 else 1.0
    return rescale(shaped, skus=skus, orders=max(1, round(orders / share)))
