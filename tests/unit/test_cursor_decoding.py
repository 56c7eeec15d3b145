"""A list cursor decodes only when it is exactly what the API issues for an order id."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from engine.domain.errors import InvalidData
from engine.service.queries import decode_cursor, encode_cursor

base64ish = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= !", max_size=40
)


@given(cursor=base64ish | st.text(max_size=40))
@example(cursor="ab=")
@example(cursor="!!!!")
@example(cursor="YWJj=")
@example(cursor="AGFiYw")
def test_any_text_decodes_only_to_an_id_that_encodes_back_to_it_and_holds_no_nul(cursor: str) -> None:
    try:
        order_id = decode_cursor(cursor)
    except InvalidData as refused:
        assert refused.extra == {"field": "query.cursor"}
        return
    assert encode_cursor(order_id) == cursor
    assert "\x00" not in order_id


@pytest.mark.parametrize("cursor", ["AGFiYw", "AGFiYw==", encode_cursor("0190a1b2c3d4\x00")])
def test_a_cursor_holding_a_nul_is_refused(cursor: str) -> None:
    with pytest.raises(InvalidData, match="cursor is not one this API issued"):
        decode_cursor(cursor)
