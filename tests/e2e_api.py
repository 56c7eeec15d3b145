"""A client for the real server: keys, catalog set-up, and a server per database."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
from catalog_builders import lanes_body, plan_body, product_body, unique
from live_server import live_server


@dataclass
class Api:
    base: str
    admin_key: str

    def client(self, key: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.base, headers=headers, timeout=30)

    def admin(self) -> httpx.Client:
        return self.client(self.admin_key)

    def new_key(
        self, account: str | None = None, scopes: tuple[str, ...] = ("orders:write", "orders:read")
    ) -> str:
        with self.admin() as http:
            answer = http.post(
                f"/v1/accounts/{account or unique('acct')}/keys", json={"scopes": list(scopes)}
            )
            assert answer.status_code == 201, answer.text
            return str(answer.json()["key"])

    def new_product(self, *, plan: dict[str, Any] | None = None, **terms: Any) -> str:
        sku = unique("SKU")
        facility = unique("DC")
        with self.admin() as http:
            assert http.put("/v1/lanes", json=lanes_body(facility)).status_code == 200
            answer = http.put(f"/v1/products/{sku}", json=product_body(facility=facility, **terms))
            assert answer.status_code == 201, answer.text
            plan = plan or plan_body(("R-1", 1000, "2027-02-01", 3))
            answer = http.put(f"/v1/products/{sku}/supply-plan", json=plan)
            assert answer.status_code == 200, answer.text
        return sku


def serve(url: str) -> Iterator[Api]:
    admin_key = f"bootstrap-{secrets.token_urlsafe(24)}"
    with live_server(
        {
            "PREORDER_DATABASE_URL": url,
            "PREORDER_BOOTSTRAP_ADMIN_KEY": admin_key,
            "PREORDER_MAX_BODY_BYTES": "16384",
            "PREORDER_PAUSE_SWEEP_SECONDS": "0.3",
        }
    ) as base:
        yield Api(base, admin_key)
