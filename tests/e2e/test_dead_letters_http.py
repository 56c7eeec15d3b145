"""The dead-letter queue over real HTTP: a letter whose replay failed shows its attempts and when the
agents will try it next, and an admin's replay places it at once, backoff or not."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest
from catalog_builders import order_body, unique
from e2e_api import Api

from api.schemas import PreorderCreate
from engine.persistence.database import connect
from engine.persistence.sql_unit_of_work import SqlDeadLetters
from engine.service.commands import PlacePreorder


@pytest.fixture(params=["sqlite", "postgres"])
def served(request: pytest.FixtureRequest) -> tuple[Api, str]:
    """A real server and the URL of its database (letters are kept beside the failed transaction, so
    the test writes one there as the server would)."""
    url = request.getfixturevalue(f"{request.param}_database")
    return request.getfixturevalue(f"{request.param}_api"), str(url)


def test_a_letter_that_failed_again_shows_its_next_try_and_an_admin_replay_places_it_at_once(
    served: tuple[Api, str],
) -> None:
    api, url = served
    sku, account = api.new_product(), unique("acct")
    api.new_key(account)
    command = PlacePreorder(account, PreorderCreate.model_validate(order_body(sku)).to_intent())
    database = connect(url, pool_size=1)
    try:
        letters = SqlDeadLetters(database)
        payload = json.dumps({**asdict(command), "key_hash": None}, default=str, sort_keys=True)
        letter_id = letters.add(
            account_id=account, source="place_preorder", payload=payload, reason="store down", attempts=1
        )
        letters.settle(letter_id, outcome=None, reason="store still down")  # a replay that failed again
    finally:
        database.dispose()
    with api.admin() as admin:
        listed = admin.get("/v1/dead-letters", params={"limit": 500})
        assert listed.status_code == 200, listed.text
        letter = next(d for d in listed.json() if d["id"] == letter_id)
        assert letter["attempts"] == 2 and letter["reason"] == "store still down"
        assert letter["retry_at"] > letter["created_at"]
        replayed = admin.post("/v1/dead-letters/replay", params={"limit": 500})
        assert replayed.status_code == 200, replayed.text
        settled = admin.get("/v1/dead-letters", params={"pending": False, "limit": 500}).json()
    outcome = next(d for d in settled if d["id"] == letter_id)["outcome"]
    assert outcome.startswith("placed order ")
    with api.client(api.new_key(account)) as http:
        orders = http.get("/v1/preorders", params={"sku": sku}).json()["items"]
    assert [order["id"] for order in orders] == [outcome.removeprefix("placed order ")]
