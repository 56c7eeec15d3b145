"""Pauses, resumes and cancels racing with placements and a receipt never break the queue rules."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from catalog_builders import order_body, unique
from e2e_api import Api


def test_transitions_racing_with_placements_and_a_receipt_keep_the_queue_consistent(api: Api) -> None:
    # Given 60 orders in line for a product capped at 150 units
    sku = api.new_product(cap=150)
    key = api.new_key()
    limits = httpx.Limits(max_connections=32)
    with (
        httpx.Client(
            base_url=api.base, headers={"Authorization": f"Bearer {key}"}, timeout=60, limits=limits
        ) as http,
        api.admin() as admin,
    ):
        placed = [
            http.post("/v1/preorders", json=order_body(sku, quantity=random.randint(1, 3))).json()
            for _ in range(60)
        ]
        rng = random.Random(11)
        calls: list[tuple[str, str, Any]] = []
        for order in placed:
            action = rng.choice(["pause", "pause-resume", "cancel", "none", "none"])
            if action == "pause":
                calls.append(("post", f"/v1/preorders/{order['id']}/pause", None))
            elif action == "pause-resume":
                calls += [
                    ("post", f"/v1/preorders/{order['id']}/pause", None),
                    ("post", f"/v1/preorders/{order['id']}/resume", None),
                ]
            elif action == "cancel":
                calls.append(("post", f"/v1/preorders/{order['id']}/cancel", None))
        calls += [("post", "/v1/preorders", order_body(sku, quantity=rng.randint(1, 3))) for _ in range(60)]
        calls.append(("receipt", f"/v1/products/{sku}/receipts", {"quantity": 70, "reference": unique("R")}))
        rng.shuffle(calls)

        # When they all run at once
        def run(call: tuple[str, str, Any]) -> httpx.Response:
            kind, path, body = call
            client = admin if kind == "receipt" else http
            return client.post(path, json=body) if body is not None else client.post(path)

        with ThreadPoolExecutor(max_workers=24) as pool:
            answers = list(pool.map(run, calls))

        # Then nothing failed on the server, and refusals are only the rules'
        assert all(a.status_code < 500 for a in answers), [a.text for a in answers if a.status_code >= 500]
        refusals = {a.json()["type"].rsplit("/", 1)[1] for a in answers if a.status_code >= 400}
        assert refusals <= {"sold_out", "invalid_transition"}, refusals
        queue = admin.get(f"/v1/products/{sku}/queue", params={"limit": 500}).json()
        orders = {o["id"]: o for page in _pages(http, sku) for o in page}
        paused_once = {o["id"] for o in queue["items"] if _was_paused(http, o["id"])}

    # the counters equal the stored orders, and the cap and the receipt are never exceeded
    totals = queue["totals"]
    by_status: dict[str, int] = {}
    for order in orders.values():
        by_status[order["status"]] = by_status.get(order["status"], 0) + order["quantity"]
    assert totals["units_reserved"] == sum(q for s, q in by_status.items() if s != "cancelled") <= 150
    assert totals["units_active"] == by_status.get("pre_order", 0)
    assert totals["units_paused"] == by_status.get("paused", 0)
    assert totals["units_allocated"] == by_status.get("allocated", 0)
    assert totals["units_allocated"] + totals["units_on_hand"] == 70
    # sequences are unique and the line is in sequence order
    sequences = [o["sequence"] for o in queue["items"]]
    assert sequences == sorted(sequences) and len(set(sequences)) == len(sequences)
    # among orders never paused, the allocated ones are exactly the head of the line
    never_paused = sorted(
        (
            o
            for o in queue["items"]
            if o["id"] not in paused_once and o["status"] in ("pre_order", "allocated")
        ),
        key=lambda o: o["sequence"],
    )
    statuses = [o["status"] for o in never_paused]
    assert statuses == sorted(statuses), "an order was served before an earlier one that never paused"


def _pages(http: httpx.Client, sku: str) -> list[list[dict[str, Any]]]:
    pages, cursor = [], None
    while True:
        params = {"sku": sku, "limit": 100, **({"cursor": cursor} if cursor else {})}
        page = http.get("/v1/preorders", params=params).json()
        pages.append(page["items"])
        if not (cursor := page["next_cursor"]):
            return pages


def _was_paused(http: httpx.Client, order_id: str) -> bool:
    history = http.get(f"/v1/preorders/{order_id}").json()["history"]
    return any(entry["type"] == "preorder_paused" for entry in history)
