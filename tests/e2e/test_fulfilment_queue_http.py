"""The fulfilment queue over real HTTP: pause and resume keep the place, receipts follow the line,
cancellations free units, plan changes re-promise with a reason, conflicts are listed."""

from __future__ import annotations

import time
from typing import Any

import httpx
from catalog_builders import order_body, plan_body, unique
from e2e_api import Api


def place(http: httpx.Client, sku: str, quantity: int = 1, customer: str | None = None) -> dict[str, Any]:
    answer = http.post(
        "/v1/preorders", json=order_body(sku, quantity=quantity, customer=customer or unique("c"))
    )
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


def receive(api: Api, sku: str, quantity: int, reference: str | None = None, **extra: Any) -> httpx.Response:
    with api.admin() as admin:
        body = {"quantity": quantity, "reference": reference or unique("RCPT"), **extra}
        return admin.post(f"/v1/products/{sku}/receipts", json=body)


def test_a_paused_order_keeps_its_place_and_shows_the_promise_it_would_have_on_resume(api: Api) -> None:
    sku = api.new_product()
    with api.client(api.new_key()) as http:
        first, second = place(http, sku), place(http, sku)
        paused = http.post(f"/v1/preorders/{first['id']}/pause", json={"reason": "moving house"}).json()
        assert paused["status"] == "paused"
        assert paused["delivery_window"] is None and paused["expected_availability"] is None
        assert paused["promise_on_resume"]["delivery_window"] == first["delivery_window"]
        assert paused["queue_position"] == 1
        assert http.get(f"/v1/preorders/{second['id']}").json()["queue_position"] == 2
        again = http.post(f"/v1/preorders/{first['id']}/pause")
        assert again.status_code == 200 and again.json()["status"] == "paused"
        resumed = http.post(f"/v1/preorders/{first['id']}/resume").json()
    assert resumed["status"] == "pre_order"
    assert resumed["queue_position"] == 1
    assert resumed["number"] == first["number"]
    assert [entry["type"] for entry in resumed["history"]] == [
        "preorder_placed",
        "preorder_paused",
        "preorder_resumed",
    ]


def test_a_receipt_goes_to_waiting_orders_in_sequence_skipping_paused_ones(api: Api) -> None:
    sku = api.new_product()
    with api.client(api.new_key()) as http:
        a, b, c, d = place(http, sku, 2), place(http, sku, 1), place(http, sku, 3), place(http, sku, 1)
        http.post(f"/v1/preorders/{b['id']}/pause")
        # 4 units: a (2) gets its line, b is paused and skipped, c (3) does not fit -> allocation stops there
        answer = receive(api, sku, 4, reference="R-IN-1")
        assert answer.status_code == 201, answer.text
        assert answer.json()["allocated_orders"] == [a["id"]]
        assert answer.json()["units_left_on_hand"] == 2
        # b resumes: it is ahead of c and d, and the 2 units on hand are its to take first
        http.post(f"/v1/preorders/{b['id']}/resume")
        statuses = {
            o: http.get(f"/v1/preorders/{o}").json()["status"] for o in (a["id"], b["id"], c["id"], d["id"])
        }
    assert statuses == {
        a["id"]: "allocated",
        b["id"]: "allocated",
        c["id"]: "pre_order",
        d["id"]: "pre_order",
    }


def test_an_order_that_receives_its_units_is_promised_from_the_shelf_and_says_why(api: Api) -> None:
    # Given an order promised from a run due on 2027-02-01
    sku = api.new_product()
    with api.client(api.new_key()) as http:
        placed = place(http, sku, 1)
        # When its units arrive early
        assert receive(api, sku, 1, reference="R-SHELF-1").status_code == 201
        order = http.get(f"/v1/preorders/{placed['id']}").json()
    # Then its promise says the units are in hand today, and the window moved earlier with them
    change = order["history"][-1]
    assert change["type"] == "preorder_allocated"
    today = change["at"][:10]
    assert order["status"] == "allocated"
    assert order["expected_availability"] == today < placed["expected_availability"]
    window, before = order["delivery_window"], placed["delivery_window"]
    assert today <= window["earliest"] <= window["latest"] < before["latest"]
    assert change["cause"] == "receipt R-SHELF-1"
    assert change["data"]["before"]["expected_availability"] == placed["expected_availability"]
    assert change["data"]["after"]["source"] == "on hand"


