"""Promises follow the lanes: replacing a facility's lanes, or moving a product to another facility,
re-promises the orders in line at once, each with the reason in its history."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from catalog_builders import lanes_body, order_body, plan_body, product_body, unique
from e2e_api import Api


def place(http: httpx.Client, sku: str, region: str = "CA") -> dict[str, Any]:
    answer = http.post("/v1/preorders", json=order_body(sku, customer=unique("c"), region=region))
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


def slow_lanes(facility: str, handling_days: int) -> dict[str, Any]:
    body = lanes_body(facility)
    for lane in body["lanes"]:
        lane["handling_days"] = handling_days
    return body


def all_conflicts(admin: httpx.Client) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while page := admin.get("/v1/conflicts", params={"limit": 500, "offset": len(found)}).json()["items"]:
        found += page
    return found


def window(order: dict[str, Any]) -> tuple[date, date]:
    return (
        date.fromisoformat(order["delivery_window"]["earliest"]),
        date.fromisoformat(order["delivery_window"]["latest"]),
    )


def test_replacing_a_facilitys_lanes_re_promises_the_orders_it_ships_with_the_reason(api: Api) -> None:
    sku = api.new_product()
    with api.client(api.new_key()) as http, api.admin() as admin:
        facility = admin.get(f"/v1/products/{sku}").json()["facility"]
        order = place(http, sku)
        answer = admin.put("/v1/lanes", json=slow_lanes(facility, handling_days=11))
        assert answer.status_code == 200, answer.text
        now = http.get(f"/v1/preorders/{order['id']}").json()
    before, after = window(order), window(now)
    assert (after[0] - before[0]).days == 10 and (after[1] - before[1]).days == 10
    assert now["expected_availability"] == order["expected_availability"]  # the supply did not move
    change = now["history"][-1]
    assert change["type"] == "promise_changed"
    assert f"delivery lanes from {facility} replaced" in change["cause"]


def test_lanes_of_another_facility_leave_the_orders_alone(api: Api) -> None:
    sku = api.new_product()
    with api.client(api.new_key()) as http, api.admin() as admin:
        order = place(http, sku)
        before = http.get(f"/v1/preorders/{order['id']}").json()
        assert admin.put("/v1/lanes", json=slow_lanes(unique("DC"), handling_days=11)).status_code == 200
        now = http.get(f"/v1/preorders/{order['id']}").json()
    assert window(now) == window(order)
    assert now["history"] == before["history"]


def test_a_product_moved_to_another_facility_is_promised_from_that_facilitys_lanes(api: Api) -> None:
    sku = api.new_product()
    slower = unique("DC")
    with api.client(api.new_key()) as http, api.admin() as admin:
        assert admin.put("/v1/lanes", json=slow_lanes(slower, handling_days=6)).status_code == 200
        order = place(http, sku)
        moved = admin.put(f"/v1/products/{sku}", json=product_body(facility=slower))
        assert moved.status_code == 200, moved.text
        now = http.get(f"/v1/preorders/{order['id']}").json()
    assert (window(now)[0] - window(order)[0]).days == 5
    assert f"ships from {slower} instead of" in now["history"][-1]["cause"]


def test_an_order_whose_destination_lost_its_lane_keeps_its_dates_and_is_flagged(api: Api) -> None:
    sku = api.new_product()
    with api.client(api.new_key()) as http, api.admin() as admin:
        facility = admin.get(f"/v1/products/{sku}").json()["facility"]
        order = place(http, sku, region="NY")
        # Without its own lane, NY is served by the country-wide one: promised from it, not flagged
        country_wide = {
            "lanes": [lane for lane in lanes_body(facility)["lanes"] if lane.get("region") != "NY"]
        }
        assert admin.put("/v1/lanes", json=country_wide).status_code == 200
        now = http.get(f"/v1/preorders/{order['id']}").json()
        assert window(now) != window(order) and now["conflict"] is None
        # With lanes to Canada only, nothing serves it: it keeps its dates and is listed as a conflict
        canada = {"lanes": [{**country_wide["lanes"][0], "country": "CA"}]}
        assert admin.put("/v1/lanes", json=canada).status_code == 200
        # and its dates stay, even when its supply moves afterwards
        later = plan_body(("R-1", 1000, "2027-03-15", 3))
        assert admin.put(f"/v1/products/{sku}/supply-plan", json=later).status_code == 200
        gone = http.get(f"/v1/preorders/{order['id']}").json()
        flagged = [c for c in all_conflicts(admin) if c["sku"] == sku]
    assert window(gone) == window(now)
    assert gone["expected_availability"] == now["expected_availability"]
    assert gone["conflict"] == "no delivery lane serves this destination any more"
    assert [c["id"] for c in flagged] == [order["id"]]


def test_every_line_a_facility_ships_is_promised_again_and_no_other(api: Api) -> None:
    first = api.new_product()
    with api.client(api.new_key()) as http, api.admin() as admin:
        facility = admin.get(f"/v1/products/{first}").json()["facility"]
        second = unique("SKU")
        assert admin.put(f"/v1/products/{second}", json=product_body(facility=facility)).status_code == 201
        plan = plan_body(("R-1", 100, "2027-02-01", 3))
        assert admin.put(f"/v1/products/{second}/supply-plan", json=plan).status_code == 200
        elsewhere = api.new_product()
        orders = [place(http, sku) for sku in (first, second, elsewhere)]
        assert admin.put("/v1/lanes", json=slow_lanes(facility, handling_days=4)).status_code == 200
        now = [http.get(f"/v1/preorders/{order['id']}").json() for order in orders]
    moved = [(window(after)[0] - window(before)[0]).days for before, after in zip(orders, now, strict=True)]
    assert moved == [3, 3, 0]
