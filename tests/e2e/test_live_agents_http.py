"""``preorder serve`` runs the agents: after a receipt, a plan change and the daily cut-off they act by
themselves, and every decision is visible with its reason — on SQLite and PostgreSQL."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from catalog_builders import lanes_body, order_body, plan_body, product_body, unique
from databases import drop_postgres_database, fresh_postgres_database
from live_server import live_server

from engine.persistence.migrate import upgrade


@pytest.fixture(params=["sqlite", "postgres"])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    # a database of its own: agents look at every product, and other tests' products are not this story's
    if request.param == "sqlite":
        url, drop = f"sqlite:///{tmp_path / 'agents.sqlite3'}", None
    else:
        server = request.getfixturevalue("postgres_server")
        url = fresh_postgres_database(server)
        drop = lambda: drop_postgres_database(server, url)  # noqa: E731
    upgrade(url)
    admin_key = f"agents-{secrets.token_urlsafe(24)}"
    env = {
        "PREORDER_DATABASE_URL": url,
        "PREORDER_BOOTSTRAP_ADMIN_KEY": admin_key,
        "PREORDER_CUT_OFF_HOUR": "0",
        "PREORDER_AGENT_MIN_HISTORY_HOURS": "0",
        "PREORDER_MLFLOW_TRACKING_URI": "sqlite:///:memory:",
    }
    try:
        with live_server(env, "--agents", "inprocess", "--agent-tick", "0.2") as base:
            yield base, admin_key
    finally:
        if drop:
            drop()


def wait_for(check: Callable[[], Any], what: str, seconds: float = 30) -> Any:
    deadline = time.monotonic() + seconds
    while not (found := check()):
        assert time.monotonic() < deadline, f"the agents did not {what} within {seconds} s"
        time.sleep(0.2)
    return found


def test_live_agents_price_split_ship_and_advise_by_themselves(served: tuple[str, str]) -> None:
    base, admin_key = served
    admin = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {admin_key}"}, timeout=30)
    sku, facility = unique("HOT"), unique("DC")
    admin.put("/v1/lanes", json=lanes_body(facility)).raise_for_status()
    body = product_body(cap=40, facility=facility, closes_at="2099-01-15T00:00:00Z")
    admin.put(f"/v1/products/{sku}", json=body).raise_for_status()
    admin.put(
        f"/v1/products/{sku}/supply-plan", json=plan_body(("R-1", 40, "2027-02-01", 2))
    ).raise_for_status()
    key = admin.post(
        f"/v1/accounts/{unique('shop')}/keys", json={"scopes": ["orders:write", "orders:read"]}
    ).json()
    shop = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key['key']}"}, timeout=30)
    asked = [("web", f"w{i}") for i in range(10)] + [("pos", f"p{i}") for i in range(5)]
    answers = [
        shop.post("/v1/preorders", json=order_body(sku, customer=customer, channel=channel))
        for channel, customer in asked
    ]
    # the agent ticks while these arrive: once it has seen both channels it may split the run, and a
    # channel past its share is then refused (never any other error)
    refused = [a for a in answers if a.status_code != 201]
    assert all(a.json()["type"].endswith("/channel_quota_exhausted") for a in refused), refused
    first = [a.json() for a in answers if a.status_code == 201]
    assert len(first) >= 10

    def decided(kind: str) -> Callable[[], list[dict[str, Any]]]:
        return lambda: [
            d
            for d in admin.get("/v1/decisions", params={"sku": sku, "limit": 500}).json()
            if d["kind"] == kind
        ]

    # the pricing agent re-prices the capped run (which way depends on what its first ticks saw; the
    # direction is the policy's unit tests' business), and the run is split between channels
    price = wait_for(decided("price_changed"), "re-price a capped run")[0]
    assert 399.2 <= float(price["data"]["after"]) <= 798.4 and "units left" in price["reason"]
    quotas = wait_for(decided("channel_quotas"), "split the run between channels")[0]
    assert sum(quotas["data"]["quotas"].values()) == 40
    held = {channel: sum(o["channel"] == channel for o in first) for channel in ("web", "pos")}
    room = {channel: units - held[channel] for channel, units in quotas["data"]["quotas"].items()}
    roomy = max(room, key=lambda channel: room[channel])
    later = shop.post("/v1/preorders", json=order_body(sku, customer="late", channel=roomy)).json()
    assert later["unit_price"] == price["data"]["after"]
    # orders confirmed before the change keep the list price (the agent may act before the first order)
    assert all(o["unit_price"] == "499.00" for o in first if o["created_at"] < price["at"])
    assert shop.get(f"/v1/preorders/{first[0]['id']}").json()["unit_price"] == first[0]["unit_price"]
    tight = min(room, key=lambda channel: room[channel])
    answers = [
        shop.post("/v1/preorders", json=order_body(sku, customer=f"x{i}", channel=tight))
        for i in range(max(room[tight] - (tight == roomy), 0) + 1)
    ]
    assert all(a.status_code == 201 for a in answers[:-1])
    assert answers[-1].json()["type"].endswith("/channel_quota_exhausted"), answers[-1].text

    # a receipt: the engine allocates in queue order, and at the cut-off the logistics agent ships them
    receipt = admin.post(
        f"/v1/products/{sku}/receipts", json={"quantity": 6, "reference": unique("R")}
    ).json()
    assert receipt["allocated_orders"] == [o["id"] for o in first[:6]]
    shipped = wait_for(
        lambda: shop.get(f"/v1/preorders/{first[0]['id']}").json()["status"] == "shipped",
        "ship allocated orders at the cut-off",
    )
    assert shipped
    history = shop.get(f"/v1/preorders/{first[0]['id']}").json()["history"]
    assert history[-1]["type"] == "preorder_shipped" and "shipment" in history[-1]["cause"]
    # merged on a vehicle, or as parcels where a vehicle would cost more: every one leaves in a shipment
    routes = [set(s["route"]) for s in admin.get("/v1/shipments").json()]
    assert all(any(o["id"] in route for route in routes) for o in first[:6])

    # a plan change that leaves the plan far short of demand: production advice
    admin.put(
        f"/v1/products/{sku}/supply-plan", json=plan_body(("R-1", 1, "2027-03-01", 2))
    ).raise_for_status()
    advice = wait_for(decided("production_recommended"), "advise on production", seconds=40)[0]
    assert "short" in advice["reason"]
