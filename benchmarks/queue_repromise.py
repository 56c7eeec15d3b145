"""Benchmark: re-promise a SKU with 100,000 queued orders after a plan change, and allocate a
50,000-unit receipt over that queue — on SQLite, PostgreSQL and the in-memory store.

The queue is written directly (setup, not measured); then the real use cases run through the engine
facade: ``replace_supply_plan`` (a run slips, so every promise moves and every order records why) and
``receive``. The vectorised step alone is timed too. Prints figures and writes
``benchmarks/results/queue_repromise.json``.

    .venv/bin/python benchmarks/queue_repromise.py [--orders 100000] [--stores memory sqlite postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from catalog_builders import lanes_body, plan_body, product_body  # noqa: E402
from intake_load import PG_URL, machine  # noqa: E402

from engine.bootstrap import PreorderEngine, bootstrap, bootstrap_in_memory  # noqa: E402
from engine.catalog_input import CatalogIn, SupplyPlanIn  # noqa: E402
from engine.clock import ManualClock  # noqa: E402
from engine.config import Settings  # noqa: E402
from engine.domain.lanes import best_lane  # noqa: E402
from engine.domain.orders import Address, Customer, OrderIntent, OrderStatus, Preorder  # noqa: E402
from engine.domain.promise import DeliveryWindow, Promise, SupplyLadder  # noqa: E402
from engine.domain.queue_math import repromise  # noqa: E402
from engine.persistence.bulk import db_value, execute_many  # noqa: E402
from engine.service.commands import ReplaceSupplyPlan  # noqa: E402

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
REGIONS = ["CA", "NY", None]


def set_up(engine: PreorderEngine, orders: int) -> str:
    sku, facility = f"BENCH-{secrets.token_hex(3).upper()}", "DC-BENCH"
    plan = plan_body(("R-1", orders, "2027-02-01", 4), beyond={"lead_time_days": 40, "spread_days": 5})
    catalog = {
        "products": [{**product_body(cap=None, facility=facility), "sku": sku, "supply_plan": plan}],
        "lanes": lanes_body(facility)["lanes"],
    }
    engine.load_catalog(CatalogIn.model_validate(catalog))
    engine.issue_key("bench", frozenset({"orders:write"}))
    return sku


def fill(engine: PreorderEngine, sku: str, orders: int) -> None:
    """Write ``orders`` queued orders of quantity 1 with their current promise (setup, not timed)."""
    promise = Promise(date(2027, 2, 1), DeliveryWindow(date(2027, 1, 30), date(2027, 2, 10), 0.9), "R-1")
    pause_every = 20  # one order in twenty is paused: allocation must skip it

    def build(i: int) -> Preorder:
        intent = OrderIntent(
            sku, 1, Customer(f"c{i}", f"c{i}@example.com", Address("US", REGIONS[i % 3])), "web"
        )
        status = OrderStatus.PAUSED if i % pause_every == 0 else OrderStatus.PRE_ORDER
        return Preorder(
            f"{i:024d}",
            f"{sku}-{i:06d}",
            "bench",
            intent,
            i,
            status,
            Decimal("1.00"),
            "USD",
            promise,
            NOW,
            first_latest=promise.delivery_window.latest,
        )

    if engine.database is None:
        store = engine.runner.store  # type: ignore[attr-defined]
        for i in range(1, orders + 1):
            order = build(i)
            store.orders[order.id] = order
            store.lines[sku].append(order.id)
            store.queued.setdefault(sku, {})[order.id] = i
        # a new dict, as the store itself does: answers derived from the old one are then not reused
        store.counters[sku] = {
            **store.counters[sku],
            "next_sequence": orders + 1,
            "units_reserved": orders,
            "units_queued": orders,
            "orders_queued": orders,
        }
        return
    with engine.database.writer.begin() as connection:
        value = lambda item: db_value(connection, item)  # noqa: E731
        rows = []
        for i in range(1, orders + 1):
            o = build(i)
            rows.append(
                (
                    o.id,
                    o.number,
                    "bench",
                    "web",
                    sku,
                    1,
                    i,
                    o.status.value,
                    f"c{i}",
                    f"c{i}@example.com",
                    "US",
                    REGIONS[i % 3],
                    "1.00",
                    "USD",
                    value(date(2027, 2, 1)),
                    value(date(2027, 1, 30)),
                    value(date(2027, 2, 10)),
                    0.9,
                    "R-1",
                    value(date(2027, 2, 10)),
                    value(NOW),
                    value(NOW),
                )
            )
        execute_many(
            connection,
            (
                "INSERT INTO preorders (id, number, account_id, channel, sku, quantity, sequence, status,"
                " customer_id, customer_email, ship_country, ship_region, unit_price, currency,"
                " expected_availability, window_earliest, window_latest, window_confidence, promise_source,"
                " first_latest, created_at, updated_at, conflict_days)"
                f" VALUES ({', '.join('?' * 22)}, 0)"
            ),
            rows,
        )
        execute_many(
            connection,
            "UPDATE queues SET next_sequence = ?, units_reserved = ?, units_queued = ?,"
            " orders_queued = ? WHERE sku = ?",
            [(orders + 1, orders, orders, orders, sku)],
        )


def measure(engine: PreorderEngine, sku: str, orders: int) -> dict[str, Any]:
    def state(uow):  # type: ignore[no-untyped-def]
        product = uow.products.get(sku)
        return (
            uow.queues.snapshot(sku),
            uow.supply.get(sku),
            uow.lanes.for_facility(product.facility),
            product,
        )

    started = time.perf_counter()
    snapshot, plan, lanes, product = engine.runner.run(state, writes=False)
    read = time.perf_counter() - started
    slipped = replace(
        plan,
        lots=tuple(replace(lot, expected_date=lot.expected_date + timedelta(days=9)) for lot in plan.lots),
    )
    ladder = SupplyLadder.build(slipped, 0, NOW.date())
    destination_lanes = [best_lane(lanes, product.facility, c, r) for c, r in snapshot.destinations]
    started = time.perf_counter()
    result = repromise(snapshot, ladder, destination_lanes, confidence=0.9, tolerance_days=7)
    compute = time.perf_counter() - started
    moved_in_compute = int(result.changed.sum())

    new_plan = SupplyPlanIn.model_validate(
        plan_body(("R-1", orders, "2027-02-10", 4), beyond={"lead_time_days": 40, "spread_days": 5})
    )
    started = time.perf_counter()
    engine.replace_supply_plan(ReplaceSupplyPlan(new_plan.to_domain(sku)))
    plan_change = time.perf_counter() - started
    started = time.perf_counter()
    receipt = engine.receive(
        sku, quantity=orders // 2, reference="BENCH-RECEIPT", received_at=None, lot_id="R-1"
    )
    allocate = time.perf_counter() - started
    return {
        "orders": orders,
        "snapshot_read_s": round(read, 3),
        "vectorised_repromise_s": round(compute, 4),
        "orders_moved": moved_in_compute,
        "plan_change_use_case_s": round(plan_change, 3),
        "receipt_units": orders // 2,
        "receipt_orders_allocated": len(receipt.receipt.allocated_orders),
        "receipt_use_case_s": round(allocate, 3),
    }


def engine_for(store: str) -> tuple[PreorderEngine, Any]:
    clock = ManualClock(NOW)
    if store == "memory":
        return bootstrap_in_memory(Settings(), clock=clock), None
    from engine.persistence.migrate import upgrade

    if store == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp(prefix='preorder-bench-')}/queue.sqlite3"
        cleanup = None
    else:
        from databases import drop_postgres_database, fresh_postgres_database

        url = fresh_postgres_database(PG_URL)
        cleanup = lambda: drop_postgres_database(PG_URL, url)  # noqa: E731
    upgrade(url)
    return bootstrap(Settings(database_url=url), clock=clock), cleanup


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--stores", nargs="+", default=["memory", "sqlite", "postgres"])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "queue_repromise.json")
    args = parser.parse_args()
    report: dict[str, Any] = {"machine": machine(), "results": {}}
    for store in args.stores:
        engine, cleanup = engine_for(store)
        try:
            sku = set_up(engine, args.orders)
            fill(engine, sku, args.orders)
            figures = measure(engine, sku, args.orders)
        finally:
            engine.close()
            if cleanup:
                cleanup()
        report["results"][store] = figures
        print(f"{store:9} " + "  ".join(f"{k}={v}" for k, v in figures.items()))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
