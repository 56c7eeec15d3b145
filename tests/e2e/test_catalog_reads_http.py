"""An admin reads the catalog back as written: a product (with the price new orders pay) and a
facility's lanes."""

from __future__ import annotations

from catalog_builders import lanes_body, product_body, unique
from e2e_api import Api


def test_a_created_product_is_named_by_its_location_and_reads_back_as_written(api: Api) -> None:
    sku = unique("SKU")
    body = product_body(cap=250, limit=2, facility=unique("DC"))
    with api.admin() as admin:
        created = admin.put(f"/v1/products/{sku}", json=body)
        replaced = admin.put(f"/v1/products/{sku}", json={**body, "name": "Renamed"})
        read = admin.get(created.headers["location"]).json()
    assert created.status_code == 201 and created.headers["location"] == f"/v1/products/{sku}"
    assert replaced.status_code == 200 and "location" not in replaced.headers
    assert read["sku"] == sku and read["name"] == "Renamed"
    assert read["price"] == read["selling_price"] == body["price"] and read["price_changed_at"] is None
    assert (read["currency"], read["facility"]) == (body["currency"], body["facility"])
    terms = read["preorder"]
    assert (terms["cap_units"], terms["per_customer_limit"], terms["enabled"]) == (250, 2, True)
    assert terms["closes_at"] == body["preorder"]["closes_at"]


def test_reading_a_product_that_does_not_exist_is_not_found(api: Api) -> None:
    with api.admin() as admin:
        answer = admin.get(f"/v1/products/{unique('SKU')}")
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"


def test_a_facilitys_lanes_read_back_as_written_and_an_unknown_facility_has_none(api: Api) -> None:
    facility = unique("DC")
    with api.admin() as admin:
        assert admin.put("/v1/lanes", json=lanes_body(facility)).status_code == 200
        read = admin.get("/v1/lanes", params={"facility": facility}).json()
        unknown = admin.get("/v1/lanes", params={"facility": unique("DC")}).json()
        missing = admin.get("/v1/lanes")
    written = sorted(lanes_body(facility)["lanes"], key=lambda lane: lane.get("region") or "")
    assert [{k: v for k, v in lane.items() if v is not None} for lane in read["lanes"]] == written
    assert unknown["lanes"] == []
    assert missing.status_code == 422
