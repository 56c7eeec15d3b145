"""The same agents hosted as Ray actors decide exactly what they decide in process."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import ray
from catalog_builders import lanes_body, order_body, plan_body, product_body

from agents.allocation import AllocationAgent
from agents.logistics import LogisticsAgent
from agents.pricing import PricingAgent
from agents.ray_hosting import RayAgentRuntime
from agents.runtime import AgentRuntime
from api.schemas import PreorderCreate
from engine.bootstrap import PreorderEngine, bootstrap_in_memory
from engine.catalog_input import CatalogIn
from engine.clock import ManualClock
from engine.config import Settings
from engine.domain.errors import DomainError
from engine.model_registry import PricingPolicyConfig, ScarcityPricingModel
from engine.service.commands import PlacePreorder

START = datetime(2026, 12, 1, 18, tzinfo=UTC)


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def world() -> tuple[PreorderEngine, ManualClock, list]:  # type: ignore[type-arg]
    clock = ManualClock(START)
    engine = bootstrap_in_memory(Settings(), clock=clock)
    body = product_body(cap=300, facility="DC", closes_at="2027-01-30T00:00:00Z")
    engine.load_catalog(
        CatalogIn.model_validate(
            {
                "products": [{**body, "sku": "HOT", "supply_plan": plan_body(("R-1", 300, "2027-02-01", 2))}],
                "lanes": lanes_body("DC")["lanes"],
            }
        )
    )
    engine.issue_key("shop", frozenset({"orders:write"}))
    model = ScarcityPricingModel(
        PricingPolicyConfig(reference_price=100, elasticity=2, floor=80, ceiling=160)
    )
    agents = [AllocationAgent(), PricingAgent(model=model, elasticity=2.0), LogisticsAgent(time_limit_s=1)]
    return engine, clock, agents


def season(runtime: AgentRuntime, engine: PreorderEngine, clock: ManualClock) -> list[tuple[str, str, str]]:
    for day in range(12):
        for i in range(8 + day):
            channel = "web" if i % 3 else "pos"
            intent = PreorderCreate.model_validate(order_body("HOT", customer=f"c{day}-{i}", channel=channel))
            with contextlib.suppress(DomainError):  # sold out or over a channel quota: a refused customer
                engine.place(PlacePreorder("shop", intent.to_intent()))
        if day == 5:
            engine.receive("HOT", quantity=40, reference="R-IN", received_at=None, lot_id=None)
        runtime.tick()
        clock.advance(timedelta(days=1))
    return [(d.agent, d.kind, d.reason) for d in engine.decisions(limit=500)]


def test_agents_on_ray_take_the_same_decisions_as_in_process(local_ray: None) -> None:
    engine, clock, agents = world()
    in_process = season(AgentRuntime(engine, agents), engine, clock)
    engine, clock, agents = world()
    runtime = RayAgentRuntime(engine, agents)
    try:
        on_ray = season(runtime, engine, clock)
    finally:
        runtime.close()
    kinds = {kind for _, kind, _ in in_process}
    assert {"price_changed", "shipment_dispatched"} <= kinds, kinds
    assert on_ray == in_process