def test_an_order_behind_only_paused_orders_takes_units_on_the_shelf_at_once(api: Api) -> None:
    # Given a paused order, and a unit that arrived while it was paused (it stays on the shelf)
    sku = api.new_product()
    with api.client(api.new_key()) as http:
        paused = place(http, sku, 1)
        http.post(f"/v1/preorders/{paused['id']}/pause")
        assert receive(api, sku, 1, reference="R-SHELF-2").json()["allocated_orders"] == []
        before = http.get(f"/v1/preorders/{paused['id']}").json()["promise_on_resume"]
        # When a new order arrives behind it (the wait time, asked first, says what it will get)
        asked = http.get(f"/v1/products/{sku}/wait-time", params={"country": "US", "region": "CA"}).json()
        later = place(http, sku, 1)
        assert asked["expected_availability"] == later["expected_availability"]
        assert asked["delivery_window"] == later["delivery_window"]
        # Then the new order is served from the shelf at once (allocation skips paused orders)
        assert later["status"] == "allocated"
        today = later["expected_availability"]
        assert before["expected_availability"] == today < paused["expected_availability"]
        # and the paused order's promise on resuming no longer counts on that unit, saying why
        again = http.get(f"/v1/preorders/{paused['id']}").json()
    assert again["promise_on_resume"]["expected_availability"] == paused["expected_availability"]
    assert again["history"][-1]["type"] == "promise_changed"
    assert later["number"] in again["history"][-1]["cause"]


def test_the_same_receipt_reference_is_applied_once(api: Api) -> None:
    sku = api.new_product()
    with api.client(api.new_key()) as http:
        place(http, sku), place(http, sku)
    first = receive(api, sku, 1, reference="DUP-1")
    again = receive(api, sku, 1, reference="DUP-1")
    assert first.status_code == 201 and again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    with api.admin() as admin:
        totals = admin.get(f"/v1/products/{sku}/queue").json()["totals"]
    assert (totals["units_allocated"], totals["units_active"]) == (1, 1)


def test_a_receipts_time_given_in_another_zone_is_shown_in_utc_first_and_on_replay(api: Api) -> None:
    sku = api.new_product()
    reference = unique("RCPT")
    first = receive(api, sku, 1, reference, received_at="2026-11-30T10:00:00+09:00")
    again = receive(api, sku, 1, reference, received_at="2026-11-30T10:00:00+09:00")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["received_at"] == again.json()["received_at"] == "2026-11-30T01:00:00Z"


def test_a_receipt_naming_a_run_lowers_what_the_run_still_owes(api: Api) -> None:
    sku = api.new_product(plan=plan_body(("R-1", 10, "2027-02-01", 0)))
    assert receive(api, sku, 4, lot="R-1").status_code == 201
    assert receive(api, sku, 1, lot="NOT-A-RUN").status_code == 422
    with api.admin() as admin:
        plan = admin.get(f"/v1/products/{sku}/supply-plan").json()
    assert plan["plan"]["runs"][0]["quantity"] == 6


def test_cancelling_frees_units_under_the_cap_and_moves_everyone_behind_forward(api: Api) -> None:
    sku = api.new_product(cap=3)
    with api.client(api.new_key()) as http:
        a, b = place(http, sku, 2), place(http, sku, 1)
        assert http.post("/v1/preorders", json=order_body(sku)).status_code == 409  # sold out
        cancelled = http.post(f"/v1/preorders/{a['id']}/cancel", json={"reason": "changed my mind"}).json()
        assert cancelled["status"] == "cancelled" and cancelled["queue_position"] is None
        assert http.get(f"/v1/preorders/{b['id']}").json()["queue_position"] == 1
        assert http.get(f"/v1/preorders/{b['id']}").json()["units_ahead"] == 0
        assert http.post("/v1/preorders", json=order_body(sku, customer="new")).status_code == 201
        assert http.post(f"/v1/preorders/{a['id']}/cancel").status_code == 200  # harmless repeat


def test_an_allocated_order_cancelled_gives_its_units_to_the_next_in_line(api: Api) -> None:
    sku = api.new_product()
    with api.client(api.new_key()) as http:
        a, b = place(http, sku, 2), place(http, sku, 2)
        receive(api, sku, 2)
        assert http.get(f"/v1/preorders/{a['id']}").json()["status"] == "allocated"
        http.post(f"/v1/preorders/{a['id']}/cancel")
        assert http.get(f"/v1/preorders/{b['id']}").json()["status"] == "allocated"


def test_invalid_transitions_are_409_with_the_current_status(api: Api) -> None:
    sku = api.new_product()
    with api.client(api.new_key()) as http:
        waiting, allocated, cancelled = place(http, sku), place(http, sku), place(http, sku)
        http.post(f"/v1/preorders/{cancelled['id']}/cancel")
        http.post(f"/v1/preorders/{waiting['id']}/pause")
        receive(api, sku, 1)  # the waiting order is paused, so the next one is served
        cases = [
            (f"/v1/preorders/{cancelled['id']}/pause", "cancelled"),
            (f"/v1/preorders/{cancelled['id']}/resume", "cancelled"),
            (f"/v1/preorders/{allocated['id']}/pause", "allocated"),
            (f"/v1/preorders/{allocated['id']}/resume", "allocated"),
        ]
        for path, current in cases:
            answer = http.post(path)
            assert answer.status_code == 409, (path, answer.text)
            assert answer.json()["type"].endswith("/invalid_transition")
            assert answer.json()["current_status"] == current
        never_paused = place(http, sku)
        answer = http.post(f"/v1/preorders/{never_paused['id']}/resume")
        assert answer.status_code == 409 and answer.json()["current_status"] == "pre_order"


