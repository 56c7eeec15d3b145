"""Small rules at the edges: where a NUL is named, and how long a failing dead letter waits."""

from __future__ import annotations

from datetime import timedelta

from api.text_guard import nul_in_body
from engine.service.ports import retry_delay


def test_a_nul_in_a_body_that_is_a_bare_string_is_named_as_the_body() -> None:
    found = nul_in_body(b'"a\\u0000b"')
    assert found is not None and (found.field, found.detail) == ("body", "body contains a NUL character")


def test_a_nul_deep_in_a_body_is_named_by_its_path() -> None:
    found = nul_in_body(b'{"customer": {"shipping_address": {"city": "x\\u0000"}}}')
    assert found is not None and found.field == "customer.shipping_address.city"


def test_a_dead_letter_waits_5_s_after_its_first_failed_replay_then_doubling_up_to_an_hour() -> None:
    # attempts count the intake itself, then each replay
    assert [retry_delay(n) for n in (2, 3, 4)] == [timedelta(seconds=s) for s in (5, 10, 20)]
    assert retry_delay(12) == timedelta(hours=1)
    assert retry_delay(10_000) == timedelta(hours=1)
