"""Whatever JSON a client sends, the answer is a clear 2xx or 4xx, never a server error."""

from __future__ import annotations

import httpx
from catalog_builders import order_body
from e2e_api import Api
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
fields = st.sampled_from(["sku", "quantity", "channel", "external_id", "customer", "extra"])


def _check(http: httpx.Client, path: str, body: object) -> None:
    answer = http.post(path, json=body)
    assert answer.status_code < 500, answer.text
    if answer.status_code >= 400:
        assert answer.headers["content-type"] == "application/problem+json"


def test_random_bodies_and_random_field_values_never_cause_a_server_error(api: Api) -> None:
    sku = api.new_product()
    with api.client(api.new_key()) as http, api.admin() as admin:

        @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
        @given(body=json_values, field=fields, value=json_values)
        def fuzz(body: object, field: str, value: object) -> None:
            _check(http, "/v1/preorders", body)
            _check(http, "/v1/preorders", {**order_body(sku), field: value})
            _check(http, f"/v1/products/{sku}/receipts", body)
            _check(admin, f"/v1/products/{sku}/receipts", {"quantity": value, "reference": "R-fuzz"})
            _check(admin, "/v1/lanes", body)

        fuzz()
