"""What agents ask the engine to do, on real SQLite and PostgreSQL: quotas, prices, shipments."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from catalog_builders import lanes_body, order_body, plan_body, product_body, unique

from agents.logistics import LogisticsAgent
from agents.runtime import AgentRuntime
from api.cli import AgentsMode, live_runtime
from api.schemas import PreorderCreate
from engine.bootstrap import PreorderEngine
from engine.catalog_input import CatalogIn
from engine.clock import ManualClock
from engine.domain.errors import ChannelQuotaExhausted
from engine.service.access import Caller
from engine.service.commands import (
    AgentCommand,
    DispatchShipment,
    MarkDelivered,
    PlacePreorder,
    ReplayDeadLetters,
    SetChannelQuotas,
    SetPrice,
)
from engine.service.market import MarketView


def setup(engine: PreorderEngine, cap: int | None = 100, planned: int = 100) -> tuple[str, str]:
    sku, facility, account = unique("SKU"), unique("DC"), unique("acct")
    engine.load_catalog(
        CatalogIn.model_validate(
            {
                "products": [
                    {
                        **product_body(cap=cap, facility=facility),
                        "sku": sku,
                        "supply_plan": plan_body(("R-1", planned, "2027-02-01", 2)),
                    }
                ],
                "lanes": lanes_body(facility)["lanes"],
            }
        )
    )
    engine.issue_key(account, frozenset({"orders:write"}))
    return sku, account


def place(engine: PreorderEngine, account: str, sku: str, channel: str, quantity: int = 1) -> dict:
    intent = PreorderCreate.model_validate(
        order_body(sku, quantity=quantity, channel=channel, customer=unique("c"))
    ).to_intent()
    return engine.place(PlacePreorder(account, intent)).order


def test_a_channel_past_its_quota_is_refused_while_others_still_sell(engine: PreorderEngine) -> None:
    sku, account = setup(engine)
    place(engine, account, sku, "web", 3)  # held before the quota: it counts against it
    engine.apply("allocation", [SetChannelQuotas(sku, (("web", 5), ("pos", 95)), "test split")])
    place(engine, account, sku, "web", 2)
    with pytest.raises(ChannelQuotaExhausted) as refusal:
        place(engine, account, sku, "web", 1)
    assert refusal.value.extra["units_left"] == 0
    assert place(engine, account, sku, "pos", 4)["status"] == "pre_order"
    assert place(engine, account, sku, "marketplace", 1)["status"] == "pre_order"  # no quota: no limit
    decision = engine.decisions(sku=sku)[0]
    assert (decision.agent, decision.kind, decision.data["quotas"]) == (
        "allocation",
        "channel_quotas",
        {"web": 5, "pos": 95},
    )


def test_the_same_split_asked_twice_is_one_decision(engine: PreorderEngine) -> None:
    # Given two servers' allocation agents that saw the same run and chose the same split
    sku, _ = setup(engine)
    split = SetChannelQuotas(sku, (("web", 40), ("pos", 60)), "same forecast")
    engine.apply("allocation", [split])
    engine.apply("allocation", [split])
    # Then the split is recorded once; a different split is a decision of its own
    engine.apply("allocation", [SetChannelQuotas(sku, (("web", 50), ("pos", 50)), "new forecast")])
    kinds = [(d.kind, d.data["quotas"]) for d in engine.decisions(sku=sku)]
    assert kinds == [("channel_quotas", {"web": 50, "pos": 50}), ("channel_quotas", {"web": 40, "pos": 60})]


def test_channel_quotas_go_when_the_cap_they_split_changes(engine: PreorderEngine) -> None:
    # Given quotas splitting a run of 100 between web and pos, web's used up
    sku, account = setup(engine)
    engine.apply("allocation", [SetChannelQuotas(sku, (("web", 2), ("pos", 98)), "test")])
    place(engine, account, sku, "web", 2)
    with pytest.raises(ChannelQuotaExhausted):
        place(engine, account, sku, "web", 1)
    # When an admin raises the cap to 1,000
    state = next(p for p in engine.product_states() if p.sku == sku)
    raised = (
        CatalogIn.model_validate(
            {"products": [{**product_body(cap=1000, facility=state.facility), "sku": sku}]}
        )
        .to_command()
        .products[0]
    )
    engine.put_product(raised)
    # Then the old split is gone (web sells again) until the allocation agent splits the new run
    assert place(engine, account, sku, "web", 1)["status"] == "pre_order"
    assert next(p for p in engine.product_states() if p.sku == sku).quotas == ()


def test_cancelling_gives_the_units_back_to_the_channel_quota(engine: PreorderEngine) -> None:
    sku, account = setup(engine)
    engine.apply("allocation", [SetChannelQuotas(sku, (("web", 2),), "test")])
    first = place(engine, account, sku, "web", 2)
    engine.cancel(Caller(account, "k", frozenset({"orders:write", "orders:read"})), first["id"], None)
    assert place(engine, account, sku, "web", 2)["status"] == "pre_order"


def test_a_new_price_applies_to_new_orders_and_confirmed_orders_keep_theirs(engine: PreorderEngine) -> None:
    sku, account = setup(engine)
    before = place(engine, account, sku, "web")
    engine.apply("pricing", [SetPrice(sku, Decimal("549.90"), "scarce")])
    after = place(engine, account, sku, "web")
    caller = Caller(account, "k", frozenset({"orders:read"}))
    assert (engine.order(caller, before["id"])["unit_price"], after["unit_price"]) == ("499.00", "549.90")


def test_the_agents_price_and_when_it_was_set_are_stored_and_outlive_an_admin_edit_of_other_terms(
    engine: PreorderEngine,
) -> None:
    # Given the pricing agent's price
    sku, account = setup(engine)
    engine.apply("pricing", [SetPrice(sku, Decimal("549.90"), "scarce")])
    state = next(p for p in engine.product_states() if p.sku == sku)
    assert (state.price, state.price_changed_at) == (549.90, engine.clock.now())
    # When an admin edits the product's window, the list price unchanged
    product = (
        CatalogIn.model_validate(
            {
                "products": [
                    {
                        **product_body(cap=100, closes_at="2098-01-01T00:00:00Z", facility=state.facility),
                        "sku": sku,
                    }
                ]
            }
        )
        .to_command()
        .products[0]
    )
    engine.put_product(product)
    # Then new orders still pay the agent's price (it silently went back to the list price), and a
    # new list price starts the product afresh at it
    assert place(engine, account, sku, "web")["unit_price"] == "549.90"
    repriced = (
        CatalogIn.model_validate(
            {"products": [{**product_body(cap=100, facility=state.facility), "sku": sku, "price": "459.00"}]}
        )
        .to_command()
        .products[0]
    )
    engine.put_product(repriced)
    assert place(engine, account, sku, "web")["unit_price"] == "459.00"


def test_a_dispatched_shipment_ships_only_allocated_orders_and_moves_the_counters(
    engine: PreorderEngine,
) -> None:
    sku, account = setup(engine)
    orders = [place(engine, account, sku, "web") for _ in range(3)]
    engine.receive(sku, quantity=2, reference=unique("R"), received_at=None, lot_id=None)
    view = engine.market_view(0)
    assert {o.id for o in view.ready_orders} >= {orders[0]["id"], orders[1]["id"]}
    shipment = DispatchShipment(
        unique("S"), tuple(o["id"] for o in orders), "van", "US-CA", 12.5, 70.0, "test"
    )
    moved = engine.apply("logistics", [shipment])
    assert moved == [orders[0]["id"], orders[1]["id"]]  # the third was not allocated
    caller = Caller(account, "k", frozenset({"orders:read"}))
    assert [engine.order(caller, o["id"])["status"] for o in orders] == ["shipped", "shipped", "pre_order"]
    totals = engine.queue(sku)["totals"]
    assert (totals["units_allocated"], totals["units_reserved"]) == (0, 3)
    assert any(s.route == moved and s.orders == 2 for s in engine.shipments(limit=500))
    assert engine.apply("world", [MarkDelivered(tuple(moved))]) == moved
    history = engine.order(caller, orders[0]["id"])["history"]
    assert [h["type"] for h in history][-2:] == ["preorder_shipped", "preorder_delivered"]


def test_the_market_view_reports_placements_since_the_last_view(engine: PreorderEngine) -> None:
    sku, account = setup(engine)
    start = engine.market_view(0).cursor
    place(engine, account, sku, "web", 2)
    place(engine, account, sku, "pos", 1)
    view = engine.market_view(start)
    assert sorted(p for p in view.placed if p[0] == sku) == [(sku, "pos", 1), (sku, "web", 2)]
    assert engine.market_view(view.cursor).placed == ()


def test_a_tick_reads_the_orders_ready_to_ship_only_when_logistics_will_ship_them_and_shows_them_to_it_alone(
    engine: PreorderEngine,
) -> None:
    # Given an allocated order, the logistics agent, whose cut-off is 17:00, and another agent
    sku, account = setup(engine)
    order = place(engine, account, sku, "web")
    engine.receive(sku, quantity=1, reference=unique("R"), received_at=None, lot_id=None)
    seen: list[list[str]] = []

    class Watching(LogisticsAgent):
        def decide(self, view: MarketView) -> list[AgentCommand]:
            seen.append([o.id for o in view.ready_orders if o.id == order["id"]])
            return super().decide(view)

    others: list[int] = []

    class Other:
        name = "other"

        def decide(self, view: MarketView) -> list[AgentCommand]:
            others.append(len(view.ready_orders))
            return []

    runtime = AgentRuntime(engine, [Other(), Watching(cut_off_hour=17, time_limit_s=0.5)])
    clock = engine.clock
    assert isinstance(clock, ManualClock)

    # When it ticks in the morning, at the cut-off, and again after it shipped, on a day no other test
    # ships (what left today is read from the store, shared by the session's tests)
    for hour in (9, 17, 18):
        clock.set(datetime(2031, 6, 2, hour, tzinfo=UTC))
        runtime.tick()

    # Then only the cut-off's tick read the order, and shipped it; the other agent never saw it
    assert seen == [[], [order["id"]], []]
    assert others == [0, 0, 0]
    caller = Caller(account, "k", frozenset({"orders:read"}))
    assert engine.order(caller, order["id"])["status"] == "shipped"


def test_a_shipment_id_that_has_left_already_is_refused_and_the_view_says_when_the_last_one_left(
    engine: PreorderEngine, caplog: pytest.LogCaptureFixture
) -> None:
    # Given two allocated orders, and a shipment that took the first
    sku, account = setup(engine)
    orders = [place(engine, account, sku, "web")["id"] for _ in range(2)]
    engine.receive(sku, quantity=2, reference=unique("R"), received_at=None, lot_id=None)
    shipment_id = unique("S")
    clock = engine.clock
    assert isinstance(clock, ManualClock)
    clock.set(datetime(2090, 1, 2, 17, tzinfo=UTC))  # later than any other test's shipment in this store
    engine.apply("logistics", [DispatchShipment(shipment_id, (orders[0],), "van", "US-CA", 1.0, 1.0, "t")])
    assert engine.market_view(0).last_dispatch == clock.now()
    # When another server's agent (or this one after a restart) sends the same id with other orders
    again = DispatchShipment(shipment_id, (orders[1],), "van", "US-CA", 1.0, 1.0, "t")
    with caplog.at_level("INFO"):
        moved = engine.apply("logistics", [again])
    # Then it is refused for what it is, not retried as a busy store, and the order waits
    assert moved == []
    assert "has left already" in caplog.text and "busy" not in caplog.text
    caller = Caller(account, "k", frozenset({"orders:read"}))
    assert engine.order(caller, orders[1])["status"] == "allocated"


def test_a_shipment_of_over_a_thousand_orders_ships_and_delivers_every_one_and_skips_unknown_ids(
    engine: PreorderEngine,
) -> None:
    # Given 1,001 allocated orders (their reads go by a thousand ids at a time)
    sku, account = setup(engine, cap=None, planned=1001)
    orders = [place(engine, account, sku, "web")["id"] for _ in range(1001)]
    engine.receive(sku, quantity=1001, reference=unique("R"), received_at=None, lot_id=None)
    wanted = (*orders[:500], "no-such-order", *orders[500:])

    # When one shipment names them all, and one id that is no order
    moved = engine.apply(
        "logistics", [DispatchShipment(unique("S"), wanted, "truck", "US-CA", 1.0, 1.0, "t")]
    )

    # Then every order ships, in the shipment's order, and is delivered the same way
    assert moved == orders
    assert engine.apply("world", [MarkDelivered(wanted)]) == orders
    assert engine.queue(sku)["totals"]["units_allocated"] == 0


def test_a_restarted_servers_agents_read_only_what_happens_after_the_start(engine: PreorderEngine) -> None:
    # Given thirty orders placed before the server (re)started
    sku, account = setup(engine, cap=None)
    for _ in range(30):
        place(engine, account, sku, "web")
    # When the server's agents start, and one more order comes in
    runtime = live_runtime(engine, AgentsMode.INPROCESS, engine.settings, None)
    place(engine, account, sku, "web")
    # Then their first view holds that one, not the thirty: replayed, they counted as sold at once
    # (a sales velocity of 210 a day where it was 10)
    placed = runtime.decide().view.placed
    assert [(s, units) for s, _, units in placed if s == sku] == [(sku, 1)]


def test_a_replay_of_the_dead_letters_by_the_intake_agent_is_a_decision_with_what_it_did(
    engine: PreorderEngine,
) -> None:
    sku, account = setup(engine)
    intent = PreorderCreate.model_validate(order_body(sku, customer=unique("c"))).to_intent()
    payload = json.dumps({**asdict(PlacePreorder(account, intent)), "key_hash": None}, default=str)
    engine.dead_letters.add(
        account_id=account, source="place_preorder", payload=payload, reason="down", attempts=1
    )
    engine.apply("intake", [ReplayDeadLetters(1000, "intakes are waiting in the dead-letter queue")])
    [decision] = [d for d in engine.decisions(limit=20) if d.kind == "dead_letters_replayed"][:1]
    assert decision.agent == "intake" and decision.data["placed"] >= 1
    assert decision.reason.startswith("intakes are waiting in the dead-letter queue: ")
