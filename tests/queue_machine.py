"""A Hypothesis state machine driving the engine and the reference model side by side, checking the
queue invariants of DESIGN.md §6 after every step. Subclasses choose the store."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from catalog_builders import lanes_body, order_body, plan_body, product_body
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, multiple, rule
from queue_model import QueueModel

from api.schemas import PreorderCreate
from engine.bootstrap import PreorderEngine
from engine.catalog_input import CatalogIn, SupplyPlanIn
from engine.clock import ManualClock
from engine.domain.errors import InvalidTransition, ReceiptReferenceMismatch, SoldOut
from engine.domain.lanes import best_lane
from engine.domain.promise import SupplyLadder
from engine.domain.queue_math import repromise
from engine.service.access import Caller
from engine.service.commands import PlacePreorder, ReplaceSupplyPlan

START = datetime(2026, 12, 1, 12, tzinfo=UTC)
CAP, MAX_PAUSE_DAYS = 40, 3


class QueueMachine(RuleBasedStateMachine):
    orders = Bundle("orders")

    # each store's test module names how to build the engine under test
    make_engine: Callable[[ManualClock], PreorderEngine]

    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock(START)
        self.engine = type(self).make_engine(self.clock)
        self.sku, facility = f"SKU-{secrets.token_hex(4)}", f"DC-{secrets.token_hex(3)}"
        product = {
            **product_body(cap=CAP, facility=facility, max_pause_days=MAX_PAUSE_DAYS),
            "sku": self.sku,
            "supply_plan": self._plan(0, 10),
        }
        self.engine.load_catalog(
            CatalogIn.model_validate({"products": [product], "lanes": lanes_body(facility)["lanes"]})
        )
        self.account = f"acct-{secrets.token_hex(3)}"
        self.engine.issue_key(self.account, frozenset({"orders:write", "orders:read"}))
        self.caller = Caller(self.account, "key", frozenset({"orders:write", "orders:read"}))
        self.model = QueueModel(cap=CAP, max_pause_days=MAX_PAUSE_DAYS)
        self.sequences: dict[str, int] = {}
        self.receipts = 0

    @staticmethod
    def _plan(slip: int, first_run: int) -> dict:
        return plan_body(
            ("R-1", first_run, (date(2027, 2, 1) + timedelta(days=slip)).isoformat(), 2),
            ("R-2", 15, "2027-04-01", 5),
            beyond={"capacity_per_day": 3, "spread_days": 1},
        )

    @rule(target=orders, quantity=st.integers(1, 4), region=st.sampled_from(["CA", "NY", None]))
    def place(self, quantity: int, region: str | None) -> object:
        body = order_body(self.sku, quantity=quantity, customer=secrets.token_hex(3), region=region)
        command = PlacePreorder(self.account, PreorderCreate.model_validate(body).to_intent())
        try:
            placed = self.engine.place(command).order
        except SoldOut:
            assert not self.model.place("refused", quantity), "refused while the cap had room"
            return multiple()
        assert self.model.place(placed["id"], quantity), "accepted over the cap"
        self.sequences[placed["id"]] = int(placed["number"].rsplit("-", 1)[1])
        return placed["id"]

    def _transition(self, action: str, order_id: str) -> None:
        expected = getattr(self.model, action)(order_id)
        try:
            getattr(self.engine, action)(self.caller, order_id, *([None] if action != "resume" else []))
        except InvalidTransition:
            assert expected is False, f"{action} refused although the model allows it"
            return
        assert expected is not False, f"{action} accepted although the model refuses it"

    @rule(order_id=orders)
    def pause(self, order_id: str) -> None:
        self._transition("pause", order_id)

    @rule(order_id=orders)
    def resume(self, order_id: str) -> None:
        self._transition("resume", order_id)

    @rule(order_id=orders)
    def cancel(self, order_id: str) -> None:
        self._transition("cancel", order_id)

    @rule(quantity=st.integers(1, 8), name_run=st.booleans())
    def receive(self, quantity: int, name_run: bool) -> None:
        self.receipts += 1
        reference, lot = f"RCPT-{self.receipts}", "R-1" if name_run else None
        self.engine.receive(self.sku, quantity=quantity, reference=reference, received_at=None, lot_id=lot)
        self.model.receive(quantity)
        # the same reference again changes nothing; with other goods it is refused and changes nothing
        self.engine.receive(self.sku, quantity=quantity, reference=reference, received_at=None, lot_id=lot)
        with pytest.raises(ReceiptReferenceMismatch):
            self.engine.receive(
                self.sku, quantity=quantity + 1, reference=reference, received_at=None, lot_id=lot
            )

    @rule(days=st.integers(1, 4))
    def advance_time(self, days: int) -> None:
        self.clock.advance(timedelta(days=days))
        self.engine.expire_pauses()
        self.engine.refresh_promises()  # what the server's daily sweep does
        self.model.advance(days)

    @rule(slip=st.integers(-5, 20), first_run=st.integers(0, 20))
    def change_plan(self, slip: int, first_run: int) -> None:
        plan = SupplyPlanIn.model_validate(self._plan(slip, first_run)).to_domain(self.sku)
        self.engine.replace_supply_plan(ReplaceSupplyPlan(plan))

    # --- invariants, checked after every step ---------------------------------------------------
    def _state(self):  # type: ignore[no-untyped-def]
        def read(uow):  # type: ignore[no-untyped-def]
            orders = {i: uow.preorders.get(i) for i in self.sequences}
            return (
                uow.queues.get(self.sku),
                uow.queues.snapshot(self.sku),
                orders,
                uow.supply.get(self.sku),
                uow.lanes.for_facility(uow.products.get(self.sku).facility),
            )

        return self.engine.runner.run(read, writes=False)

    @invariant()
    def the_engine_matches_the_model_and_keeps_every_rule(self) -> None:
        counters, snapshot, orders, plan, lanes = self._state()
        # sequences never change, and every order has the status the reference model gives it
        for order_id, order in orders.items():
            assert order.sequence == self.sequences[order_id]
            assert order.status.value == self.model.orders[order_id].status, order_id
        # no oversell: reserved within the cap, allocated within what arrived
        assert counters.units_reserved <= CAP
        assert counters.units_allocated + counters.units_on_hand == self.model.arrived
        assert counters.units_on_hand == self.model.on_hand
        # counters equal the stored orders
        by_status: dict[str, list[int]] = {}
        for order in orders.values():
            by_status.setdefault(order.status.value, []).append(order.intent.quantity)
        queued = by_status.get("pre_order", []) + by_status.get("paused", [])
        assert counters.units_reserved == sum(
            q for s, qs in by_status.items() if s != "cancelled" for q in qs
        )
        assert (counters.units_queued, counters.orders_queued) == (sum(queued), len(queued))
        assert counters.units_allocated == sum(by_status.get("allocated", []))
        # the line is in sequence order, and every order in it holds a current promise
        assert list(snapshot.sequences) == sorted(snapshot.sequences)
        if len(snapshot):
            ladder = SupplyLadder.build(plan, counters.units_on_hand, self.clock.now().date())
            facility = lanes[0].facility
            destination_lanes = [best_lane(lanes, facility, c, r) for c, r in snapshot.destinations]
            fresh = repromise(
                snapshot,
                ladder,
                destination_lanes,
                confidence=self.engine.settings.window_confidence,
                tolerance_days=self.engine.settings.conflict_tolerance_days,
            )
            assert not np.any(fresh.changed), "a queued order holds a stale promise"
