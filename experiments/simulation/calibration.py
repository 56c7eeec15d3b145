"""Rescaling to a number of orders the engine actually accepts.

``rescale(orders=N)`` sizes demand: the Bass curves promise about N orders at list price with no wait.
Prices, displayed waits and caps then turn many visitors away (about 70% in the console launch), so a
season asked for N orders would simulate far fewer. ``rescale_to_orders`` measures that share on a
small pilot of the scenario's own products, with the same seed and policies, and sizes demand so that
about N orders are placed. Caps and lots scale with demand, so the share hardly depends on the volume.
"""

from __future__ import annotations

from experiments.simulation.policies import ENGINE
from experiments.simulation.runner import run_policy
from experiments.simulation.scenario import Scenario, rescale

PILOT_ORDERS = 5_000


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
    pilot_size = min(orders, PILOT_ORDERS)
    accepted = run_policy(rescale(shaped, orders=pilot_size), ENGINE).kpis["orders"]
    share = accepted / pilot_size if accepted > 0 else 1.0
    return rescale(shaped, skus=skus, orders=max(1, round(orders / share)))