def test_a_cap_below_the_units_orders_hold_is_refused_and_changes_nothing(api: Api) -> None:
    sku = api.new_product(cap=10)
    with api.client(api.new_key()) as http, api.admin() as admin:
        place(http, sku, 3)
        product = admin.get(f"/v1/products/{sku}").json()
        lowered = {k: product[k] for k in ("name", "price", "currency", "facility")}
        refused = admin.put(
            f"/v1/products/{sku}", json={**lowered, "preorder": {**product["preorder"], "cap_units": 2}}
        )
        kept = admin.get(f"/v1/products/{sku}").json()["preorder"]["cap_units"]
        exact = admin.put(
            f"/v1/products/{sku}", json={**lowered, "preorder": {**product["preorder"], "cap_units": 3}}
        )
        sold_out = http.post("/v1/preorders", json=order_body(sku, customer=unique("c")))
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/cap_below_reserved") and refused.json()["units_reserved"] == 3
    assert kept == 10
    assert exact.status_code == 200
    assert sold_out.json()["type"].endswith("/sold_out")


def test_another_accounts_order_cannot_be_paused_or_cancelled(api: Api) -> None:
    sku = api.new_product()
    with api.client(api.new_key()) as mine:
        order = place(mine, sku)
    with api.client(api.new_key()) as theirs:
        assert theirs.post(f"/v1/preorders/{order['id']}/pause").status_code == 404
        assert theirs.post(f"/v1/preorders/{order['id']}/cancel").status_code == 404


def all_conflicts(admin: httpx.Client) -> list[dict[str, Any]]:
    """Every flagged order, page by page (other tests sharing the database flag orders too)."""
    found: list[dict[str, Any]] = []
    while page := admin.get("/v1/conflicts", params={"limit": 500, "offset": len(found)}).json()["items"]:
        found += page
    return found


def test_a_slipped_run_re_promises_the_queue_with_the_reason_and_flags_conflicts(api: Api) -> None:
    sku = api.new_product(plan=plan_body(("R-12", 100, "2027-02-01", 0)))
    with api.client(api.new_key()) as http, api.admin() as admin:
        orders = [place(http, sku) for _ in range(3)]
        answer = admin.put(f"/v1/products/{sku}/supply-plan", json=plan_body(("R-12", 100, "2027-02-10", 0)))
        assert answer.status_code == 200
        moved = http.get(f"/v1/preorders/{orders[0]['id']}").json()
        conflicts = all_conflicts(admin)
    assert moved["expected_availability"] == "2027-02-10"
    change = moved["history"][-1]
    assert change["type"] == "promise_changed"
    assert "run R-12 slipped 9 days" in change["cause"]
    assert change["data"]["before"]["expected_availability"] == "2027-02-01"
    assert change["data"]["after"]["expected_availability"] == "2027-02-10"
    flagged = [c for c in conflicts if c["sku"] == sku]
    assert {c["id"] for c in flagged} == {o["id"] for o in orders}
    assert all(c["conflict_days"] == 9 for c in flagged)


def test_the_queue_lists_orders_in_sequence_with_totals(api: Api) -> None:
    sku = api.new_product()
    with api.client(api.new_key()) as http:
        placed = [place(http, sku, 2) for _ in range(5)]
        http.post(f"/v1/preorders/{placed[1]['id']}/pause")
    receive(api, sku, 2)
    with api.admin() as admin:
        page1 = admin.get(f"/v1/products/{sku}/queue", params={"limit": 3}).json()
        page2 = admin.get(
            f"/v1/products/{sku}/queue", params={"limit": 3, "cursor": page1["next_cursor"]}
        ).json()
    listed = page1["items"] + page2["items"]
    assert [o["id"] for o in listed] == [o["id"] for o in placed]
    assert [o["status"] for o in listed] == ["allocated", "paused", "pre_order", "pre_order", "pre_order"]
    assert page1["totals"] == {
        "units_reserved": 10,
        "units_active": 6,
        "units_paused": 2,
        "orders_in_line": 4,
        "units_allocated": 2,
        "units_on_hand": 0,
        "cap_units": 100,
    }
    assert page2["next_cursor"] is None


def test_an_order_paused_past_the_maximum_resumes_by_itself(api: Api) -> None:
    sku = api.new_product(max_pause_days=0)
    with api.client(api.new_key()) as http:
        order = place(http, sku)
        http.post(f"/v1/preorders/{order['id']}/pause")
        deadline = time.monotonic() + 15
        while (now := http.get(f"/v1/preorders/{order['id']}").json())["status"] == "paused":
            assert time.monotonic() < deadline, "the pause sweep did not resume the order"
            time.sleep(0.1)
    assert now["status"] == "pre_order"
    assert now["history"][-1]["type"] == "preorder_resumed"
    assert "maximum pause" in now["history"][-1]["cause"]
