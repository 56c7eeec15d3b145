"""Hundreds of concurrent orders against a cap: never oversold, never refused while units remained."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import httpx
from catalog_builders import order_body
from e2e_api import Api


def place_all(api: Api, key: str, bodies: list[dict]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    with (
        httpx.Client(
            base_url=api.base, headers={"Authorization": f"Bearer {key}"}, timeout=60, limits=limits
        ) as http,
        ThreadPoolExecutor(max_workers=64) as pool,
    ):
        return list(pool.map(lambda body: http.post("/v1/preorders", json=body), bodies))


def stored(api: Api, key: str, sku: str) -> list[dict]:
    orders: list[dict] = []
    cursor = None
    with api.client(key) as http:
        while True:
            params = {"sku": sku, "limit": 100, **({"cursor": cursor} if cursor else {})}
            page = http.get("/v1/preorders", params=params).json()
            orders += page["items"]
            cursor = page["next_cursor"]
            if cursor is None:
                return orders


def test_500_concurrent_orders_for_a_cap_of_100_accept_exactly_100(api: Api) -> None:
    # Given a product capped at 100 units
    sku = api.new_product(cap=100)
    key = api.new_key()
    # When 500 orders of one unit arrive at once
    answers = place_all(api, key, [order_body(sku, customer=f"c{i}") for i in range(500)])
    # Then exactly 100 are accepted and 400 are sold out, with no server error
    statuses = [a.status_code for a in answers]
    assert statuses.count(201) == 100
    assert statuses.count(409) == 400
    assert all(a.json()["type"].endswith("/sold_out") for a in answers if a.status_code == 409)
    # And the counters equal the stored orders, whose sequences are 1..100 without gaps
    orders = stored(api, key, sku)
    assert sorted(o["number"] for o in orders) == [f"{sku}-{n:06d}" for n in range(1, 101)]
    assert sorted(o["queue_position"] for o in orders) == list(range(1, 101))
    with api.client(key) as http:
        depth = http.get(f"/v1/products/{sku}/wait-time", params={"country": "US"}).json()
    assert depth["queue_depth_units"] == sum(o["quantity"] for o in orders) == 100
    assert depth["queue_depth_orders"] == 100


def test_mixed_quantities_never_exceed_the_cap_nor_are_refused_while_units_remain(api: Api) -> None:
    sku = api.new_product(cap=300)
    key = api.new_key()
    rng = random.Random(7)
    bodies = [order_body(sku, quantity=rng.randint(1, 5), customer=f"c{i}") for i in range(300)]
    answers = place_all(api, key, bodies)
    assert all(a.status_code in (201, 409) for a in answers), {a.status_code for a in answers}
    accepted = sum(body["quantity"] for body, a in zip(bodies, answers, strict=True) if a.status_code == 201)
    assert accepted <= 300
    for body, answer in zip(bodies, answers, strict=True):
        if answer.status_code == 409:
            # refused only because fewer units than requested were left at that moment
            assert answer.json()["units_left"] < body["quantity"]
    # units were left only if no later, smaller request could have used them
    smallest_refused = min(
        (b["quantity"] for b, a in zip(bodies, answers, strict=True) if a.status_code == 409), default=None
    )
    if smallest_refused is not None:
        assert 300 - accepted < smallest_refused
    assert sum(o["quantity"] for o in stored(api, key, sku)) == accepted
