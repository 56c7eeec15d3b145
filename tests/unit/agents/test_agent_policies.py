"""The agents' policies, tested as plain classes on hand-made market views (no Ray, no storage)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from agents.allocation import AllocationAgent
from agents.demand_trend import AdoptionShape
from agents.logistics import LogisticsAgent, ParcelTariff
from agents.pricing import PricingAgent
from engine.model_registry import PricingPolicyConfig, ScarcityPricingModel
from engine.service.commands import DispatchShipment, RecommendProduction, SetChannelQuotas, SetPrice
from engine.service.market import MarketView, ProductState, ReadyOrder
from optimizers.consolidation_types import VehicleType

START = datetime(2026, 12, 1, 18, tzinfo=UTC)
MODEL = ScarcityPricingModel(PricingPolicyConfig(reference_price=100, elasticity=2, floor=80, ceiling=160))


def product(**changes: object) -> ProductState:
    base = ProductState(
        sku="SKU",
        list_price=500.0,
        price=500.0,
        currency="USD",
        facility="DC",
        cap_units=1000,
        units_reserved=0,
        units_queued=0,
        units_allocated=0,
        units_on_hand=0,
        planned_units=1000,
        opens_at=START - timedelta(days=1),
        closes_at=START + timedelta(days=60),
        quotas=(),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def view(day: int, placed: tuple[tuple[str, str, int], ...] = (), **changes: object) -> MarketView:
    return MarketView(
        now=START + timedelta(days=day),
        products=(product(**changes),),
        placed=placed,
        cancelled=(),
        ready_orders=(),
        cursor=day,
    )


def run(agent: object, days: int, per_day: dict[str, int], **changes: object) -> list[object]:
    """The agent's decisions over ``days`` days of steady sales; a price it sets is in the next views,
    with when it was set, as the engine would store it."""
    commands: list[object] = []
    reserved = 0
    for day in range(days):
        placed = tuple(("SKU", channel, units) for channel, units in per_day.items())
        reserved += sum(per_day.values())
        today = view(day, placed, units_reserved=reserved, units_queued=reserved, **changes)
        decided = agent.decide(today)  # type: ignore[attr-defined]
        for price in (c for c in decided if isinstance(c, SetPrice)):
            changes = {**changes, "price": float(price.price), "price_changed_at": today.now}
        commands += decided
    return commands


def test_the_price_rises_when_demand_outruns_the_run() -> None:
    commands = run(PricingAgent(model=MODEL, elasticity=2.0), 10, {"web": 60})
    prices = [float(c.price) for c in commands if isinstance(c, SetPrice)]
    assert prices and prices[0] > 500
    assert all(later >= earlier for earlier, later in itertools.pairwise(prices))


def test_the_price_falls_when_demand_is_weak_but_stays_above_the_floor() -> None:
    commands = run(PricingAgent(model=MODEL, elasticity=2.0), 10, {"web": 1})
    prices = [float(c.price) for c in commands if isinstance(c, SetPrice)]
    assert prices and prices[0] < 500
    assert min(prices) >= 400  # floor: 80% of the list price


def test_a_price_changed_yesterday_by_any_server_waits_out_the_guardrail_in_a_fresh_agent() -> None:
    # Given strong demand seen for a week, at a price the store says moved yesterday, or never
    def decides(changed_at: datetime | None) -> list[object]:
        agent = PricingAgent(model=MODEL, elasticity=2.0)  # a restarted or second server's agent
        commands: list[object] = []
        for day in range(7):
            placed = (("SKU", "web", 80),)
            state = {"units_reserved": 80 * (day + 1), "price": 550.0, "price_changed_at": changed_at}
            commands += agent.decide(view(day, placed, **state))
        return [c for c in commands if isinstance(c, SetPrice)]

    # Then the agent that never changed it moves it; the one told of yesterday's change waits
    assert decides(None)
    assert decides(START + timedelta(days=5, hours=1)) == []


def test_price_changes_respect_the_step_and_the_wait_between_changes() -> None:
    commands = [
        c for c in run(PricingAgent(model=MODEL, elasticity=2.0), 12, {"web": 80}) if isinstance(c, SetPrice)
    ]
    prices = [500.0] + [float(c.price) for c in commands]
    assert all(abs(b - a) <= 0.10 * a + 0.01 for a, b in itertools.pairwise(prices))
    assert len(commands) <= 4  # at most one change every three days over twelve days


def bass_week(agent: PricingAgent, market: float, days: int = 12) -> list[object]:
    """The agent watches ``days`` days of a launch whose sales follow a Bass curve of size ``market``
    (cap 1,000 units, window of 61 days opened the day before START)."""
    shape = AdoptionShape(p=0.02, q=0.3)
    commands: list[object] = []
    reserved = 0
    for day in range(days):
        units = round(market * (shape.share(day + 1) - shape.share(day)))
        reserved += units
        market_view = view(day, (("SKU", "web", units),), units_reserved=reserved, units_queued=reserved)
        commands += agent.decide(market_view)
    return commands


def test_with_the_adoption_curve_known_a_peak_is_not_read_as_lasting_demand() -> None:
    # Given sales rising to a peak on a curve whose whole market (800 units) fits the run of 1,000
    shape = AdoptionShape(p=0.02, q=0.3)
    flat = PricingAgent(model=MODEL, elasticity=2)
    shaped = PricingAgent(model=MODEL, elasticity=2, shapes={"SKU": shape})

    # Then extrapolating the peak's rate to the window's end raises the price; the curve does not
    assert any(c.price > 500 for c in bass_week(flat, 800))  # type: ignore[attr-defined]
    assert not any(c.price > 500 for c in bass_week(shaped, 800))  # type: ignore[attr-defined]


def test_with_the_adoption_curve_known_a_market_larger_than_the_run_still_raises_the_price() -> None:
    shaped = PricingAgent(model=MODEL, elasticity=2, shapes={"SKU": AdoptionShape(p=0.02, q=0.3)})

    commands = bass_week(shaped, 3000)

    assert commands and commands[0].price > 500  # type: ignore[attr-defined]
    assert "expected at list price" in commands[0].reason  # type: ignore[attr-defined]


def test_open_ended_products_are_not_scarcity_priced() -> None:
    assert run(PricingAgent(model=MODEL, elasticity=2.0), 5, {"web": 80}, cap_units=None) == []


def test_a_free_product_is_not_scarcity_priced_and_does_not_stop_the_agent() -> None:
    # A list price of 0 divided the price index by zero: every tick failed, for every product.
    assert run(PricingAgent(model=MODEL, elasticity=2.0), 5, {"web": 300}, list_price=0.0, price=0.0) == []


def test_quotas_split_an_oversubscribed_run_between_channels_and_sum_to_it() -> None:
    commands = run(AllocationAgent(), 3, {"web": 30, "pos": 10})
    quotas = [c for c in commands if isinstance(c, SetChannelQuotas)]
    assert quotas, commands
    shares = dict(quotas[0].quotas)
    assert set(shares) == {"web", "pos"} and sum(shares.values()) == 1000
    assert shares["web"] > shares["pos"] >= 50  # the fairness floor: at least 5% each


def test_the_allocation_agent_splits_again_at_once_when_the_stored_quotas_are_not_its_own() -> None:
    # Given the agent's split of an oversubscribed run, stored as it set it (as the engine would)
    agent, stored, splits = AllocationAgent(), (), 0
    placed = (("SKU", "web", 30), ("SKU", "pos", 10))
    for day in range(5):
        for split in (
            c for c in agent.decide(view(day, placed, quotas=stored)) if isinstance(c, SetChannelQuotas)
        ):
            stored, splits = tuple((channel, units, 0) for channel, units in split.quotas), splits + 1
    assert splits == 1  # within the week, once
    # When the engine drops them (the cap changed), the agent splits the new run the next tick
    again = agent.decide(view(5, placed, cap_units=2000, quotas=()))
    [split] = [c for c in again if isinstance(c, SetChannelQuotas)]
    assert sum(units for _, units in split.quotas) == 2000


def test_with_a_weight_on_the_worst_fill_rate_the_split_still_sums_to_the_run_with_every_floor() -> None:
    commands = run(AllocationAgent(fairness_weight=50.0), 3, {"web": 30, "pos": 10})
    quotas = [c for c in commands if isinstance(c, SetChannelQuotas)]
    assert quotas, commands
    shares = dict(quotas[0].quotas)
    assert sum(shares.values()) == 1000 and min(shares.values()) >= 50


def test_no_quota_is_set_when_the_run_covers_everyone() -> None:
    commands = run(AllocationAgent(), 5, {"web": 2, "pos": 1})
    assert not [c for c in commands if isinstance(c, SetChannelQuotas)]


def test_production_advice_says_when_the_plan_is_short_and_only_once() -> None:
    commands = run(AllocationAgent(), 8, {"web": 40}, cap_units=None, planned_units=500)
    advice = [c for c in commands if isinstance(c, RecommendProduction)]
    assert len(advice) == 1
    assert advice[0].recommended_units > 500 and "short" in advice[0].reason


def ready(order_id: str, customer: str, region: str, postal: str) -> ReadyOrder:
    return ReadyOrder(order_id, "SKU", 1, customer, "US", region, postal, START.date().toordinal() + 5)


def test_logistics_ships_allocated_orders_once_a_day_after_the_cut_off_cheaper_than_one_parcel_each() -> None:
    # Given 400 orders ready in two regions, and a parcel carrier charging 12 a parcel there
    orders = tuple(ready(f"o{i}", f"c{i % 40}", "CA" if i % 2 else "NY", f"9{i % 4}") for i in range(400))
    market = MarketView(
        now=START, products=(product(),), placed=(), cancelled=(), ready_orders=orders, cursor=0
    )
    tariff = ParcelTariff(base=12.0, per_kg=0.0, per_km=0.0)

    merged = LogisticsAgent(cut_off_hour=17, time_limit_s=2).decide(market)
    alone = LogisticsAgent(cut_off_hour=17, consolidate=False, parcel=tariff).decide(market)

    assert all(isinstance(c, DispatchShipment) for c in merged + alone)
    for shipments in (merged, alone):
        shipped = sorted(i for c in shipments for i in c.order_ids)  # type: ignore[attr-defined]
        assert shipped == sorted(o.id for o in orders)  # every order exactly once
    assert sum(c.cost for c in alone) == pytest.approx(12.0 * 400)  # type: ignore[attr-defined]
    assert sum(c.cost for c in merged) < sum(c.cost for c in alone)  # type: ignore[attr-defined]
    assert any(c.vehicle != "parcel" and len(c.order_ids) > 1 for c in merged)  # type: ignore[attr-defined]


def test_consolidation_sends_a_lone_order_as_a_parcel_when_a_vehicle_would_cost_more() -> None:
    market = MarketView(
        now=START,
        products=(product(),),
        placed=(),
        cancelled=(),
        ready_orders=(ready("o1", "c1", "CA", "90"),),
        cursor=0,
    )

    shipments = LogisticsAgent(cut_off_hour=17, time_limit_s=1).decide(market)

    assert len(shipments) == 1 and isinstance(shipments[0], DispatchShipment)
    assert shipments[0].vehicle == "parcel" and shipments[0].cost < 60  # a van's fixed cost alone is 60
    assert "as parcels" in shipments[0].reason


def test_the_one_parcel_baseline_charges_the_carrier_tariff_by_weight_and_distance() -> None:
    near, far = ready("o1", "c1", "CA", "90"), ready("o2", "c2", "NY", "91")
    market = MarketView(
        now=START, products=(product(),), placed=(), cancelled=(), ready_orders=(near, far), cursor=0
    )
    agent = LogisticsAgent(cut_off_hour=17, consolidate=False, parcel=ParcelTariff(6.0, 0.3, 0.005))

    shipments = agent.decide(market)

    # one carrier pickup per region, each order a parcel charged by its weight (5 kg) and distance
    assert [s.region for s in shipments] == ["US-CA", "US-NY"]  # type: ignore[attr-defined]
    for shipment in shipments:
        assert isinstance(shipment, DispatchShipment) and shipment.vehicle == "parcel"
        assert len(shipment.order_ids) == 1
        assert shipment.cost == pytest.approx(6.0 + 0.3 * 5.0 + 0.005 * shipment.distance)


def test_orders_the_fleet_has_no_room_for_go_as_parcels_the_same_day() -> None:
    # Given one van for 160 units (5 kg each) and 400 one-unit orders ready in one region
    van = VehicleType(
        "van", capacity_weight=800, capacity_volume=800, fixed_cost=60, cost_per_distance=0.6, count=1
    )
    orders = tuple(ready(f"o{i}", f"c{i}", "CA", f"9{i % 4}") for i in range(400))
    market = MarketView(
        now=START, products=(product(),), placed=(), cancelled=(), ready_orders=orders, cursor=0
    )

    shipments = LogisticsAgent(fleet=(van,), cut_off_hour=17, time_limit_s=1).decide(market)

    # every order leaves today, exactly once: 160 on the van, the rest with the parcel carrier
    assert all(isinstance(c, DispatchShipment) for c in shipments)
    shipped = sorted(i for c in shipments for i in c.order_ids)  # type: ignore[attr-defined]
    assert shipped == sorted(o.id for o in orders)
    on_van = [c for c in shipments if c.vehicle == "van"]  # type: ignore[attr-defined]
    assert [len(c.order_ids) for c in on_van] == [160]  # type: ignore[attr-defined]
    overflow = [c for c in shipments if "no vehicle left" in c.reason]  # type: ignore[attr-defined]
    assert len(overflow) == 1 and overflow[0].vehicle == "parcel"  # type: ignore[attr-defined]
    assert len(overflow[0].order_ids) == 240  # type: ignore[attr-defined]


def test_an_order_larger_than_any_vehicle_ships_alone_as_hired_freight_the_same_day() -> None:
    # 900 units of 5 kg: 4,500 kg against the largest vehicle's 4,000. It used to stay allocated for good.
    big = ready("big", "c1", "CA", "90")._replace(units=900)
    market = MarketView(
        now=START,
        products=(product(),),
        placed=(),
        cancelled=(),
        ready_orders=(big, ready("small", "c2", "CA", "91")),
        cursor=0,
    )
    commands = LogisticsAgent(cut_off_hour=17, time_limit_s=2).decide(market)
    shipped = {order_id: c for c in commands if isinstance(c, DispatchShipment) for order_id in c.order_ids}
    assert set(shipped) == {"big", "small"}
    freight = shipped["big"]
    assert freight.order_ids == ("big",) and freight.vehicle == "2 x truck"
    assert "4,500 kg" in freight.reason and freight.cost > 2 * 180


def test_logistics_waits_for_the_cut_off_and_does_not_ship_twice_a_day() -> None:
    agent = LogisticsAgent(cut_off_hour=17, time_limit_s=1)
    orders = (ready("o1", "c1", "CA", "90"),)
    early = MarketView(
        now=START.replace(hour=9), products=(), placed=(), cancelled=(), ready_orders=orders, cursor=0
    )
    late = replace(early, now=START)
    assert agent.decide(early) == []
    assert len(agent.decide(late)) == 1
    shipped = replace(late, now=START + timedelta(minutes=1), last_dispatch=START)
    assert agent.decide(shipped) == []


def test_what_left_today_is_read_from_the_store_so_a_restart_does_not_ship_again_and_a_failure_retries() -> (
    None
):
    orders = (ready("o1", "c1", "CA", "90"),)
    late = MarketView(now=START, products=(), placed=(), cancelled=(), ready_orders=orders, cursor=0)
    # A restarted (or second) server's agent, when today's shipments have left: nothing more today
    restarted = LogisticsAgent(cut_off_hour=17, time_limit_s=1)
    assert restarted.decide(replace(late, last_dispatch=START - timedelta(hours=1))) == []
    # An agent whose dispatch the store refused (nothing left today): plans again at the next tick
    agent = LogisticsAgent(cut_off_hour=17, time_limit_s=1)
    assert len(agent.decide(late)) == 1
    yesterday = START - timedelta(days=1)
    assert len(agent.decide(replace(late, now=START + timedelta(seconds=5), last_dispatch=yesterday))) == 1


def test_the_intake_agent_asks_for_a_replay_only_when_letters_are_waiting() -> None:
    from agents.intake import IntakeAgent
    from engine.service.commands import ReplayDeadLetters

    quiet = MarketView(now=START, products=(), placed=(), cancelled=(), ready_orders=(), cursor=0)
    assert IntakeAgent().decide(quiet) == []
    waiting = replace(quiet, dead_letters_pending=250)
    [command] = IntakeAgent(batch=100).decide(waiting)
    assert isinstance(command, ReplayDeadLetters) and command.limit == 100
