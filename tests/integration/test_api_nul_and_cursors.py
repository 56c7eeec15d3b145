"""Text the databases cannot hold and cursors the API did not issue are refused at the edge.

A NUL character (U+0000) anywhere in a request's text (the path, a query parameter, any string of a
JSON body) is 422 ``invalid_request`` naming where it was, before anything is looked up or stored;
PostgreSQL cannot store one and SQLite would store it silently. Cursors are taken only as issued.
Each test runs against a real server on SQLite and on PostgreSQL, each on a database of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from catalog_builders import lanes_body, order_body, product_body, unique
from databases import drop_postgres_database, fresh_postgres_database
from e2e_api import Api, serve

NUL_MESSAGE = "contains a NUL character"


@pytest.fixture(scope="module")
def sqlite_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    folder: Path = tmp_path_factory.mktemp("nul-sqlite")
    yield from serve(f"sqlite:///{folder / 'preorder.sqlite3'}")


@pytest.fixture(scope="module")
def postgres_api(postgres_server: str) -> Iterator[Api]:
    url = fresh_postgres_database(postgres_server)
    try:
        yield from serve(url)
    finally:
        drop_postgres_database(postgres_server, url)


@pytest.fixture(params=["sqlite", "postgres"])
def api(request: pytest.FixtureRequest) -> Api:
    return request.getfixturevalue(f"{request.param}_api")  # type: ignore[no-any-return]


def assert_invalid(answer: httpx.Response, detail: str, field: str | None = None) -> dict[str, Any]:
    """A 422 ``invalid_request`` problem with this detail (and, for a NUL, the field it names)."""
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = answer.json()
    assert body["type"] == "https://preorder-engine.dev/problems/invalid_request"
    assert body["title"] == "Invalid request"
    assert body["status"] == 422
    assert body["detail"] == detail
    if field is not None:
        assert body["errors"] == [{"field": field, "message": NUL_MESSAGE}]
    return body


def assert_nul_refused(answer: httpx.Response, field: str, detail: str | None = None) -> None:
    assert_invalid(answer, detail or f"{field} {NUL_MESSAGE}", field)


def orders_of(api: Api, key: str, sku: str) -> list[dict[str, Any]]:
    with api.client(key) as http:
        answer = http.get("/v1/preorders", params={"sku": sku, "limit": 100})
        assert answer.status_code == 200, answer.text
        return list(answer.json()["items"])


def dead_letters(api: Api) -> int:
    with api.admin() as admin:
        answer = admin.get("/v1/dead-letters", params={"pending": False, "limit": 500})
        assert answer.status_code == 200, answer.text
        return len(answer.json())


def with_value(body: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """``body`` with ``value`` at ``path`` (nested keys), made if missing."""
    inner = body
    for key in path[:-1]:
        inner = inner[key]
    inner[path[-1]] = value
    return body


def place(api: Api, key: str, sku: str) -> dict[str, Any]:
    with api.client(key) as http:
        answer = http.post("/v1/preorders", json=order_body(sku, customer=unique("c")))
        assert answer.status_code == 201, answer.text
        return dict(answer.json())


ORDER_TEXT_FIELDS = [
    ("sku",),
    ("channel",),
    ("external_id",),
    ("customer", "id"),
    ("customer", "email"),
    ("customer", "name"),
    ("customer", "shipping_address", "country"),
    ("customer", "shipping_address", "region"),
    ("customer", "shipping_address", "postal_code"),
    ("customer", "shipping_address", "city"),
    ("customer", "shipping_address", "line1"),
]


@pytest.mark.parametrize("path", ORDER_TEXT_FIELDS, ids=".".join)
def test_a_nul_in_any_text_of_an_order_is_refused_and_neither_places_it_nor_keeps_a_dead_letter(
    api: Api, path: tuple[str, ...]
) -> None:
    # given a product open for pre-orders
    sku = api.new_product()
    key = api.new_key()
    letters = dead_letters(api)
    # when an order carries a NUL in one of its texts
    body = with_value(order_body(sku, external_id=unique("ext")), path, "a\u0000b")
    with api.client(key) as http:
        answer = http.post("/v1/preorders", json=body)
    # then it is refused, naming the field, and nothing is stored
    assert_nul_refused(answer, ".".join(path))
    assert orders_of(api, key, sku) == []
    assert dead_letters(api) == letters


def test_a_nul_in_a_key_of_an_order_body_is_refused_naming_the_object_that_holds_it(api: Api) -> None:
    sku = api.new_product()
    key = api.new_key()
    body = order_body(sku)
    body["customer"]["no\u0000te"] = "x"
    with api.client(key) as http:
        answer = http.post("/v1/preorders", json=body)
    assert_nul_refused(answer, "customer", f"a key in customer {NUL_MESSAGE}")
    assert orders_of(api, key, sku) == []


@pytest.mark.parametrize(
    ("method", "path", "who"),
    [
        ("GET", "/v1/preorders/x%00y", "reader"),
        ("POST", "/v1/preorders/%00/pause", "writer"),
        ("POST", "/v1/preorders/%00/resume", "writer"),
        ("POST", "/v1/preorders/%00/cancel", "writer"),
        ("DELETE", "/v1/keys/%00", "admin"),
        ("GET", "/v1/products/A%00/wait-time?country=US", "reader"),
    ],
)
def test_a_nul_in_the_path_is_refused_before_anything_is_looked_up(
    api: Api, method: str, path: str, who: str
) -> None:
    key = api.admin_key if who == "admin" else api.new_key()
    with api.client(key) as http:
        answer = http.request(method, path)
    assert_nul_refused(answer, "path")


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/v1/preorders", {"sku": "\u0000"}, "query.sku"),
        ("/v1/preorders", {"status": "\u0000"}, "query.status"),
        ("/v1/preorders", {"customer_id": "\u0000x"}, "query.customer_id"),
        ("/v1/decisions", {"sku": "\u0000"}, "query.sku"),
        ("/v1/products/SKU-NONE/wait-time", {"country": "U\u0000"}, "query.country"),
    ],
)
def test_a_nul_in_a_query_parameter_is_refused_naming_the_parameter(
    api: Api, path: str, params: dict[str, str], field: str
) -> None:
    with api.admin() as admin:
        answer = admin.get(path, params=params)
    assert_nul_refused(answer, field)


def test_a_nul_in_the_name_of_a_query_parameter_is_refused(api: Api) -> None:
    with api.client(api.new_key()) as http:
        answer = http.get("/v1/preorders?a%00b=1")
    assert_nul_refused(answer, "query", f"a query parameter name {NUL_MESSAGE}")


@pytest.mark.parametrize("action", ["pause", "cancel"])
def test_a_nul_in_a_reason_is_refused_and_the_order_stays_as_it_was(api: Api, action: str) -> None:
    # given a waiting order
    sku = api.new_product()
    key = api.new_key()
    order = place(api, key, sku)
    # when it is paused or cancelled with a NUL in the reason
    with api.client(key) as http:
        answer = http.post(f"/v1/preorders/{order['id']}/{action}", json={"reason": "a\u0000"})
        after = http.get(f"/v1/preorders/{order['id']}").json()
    # then the request is refused and the order is unchanged
    assert_nul_refused(answer, "reason")
    assert after["status"] == order["status"]
    assert [entry["type"] for entry in after["history"]] == ["preorder_placed"]


def test_a_nul_in_a_product_name_is_refused_and_no_product_is_made(api: Api) -> None:
    sku = unique("SKU")
    with api.admin() as admin:
        answer = admin.put(f"/v1/products/{sku}", json={**product_body(), "name": "a\u0000"})
        assert_nul_refused(answer, "name")
        wait = admin.get(f"/v1/products/{sku}/wait-time", params={"country": "US"})
    assert wait.status_code == 404, wait.text
    assert wait.json()["type"].endswith("/unknown_sku")


def test_a_nul_in_a_supplier_is_refused_and_the_supply_plan_stays_as_it_was(api: Api) -> None:
    sku = api.new_product()
    plan = {
        "runs": [],
        "purchase_orders": [
            {
                "id": "PO-1",
                "supplier": "a\u0000",
                "quantity": 10,
                "expected_date": "2027-03-01",
                "spread_days": 2,
            }
        ],
        "beyond_plan": None,
    }
    with api.admin() as admin:
        before = admin.get(f"/v1/products/{sku}/supply-plan").json()
        answer = admin.put(f"/v1/products/{sku}/supply-plan", json=plan)
        assert_nul_refused(answer, "purchase_orders.0.supplier")
        assert admin.get(f"/v1/products/{sku}/supply-plan").json() == before


def test_a_nul_in_a_lane_region_is_refused_and_the_lanes_stay_as_they_were(api: Api) -> None:
    # given a product whose facility ships to the whole US
    facility = unique("DC")
    sku = unique("SKU")
    with api.admin() as admin:
        assert admin.put("/v1/lanes", json=lanes_body(facility)).status_code == 200
        assert admin.put(f"/v1/products/{sku}", json=product_body(facility=facility)).status_code == 201
        # when its lanes are replaced by one lane to a region holding a NUL
        lanes = lanes_body(facility)
        lanes["lanes"] = [{**lanes["lanes"][1], "region": "a\u0000"}]
        answer = admin.put("/v1/lanes", json=lanes)
        # then the request is refused and the facility still ships to the whole US
        assert_nul_refused(answer, "lanes.0.region")
        wait = admin.get(f"/v1/products/{sku}/wait-time", params={"country": "US"}).json()
    assert wait["reason"] != "destination_not_served"


def test_a_queue_cursor_past_the_largest_sequence_is_refused_as_a_bad_parameter(api: Api) -> None:
    sku = api.new_product()
    with api.admin() as admin:
        last = admin.get(f"/v1/products/{sku}/queue", params={"cursor": 2**63 - 1})
        past = admin.get(f"/v1/products/{sku}/queue", params={"cursor": 2**63})
    assert last.status_code == 200, last.text
    assert last.json()["items"] == []
    body = assert_invalid(past, "the request does not match the documented schema")
    assert [error["field"] for error in body["errors"]] == ["query.cursor"]


@pytest.mark.parametrize("cursor", ["!!!!", "ab=", "AGFiYw==", "AGFiYw", "YWJj=", "YW Jj"])
def test_a_list_cursor_the_api_did_not_issue_is_refused(api: Api, cursor: str) -> None:
    with api.client(api.new_key()) as http:
        answer = http.get("/v1/preorders", params={"cursor": cursor})
    assert_invalid(answer, "cursor is not one this API issued")


def test_issued_cursors_page_through_every_order_and_an_altered_one_is_refused(api: Api) -> None:
    # given three orders, listed two to a page
    sku = api.new_product()
    key = api.new_key()
    placed = [place(api, key, sku)["id"] for _ in range(3)]
    with api.client(key) as http:
        first = http.get("/v1/preorders", params={"sku": sku, "limit": 2}).json()
        cursor = first["next_cursor"]
        # when the issued cursor is passed back the next page follows; padded or with a stray character
        # (which a lenient decoder would drop) it is refused
        second = http.get("/v1/preorders", params={"sku": sku, "limit": 2, "cursor": cursor}).json()
        padded = http.get("/v1/preorders", params={"sku": sku, "cursor": cursor + "="})
        stray = http.get("/v1/preorders", params={"sku": sku, "cursor": cursor[:4] + "!" + cursor[4:]})
    # then
    assert [order["id"] for order in first["items"] + second["items"]] == placed
    assert second["next_cursor"] is None
    assert_invalid(padded, "cursor is not one this API issued")
    assert_invalid(stray, "cursor is not one this API issued")
