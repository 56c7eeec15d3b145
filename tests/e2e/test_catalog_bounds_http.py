"""Catalog and receipt input past what promises can count with is refused, and the product keeps working:
dates on the calendar (2000-01-01 to 2999-12-31), aware times, transit and supply spreads of at most a
year, receipts that reuse a reference for different goods."""

from __future__ import annotations

from typing import Any

import pytest
from catalog_builders import lanes_body, order_body, plan_body, product_body, unique
from e2e_api import Api
from test_refusals_http import assert_problem


def product_with_an_order(api: Api) -> tuple[str, str]:
    """A product with one order in its line; returns the SKU and the order key."""
    sku, key = api.new_product(), api.new_key()
    with api.client(key) as http:
        assert http.post("/v1/preorders", json=order_body(sku)).status_code == 201
    return sku, key


def still_works(api: Api, sku: str, key: str) -> None:
    with api.admin() as admin:
        assert admin.get(f"/v1/products/{sku}/queue").status_code == 200
        assert admin.get("/v1/conflicts").status_code == 200
        plan = admin.get(f"/v1/products/{sku}/supply-plan").json()["plan"]
        assert [run["expected_date"] for run in plan["runs"]] == ["2027-02-01"]
    with api.client(key) as http:
        wait = http.get(f"/v1/products/{sku}/wait-time", params={"country": "US"})
        assert wait.status_code == 200, wait.text
        assert http.post("/v1/preorders", json=order_body(sku, customer="c-2")).status_code == 201


@pytest.mark.parametrize("when", ["9999-12-31", "3000-01-01", "1999-12-31"])
def test_a_supply_plan_dated_off_the_calendar_is_refused_and_the_product_keeps_working(
    api: Api, when: str
) -> None:
    sku, key = product_with_an_order(api)
    with api.admin() as admin:
        answer = admin.put(f"/v1/products/{sku}/supply-plan", json=plan_body(("R-1", 10, when, 0)))
    body = assert_problem(answer, 422, "invalid_request")
    assert "expected_date" in str(body["errors"])
    still_works(api, sku, key)


@pytest.mark.parametrize(
    "transit",
    [
        {"p10": 0, "p50": 0, "p90": 3650},
        {"p10": 400, "p50": 400, "p90": 400},
        {"p10": 0, "p50": 365, "p90": 365},
        {"p10": 0, "p50": 30, "p90": 365},
    ],
    ids=["ten-years-at-p90", "over-a-year-everywhere", "a-year-with-a-same-day-p10", "a-long-fitted-tail"],
)
def test_a_lane_with_transit_quantiles_over_a_year_is_refused(api: Api, transit: dict[str, float]) -> None:
    lane = {"facility": unique("DC"), "country": "US", "handling_days": 1, "transit_days": transit}
    with api.admin() as admin:
        assert_problem(admin.put("/v1/lanes", json={"lanes": [lane]}), 422, "invalid_request")


@pytest.mark.parametrize(
    "transit",
    [{"p10": 0, "p50": 0, "p90": 365}, {"p10": 0, "p50": 2, "p90": 365}, {"p10": 10, "p50": 60, "p90": 120}],
    ids=["same-day-or-a-year", "two-days-or-a-year", "ocean-freight"],
)
def test_wide_lanes_within_the_bounds_still_answer_a_wait_time_question(
    api: Api, transit: dict[str, float]
) -> None:
    sku, facility, key = unique("SKU"), unique("DC"), api.new_key()
    lanes = lanes_body(facility)
    lanes["lanes"][0]["transit_days"] = transit
    with api.admin() as admin:
        assert admin.put("/v1/lanes", json=lanes).status_code == 200
        assert admin.put(f"/v1/products/{sku}", json=product_body(facility=facility)).status_code == 201
        plan = plan_body(("R-1", 100, "2027-02-01", 120))  # the widest supply spread too
        assert admin.put(f"/v1/products/{sku}/supply-plan", json=plan).status_code == 200
    with api.client(key) as http:
        wait = http.get(f"/v1/products/{sku}/wait-time", params={"country": "US"})
    assert wait.status_code == 200, wait.text
    assert wait.json()["delivery_window"]["latest"] > wait.json()["delivery_window"]["earliest"]


@pytest.mark.parametrize(
    "terms",
    [
        {"opens_at": "0001-01-01T00:00:00+14:00"},
        {"closes_at": "9999-12-31T23:59:59-14:00"},
        {"opens_at": "2026-11-01T00:00:00"},
    ],
    ids=["year-one-east-of-utc", "year-9999-west-of-utc", "no-time-zone"],
)
def test_product_terms_off_the_calendar_or_without_a_zone_are_refused(
    api: Api, terms: dict[str, str]
) -> None:
    body: dict[str, Any] = product_body(facility=unique("DC"))
    body["preorder"] |= terms
    with api.admin() as admin:
        answer = admin.put(f"/v1/products/{unique('SKU')}", json=body)
    assert_problem(answer, 422, "invalid_request")


@pytest.mark.parametrize(
    "received_at",
    ["2026-12-01T10:00:00", "9999-12-31T00:00:00Z", "0001-01-01T00:00:00+14:00"],
    ids=["no-time-zone", "year-9999", "year-one-east-of-utc"],
)
def test_a_receipt_time_off_the_calendar_or_without_a_zone_is_refused_and_allocates_nothing(
    api: Api, received_at: str
) -> None:
    sku, _ = product_with_an_order(api)
    with api.admin() as admin:
        answer = admin.post(
            f"/v1/products/{sku}/receipts",
            json={"quantity": 5, "reference": unique("GRN"), "received_at": received_at},
        )
        assert_problem(answer, 422, "invalid_request")
        assert admin.get(f"/v1/products/{sku}/queue").json()["totals"]["units_allocated"] == 0


def test_a_receipt_reference_reused_for_other_goods_is_a_conflict_not_a_silent_replay(api: Api) -> None:
    sku, _ = product_with_an_order(api)
    reference = unique("GRN")
    with api.admin() as admin:
        first = admin.post(f"/v1/products/{sku}/receipts", json={"quantity": 5, "reference": reference})
        assert first.status_code == 201, first.text
        same = admin.post(f"/v1/products/{sku}/receipts", json={"quantity": 5, "reference": reference})
        assert same.status_code == 200 and same.json() == first.json()
        other = admin.post(f"/v1/products/{sku}/receipts", json={"quantity": 7, "reference": reference})
        body = assert_problem(other, 409, "receipt_reference_mismatch")
        assert reference in body["detail"]
        totals = admin.get(f"/v1/products/{sku}/queue").json()["totals"]
    assert totals["units_allocated"] == 1


def test_the_supply_plan_of_an_unknown_product_is_not_found(api: Api) -> None:
    with api.admin() as admin:
        answer = admin.get(f"/v1/products/{unique('SKU')}/supply-plan")
    assert_problem(answer, 404, "unknown_sku")
