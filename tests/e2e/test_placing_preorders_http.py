"""Placing and reading pre-orders over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from catalog_builders import order_body, plan_body, unique
from e2e_api import Api


def test_a_placed_preorder_answers_with_its_status_place_and_delivery_window(api: Api) -> None:
    # Given a product with a run of 1000 units expected on 2027-02-01
    sku = api.new_product()
    with api.client(api.new_key()) as http:
        # When a shop places an order
        answer = http.post("/v1/preorders", json=order_body(sku, quantity=2, external_id=unique("web")))
    # Then it is a pre-order at the head of the queue, with a promise from that run
    assert answer.status_code == 201, answer.text
    order = answer.json()
    assert order["status"] == "pre_order"
    assert order["status_label"] == "Pre-Order"
    assert order["queue_position"] == 1
    assert order["units_ahead"] == 0
    assert order["expected_availability"] == "2027-02-01"
    window = order["delivery_window"]
    assert window["earliest"] <= window["latest"]
    assert 0.85 <= window["confidence"] <= 1.0
    assert order["unit_price"] == "499.00"
    assert order["number"] == f"{sku}-000001"
    assert answer.headers["location"] == f"/v1/preorders/{order['id']}"


def test_orders_queue_first_come_first_served(api: Api) -> None:
    sku = api.new_product()
    with api.client(api.new_key()) as http:
        first = http.post("/v1/preorders", json=order_body(sku, quantity=3, customer="a")).json()
        second = http.post("/v1/preorders", json=order_body(sku, quantity=1, customer="b")).json()
        again = http.get(f"/v1/preorders/{first['id']}").json()
    assert (first["queue_position"], second["queue_position"]) == (1, 2)
    assert second["units_ahead"] == 3
    assert again["queue_position"] == 1


def test_an_order_beyond_the_first_run_is_promised_from_the_next_one(api: Api) -> None:
    sku = api.new_product(plan=plan_body(("R-1", 2, "2027-02-01", 0), ("R-2", 10, "2027-04-01", 0)))
    with api.client(api.new_key()) as http:
        first = http.post("/v1/preorders", json=order_body(sku, quantity=2, customer="a")).json()
        second = http.post("/v1/preorders", json=order_body(sku, quantity=1, customer="b")).json()
    assert first["promise_source"] == "R-1"
    assert second["promise_source"] == "R-2"
    assert second["expected_availability"] == "2027-04-01"


def test_another_accounts_order_does_not_exist_for_you(api: Api) -> None:
    sku = api.new_product()
    with api.client(api.new_key()) as mine:
        order = mine.post("/v1/preorders", json=order_body(sku)).json()
    with api.client(api.new_key()) as theirs:
        answer = theirs.get(f"/v1/preorders/{order['id']}")
        listed = theirs.get("/v1/preorders", params={"sku": sku}).json()
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"].endswith("/not_found")
    assert listed["items"] == []


def test_orders_are_listed_with_filters_and_a_cursor(api: Api) -> None:
    sku = api.new_product()
    with api.client(api.new_key()) as http:
        placed = [http.post("/v1/preorders", json=order_body(sku, customer=f"c{i}")).json() for i in range(5)]
        page1 = http.get("/v1/preorders", params={"sku": sku, "limit": 2}).json()
        page2 = http.get(
            "/v1/preorders", params={"sku": sku, "limit": 2, "cursor": page1["next_cursor"]}
        ).json()
        page3 = http.get(
            "/v1/preorders", params={"sku": sku, "limit": 2, "cursor": page2["next_cursor"]}
        ).json()
        by_customer = http.get("/v1/preorders", params={"customer_id": "c3", "sku": sku}).json()
        by_status = http.get("/v1/preorders", params={"sku": sku, "status": "cancelled"}).json()
    listed = [o["id"] for o in page1["items"] + page2["items"] + page3["items"]]
    assert listed == [o["id"] for o in placed]
    assert page3["next_cursor"] is None
    assert [o["customer"]["id"] for o in by_customer["items"]] == ["c3"]
    assert by_status["items"] == []


def test_the_wait_time_shows_what_a_new_order_would_be_promised(api: Api) -> None:
    sku = api.new_product(plan=plan_body(("R-1", 2, "2027-02-01", 0), ("R-2", 10, "2027-04-01", 0)))
    with api.client(api.new_key()) as http:
        before = http.get(f"/v1/products/{sku}/wait-time", params={"country": "US", "region": "NY"}).json()
        http.post("/v1/preorders", json=order_body(sku, quantity=2))
        after = http.get(f"/v1/products/{sku}/wait-time", params={"country": "US"}).json()
        nowhere = http.get(f"/v1/products/{sku}/wait-time", params={"country": "FR"}).json()
    assert before["preorderable"] is True
    assert before["expected_availability"] == "2027-02-01"
    assert (after["queue_depth_units"], after["queue_depth_orders"]) == (2, 1)
    assert after["expected_availability"] == "2027-04-01"
    assert nowhere["preorderable"] is False
    assert nowhere["reason"] == "destination_not_served"


def test_the_wait_time_says_why_a_product_cannot_be_preordered(api: Api) -> None:
    sku = api.new_product(cap=1)
    closed = api.new_product(closes_at="2021-01-01T00:00:00Z")
    limited = api.new_product(limit=2)
    with api.client(api.new_key()) as http:
        http.post("/v1/preorders", json=order_body(sku))
        sold_out = http.get(f"/v1/products/{sku}/wait-time", params={"country": "US"}).json()
        window = http.get(f"/v1/products/{closed}/wait-time", params={"country": "US"}).json()
        ask = lambda quantity: http.get(  # noqa: E731
            f"/v1/products/{limited}/wait-time", params={"country": "US", "quantity": quantity}
        ).json()
        two, three = ask(2), ask(3)
        refused = http.post("/v1/preorders", json=order_body(limited, quantity=3))
    assert (sold_out["preorderable"], sold_out["reason"]) == (False, "sold_out")
    assert (window["preorderable"], window["reason"]) == (False, "window_closed")
    assert two["preorderable"] is True
    assert (three["preorderable"], three["reason"]) == (False, "customer_limit_exceeded")
    assert refused.json()["type"].endswith("/customer_limit_exceeded")
