"""Every refusal is problem+json with a stable type, a 4xx status, and nothing written."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from catalog_builders import order_body, unique
from e2e_api import Api


def assert_problem(answer: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = answer.json()
    assert body["type"].endswith(f"/{code}")
    assert body["status"] == status
    assert body["detail"]
    return body


def stored_orders(api: Api, key: str, sku: str) -> int:
    with api.client(key) as http:
        return len(http.get("/v1/preorders", params={"sku": sku, "limit": 100}).json()["items"])


def test_a_call_without_a_valid_key_is_unauthorized(api: Api) -> None:
    sku = api.new_product()
    with api.client() as anonymous:
        assert_problem(anonymous.post("/v1/preorders", json=order_body(sku)), 401, "unauthorized")
        wait = anonymous.get(f"/v1/products/{sku}/wait-time", params={"country": "US"})
        assert_problem(wait, 401, "unauthorized")
    with api.client("pe_not-a-real-key") as forged:
        assert_problem(forged.get("/v1/preorders"), 401, "unauthorized")
        wait = forged.get(f"/v1/products/{sku}/wait-time", params={"country": "US"})
        assert_problem(wait, 401, "unauthorized")


def test_a_key_without_the_scope_is_forbidden(api: Api) -> None:
    sku = api.new_product()
    reader = api.new_key(scopes=("orders:read",))
    with api.client(reader) as http:
        assert_problem(http.post("/v1/preorders", json=order_body(sku)), 403, "forbidden")
        assert_problem(http.put(f"/v1/products/{sku}", json={}), 403, "forbidden")
    assert stored_orders(api, reader, sku) == 0


def test_a_revoked_key_stops_working_at_once(api: Api) -> None:
    with api.admin() as admin:
        issued = admin.post(f"/v1/accounts/{unique('acct')}/keys", json={"scopes": ["orders:read"]}).json()
        with api.client(issued["key"]) as http:
            assert http.get("/v1/preorders").status_code == 200
            assert admin.delete(f"/v1/keys/{issued['id']}").status_code == 204
            assert_problem(http.get("/v1/preorders"), 401, "unauthorized")
        assert admin.delete(f"/v1/keys/{issued['id']}").status_code == 204
        assert_problem(admin.delete("/v1/keys/key_missing"), 404, "not_found")


@pytest.mark.parametrize(
    ("terms", "code"),
    [
        ({"enabled": False}, "not_preorderable"),
        ({"closes_at": "2021-01-01T00:00:00Z"}, "window_closed"),
        ({"opens_at": "2098-01-01T00:00:00Z"}, "window_closed"),
    ],
)
def test_a_product_outside_its_preorder_terms_is_refused(api: Api, terms: dict[str, Any], code: str) -> None:
    sku = api.new_product(**terms)
    key = api.new_key()
    with api.client(key) as http:
        assert_problem(http.post("/v1/preorders", json=order_body(sku)), 409, code)
    assert stored_orders(api, key, sku) == 0


def test_an_unknown_sku_is_refused(api: Api) -> None:
    with api.client(api.new_key()) as http:
        assert_problem(http.post("/v1/preorders", json=order_body("NO-SUCH-SKU")), 404, "unknown_sku")


def test_a_destination_without_a_lane_is_refused(api: Api) -> None:
    sku = api.new_product()
    with api.client(api.new_key()) as http:
        body = order_body(sku, country="FR", region=None)
        assert_problem(http.post("/v1/preorders", json=body), 409, "destination_not_served")


def test_the_cap_is_never_exceeded(api: Api) -> None:
    sku = api.new_product(cap=3)
    key = api.new_key()
    with api.client(key) as http:
        assert http.post("/v1/preorders", json=order_body(sku, quantity=2, customer="a")).status_code == 201
        refusal = assert_problem(
            http.post("/v1/preorders", json=order_body(sku, quantity=2, customer="b")), 409, "sold_out"
        )
        assert refusal["units_left"] == 1
        assert http.post("/v1/preorders", json=order_body(sku, quantity=1, customer="c")).status_code == 201
    assert stored_orders(api, key, sku) == 2


def test_the_customer_limit_counts_every_channel_of_the_account(api: Api) -> None:
    sku = api.new_product(limit=2)
    key = api.new_key()
    with api.client(key) as http:
        assert (
            http.post("/v1/preorders", json=order_body(sku, customer="ana", channel="web")).status_code == 201
        )
        assert (
            http.post("/v1/preorders", json=order_body(sku, customer="ana", channel="pos")).status_code == 201
        )
        assert_problem(
            http.post("/v1/preorders", json=order_body(sku, customer="ana", channel="marketplace")),
            409,
            "customer_limit_exceeded",
        )
        assert http.post("/v1/preorders", json=order_body(sku, customer="ben")).status_code == 201
    assert stored_orders(api, key, sku) == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": -3}, "quantity"),
        ({"quantity": 10**12}, "quantity"),
        ({"quantity": "2"}, "quantity"),
        ({"quantity": 1.5}, "quantity"),
        ({"surprise": True}, "surprise"),
        ({"channel": "x" * 5000}, "channel"),
        ({"external_id": "e" * 101}, "external_id"),
        ({"sku": None}, "sku"),
        (
            {"customer": {"id": "c", "email": "not-an-email", "shipping_address": {"country": "US"}}},
            "customer.email",
        ),
        (
            {"customer": {"id": "c", "email": "a@b.co", "shipping_address": {"country": "usa"}}},
            "customer.shipping_address.country",
        ),
    ],
)
def test_an_invalid_body_names_the_field_and_writes_nothing(
    api: Api, change: dict[str, Any], field: str
) -> None:
    sku = api.new_product()
    key = api.new_key()
    with api.client(key) as http:
        body = assert_problem(
            http.post("/v1/preorders", json={**order_body(sku), **change}), 422, "invalid_request"
        )
    assert any(error["field"] == field for error in body["errors"]), body["errors"]
    assert stored_orders(api, key, sku) == 0


@pytest.mark.parametrize(
    ("raw", "status", "code"),
    [
        (b'{"sku": ', 422, "invalid_request"),
        (b'{"sku": "\xff\xfe"}', 400, "malformed_body"),
        (b"", 422, "invalid_request"),
        (b"[1, 2]", 422, "invalid_request"),
    ],
)
def test_a_body_that_is_not_json_is_a_clear_client_error(
    api: Api, raw: bytes, status: int, code: str
) -> None:
    with api.client(api.new_key()) as http:
        answer = http.post("/v1/preorders", content=raw, headers={"content-type": "application/json"})
    assert_problem(answer, status, code)


def test_a_body_sent_as_something_other_than_json_is_refused_and_writes_nothing(api: Api) -> None:
    sku = api.new_product()
    key = api.new_key()
    with api.client(key) as http:
        answer = http.post(
            "/v1/preorders", content=json.dumps(order_body(sku)), headers={"content-type": "text/plain"}
        )
    assert_problem(answer, 422, "invalid_request")
    assert stored_orders(api, key, sku) == 0


@pytest.mark.parametrize("value", ["", "has space", "k" * 256, "é"])
def test_a_malformed_idempotency_key_is_refused_and_writes_nothing(api: Api, value: str) -> None:
    sku = api.new_product()
    key = api.new_key()
    with api.client(key) as http:
        answer = http.post(
            "/v1/preorders",
            json=order_body(sku),
            headers={"Idempotency-Key": value.encode()},
        )
    body = assert_problem(answer, 422, "invalid_request")
    assert body["errors"][0]["field"] == "header.Idempotency-Key"
    assert stored_orders(api, key, sku) == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"country": "usa"}, "query.country"),
        ({}, "query.country"),
        ({"country": "US", "quantity": "0"}, "query.quantity"),
        ({"country": "US", "quantity": "many"}, "query.quantity"),
        ({"country": "US", "region": "r" * 65}, "query.region"),
    ],
)
def test_a_wait_time_question_with_a_bad_parameter_names_it(
    api: Api, params: dict[str, str], field: str
) -> None:
    sku = api.new_product()
    with api.client(api.new_key()) as http:
        answer = http.get(f"/v1/products/{sku}/wait-time", params=params)
        body = assert_problem(answer, 422, "invalid_request")
        bad_sku = http.get("/v1/products/-no/wait-time", params={"country": "US"})
    assert [error["field"] for error in body["errors"]] == [field]
    assert assert_problem(bad_sku, 422, "invalid_request")["errors"][0]["field"] == "path.sku"


@pytest.mark.parametrize("status", ["bogus", "PAUSED", ""])
def test_listing_orders_by_a_status_that_does_not_exist_names_the_parameter(api: Api, status: str) -> None:
    with api.client(api.new_key()) as http:
        answer = http.get("/v1/preorders", params={"status": status})
    assert [error["field"] for error in assert_problem(answer, 422, "invalid_request")["errors"]] == [
        "query.status"
    ]


def test_a_value_the_engine_refuses_is_named_in_field_errors_like_a_schema_refusal(api: Api) -> None:
    sku = api.new_product()
    with api.client(api.new_key()) as http, api.admin() as admin:
        cursor = http.get("/v1/preorders", params={"cursor": "abc"})
        lot = admin.post(
            f"/v1/products/{sku}/receipts", json={"quantity": 1, "reference": "R", "lot": "NOPE"}
        )
        scopes = admin.post(f"/v1/accounts/{unique('acct')}/keys", json={"scopes": ["bogus"]})
    for answer, field in ((cursor, "query.cursor"), (lot, "lot"), (scopes, "scopes")):
        body = assert_problem(answer, 422, "invalid_request")
        assert body["errors"] == [{"field": field, "message": body["detail"]}]


def test_the_api_documents_its_refusals_as_the_problems_it_sends(api: Api) -> None:
    with api.client() as http:
        schema = http.get("/openapi.json").json()
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    operations = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    for path, method, operation in operations:
        errors = {
            code: r for code, r in operation["responses"].items() if code.isdigit() and int(code) >= 400
        }
        assert all(r["content"] == problem for r in errors.values()), (path, method)
        if path.startswith("/v1/"):
            assert {"401", "503"} <= set(errors), (path, method)
    assert "422" in schema["paths"]["/v1/preorders"]["post"]["responses"]
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    assert set(schema["components"]["schemas"]["Problem"]["required"]) == {
        "type",
        "title",
        "status",
        "detail",
    }


def test_the_placing_route_documents_its_body_and_idempotency_key(api: Api) -> None:
    with api.client() as http:
        schema = http.get("/openapi.json").json()
    operation = schema["paths"]["/v1/preorders"]["post"]
    body_schema = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body_schema == "#/components/schemas/PreorderCreate"
    placed = schema["components"]["schemas"]["PreorderCreate"]
    assert set(placed["required"]) == {"sku", "quantity", "customer", "channel"}
    assert placed["additionalProperties"] is False
    assert "CustomerIn" in schema["components"]["schemas"]
    (header,) = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
    assert header["in"] == "header" and header["schema"]["maxLength"] == 255
    asked = {p["name"]: p for p in schema["paths"]["/v1/products/{sku}/wait-time"]["get"]["parameters"]}
    assert (asked["sku"]["in"], asked["sku"]["required"]) == ("path", True)
    assert (asked["country"]["in"], asked["country"]["required"]) == ("query", True)
    assert asked["quantity"]["schema"]["maximum"] == 1000 and not asked["region"]["required"]


def test_an_oversized_body_is_refused_before_it_is_read(api: Api) -> None:
    sku = api.new_product()
    key = api.new_key()
    body = order_body(sku)
    body["customer"]["name"] = "n" * 20_000
    with api.client(key) as http:
        assert_problem(http.post("/v1/preorders", json=body), 413, "payload_too_large")

        def chunks():  # no content-length: the limit is enforced while streaming
            yield b'{"sku": "' + b"x" * 10_000
            yield b"y" * 10_000 + b'"}'

        streamed = http.post("/v1/preorders", content=chunks(), headers={"content-type": "application/json"})
        assert_problem(streamed, 413, "payload_too_large")
    assert stored_orders(api, key, sku) == 0


def test_unknown_routes_and_methods_answer_problems_too(api: Api) -> None:
    with api.client(api.new_key()) as http:
        assert_problem(http.get("/v1/nothing-here"), 404, "not_found")
        not_allowed = http.delete("/v1/preorders")
        assert_problem(not_allowed, 405, "method_not_allowed")
        assert set(not_allowed.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}


def test_head_answers_like_get_without_a_body(api: Api) -> None:
    sku = api.new_product()
    with api.client(api.new_key()) as http:
        order = http.post("/v1/preorders", json=order_body(sku)).json()
        for path in (f"/v1/preorders/{order['id']}", "/health", "/openapi.json"):
            got, head = http.get(path), http.head(path)
            assert (head.status_code, head.content) == (200, b""), path
            assert head.headers["content-type"] == got.headers["content-type"]
            assert head.headers["content-length"] == got.headers["content-length"]
        missing = http.head("/v1/preorders/0000000000000000000000000")
        assert (missing.status_code, missing.headers["content-type"]) == (404, "application/problem+json")
    with api.client() as anonymous:
        assert anonymous.head(f"/v1/preorders/{order['id']}").status_code == 401
