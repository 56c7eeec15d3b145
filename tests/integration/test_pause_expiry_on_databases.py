"""Every pause that ran out is resumed by one sweep, however many there are (on SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from catalog_builders import unique
from engine_builders import START, intent, load_product

from engine.bootstrap import PreorderEngine
from engine.clock import ManualClock
from engine.service.access import Caller

ADMIN = Caller("ops", "key_ops", frozenset({"admin"}))


def test_a_sweep_resumes_every_pause_that_ran_out_even_past_one_batch(engine: PreorderEngine) -> None:
    # Given more paused orders than one transaction resumes (500), all past their two-day maximum
    sku, account = load_product(engine, planned=1000, cap=None, max_pause_days=2), unique("acct")
    engine.issue_key(account, frozenset({"orders:write"}))
    placements = [replace(intent(sku, customer=f"c{n}"), account_id=account) for n in range(520)]
    ids = [engine.place(placement).order["id"] for placement in placements]
    for order_id in ids:
        engine.pause(ADMIN, order_id, "away")
    clock = engine.clock
    assert isinstance(clock, ManualClock)
    clock.set(START + timedelta(days=3))
    # When the sweep runs once
    resumed = engine.expire_pauses()
    # Then every one of them is back in line, in one call
    assert set(ids) <= set(resumed)
    assert {engine.order(ADMIN, order_id)["status"] for order_id in ids} == {"pre_order"}
    assert engine.expire_pauses() == []
