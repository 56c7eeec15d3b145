"""Exactly one order per intent: retried requests return the first answer and create nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from catalog_builders import order_body, unique
from e2e_api import Api


def count(api: Api, key: str, sku: str) -> int:
    with api.client(key) as http:
        return len(http.get("/v1/preorders", params={"sku": sku, "limit": 100}).json()["items"])


def test_a_retry_with_the_same_key_returns_the_first_answer(api: Api) -> None:
    sku = api.new_product()
    key = api.new_key()
    idempotency = {"Idempotency-Key": unique("idem")}
    with api.client(key) as http:
        first = http.post("/v1/preorders", json=order_body(sku), headers=idempotency)
        http.post("/v1/preorders", json=order_body(sku, customer="someone-else"))  # the queue moves on
        again = http.post("/v1/preorders", json=order_body(sku), headers=idempotency)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert count(api, key, sku) == 2


def test_a_retry_with_the_same_external_id_returns_the_first_answer(api: Api) -> None:
    sku = api.new_product()
    key = api.new_key()
    body = order_body(sku, external_id=unique("shop-order"))
    with api.client(key) as http:
        first = http.post("/v1/preorders", json=body)
        again = http.post("/v1/preorders", json=body)
        other_channel = http.post("/v1/preorders", json={**body, "channel": "pos"})
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert other_channel.status_code == 201 and other_channel.json()["id"] != first.json()["id"]
    assert count(api, key, sku) == 2


def test_a_new_key_on_a_replay_keeps_naming_the_first_order(api: Api) -> None:
    # Given an order placed under an external id and one key, then retried under a second key
    sku = api.new_product()
    key = api.new_key()
    body = order_body(sku, external_id=unique("shop-order"))
    first_key, second_key = {"Idempotency-Key": unique("idem")}, {"Idempotency-Key": unique("idem")}
    with api.client(key) as http:
        first = http.post("/v1/preorders", json=body, headers=first_key)
        again = http.post("/v1/preorders", json=body, headers=second_key)
        # When the second key comes with another order, and the retry under it comes once more
        other = http.post(
            "/v1/preorders", json=order_body(sku, external_id=unique("shop-order")), headers=second_key
        )
        retried = http.post("/v1/preorders", json=body, headers=second_key)
    # Then the second key names the first order only: the other order is refused, the retry replays
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert other.status_code == 409, other.text
    assert other.json()["type"].endswith("/idempotency_key_mismatch")
    assert retried.status_code == 201 and retried.json() == first.json()
    assert count(api, key, sku) == 1


def test_a_key_reused_with_a_different_body_is_refused(api: Api) -> None:
    sku = api.new_product()
    key = api.new_key()
    idempotency = {"Idempotency-Key": unique("idem")}
    with api.client(key) as http:
        assert http.post("/v1/preorders", json=order_body(sku), headers=idempotency).status_code == 201
        answer = http.post("/v1/preorders", json=order_body(sku, quantity=2), headers=idempotency)
    assert answer.status_code == 409
    assert answer.json()["type"].endswith("/idempotency_key_mismatch")
    assert count(api, key, sku) == 1


def test_the_same_key_in_two_accounts_means_two_orders(api: Api) -> None:
    sku = api.new_product()
    idempotency = {"Idempotency-Key": unique("idem")}
    ids = set()
    for key in (api.new_key(), api.new_key()):
        with api.client(key) as http:
            ids.add(http.post("/v1/preorders", json=order_body(sku), headers=idempotency).json()["id"])
    assert len(ids) == 2


def test_fifty_concurrent_requests_with_one_key_create_one_order(api: Api) -> None:
    sku = api.new_product()
    key = api.new_key()
    idempotency = {"Idempotency-Key": unique("idem")}
    with api.client(key) as http, ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(
            pool.map(
                lambda _: http.post("/v1/preorders", json=order_body(sku), headers=idempotency), range(50)
            )
        )
    created = [a for a in answers if a.status_code == 201 and "idempotent-replayed" not in a.headers]
    replays = [a for a in answers if a.headers.get("idempotent-replayed") == "true"]
    in_use = [
        a for a in answers if a.status_code == 409 and a.json()["type"].endswith("/idempotency_key_in_use")
    ]
    assert len(created) == 1
    assert len(created) + len(replays) + len(in_use) == 50
    assert all(a.json() == created[0].json() for a in replays)
    assert count(api, key, sku) == 1
