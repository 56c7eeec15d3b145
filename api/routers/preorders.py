"""Placing and reading pre-orders."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status

from api.deps import EngineDep, Reader, on_writer_thread, token_of
from api.json_body import documented, idempotency_key, read_json
from api.json_response import json_response
from api.schemas import PreorderCreate, PreorderPage, PreorderRead
from engine.bootstrap import PreorderEngine
from engine.domain.orders import OrderStatus
from engine.service.ports import OrderQuery
from engine.service.queries import decode_cursor

router = APIRouter(prefix="/v1/preorders", tags=["pre-orders"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=PreorderRead,
    response_description="Placed, or a retry's first answer again (then with `Idempotent-Replayed: true`).",
    responses={
        409: {"description": "Refused by a business rule (problem+json)"},
        422: {"description": "The body breaks the documented schema."},
    },
    openapi_extra=documented(
        PreorderCreate, "Retries with the same key return the first answer and create nothing."
    ),
)
async def place_preorder(request: Request) -> Response:
    """Place a pre-order (scope ``orders:write``): it joins the product's queue and gets a promise."""
    # The hottest route reads its body, key and engine from the request itself (see api.json_body).
    body = await read_json(request, PreorderCreate)
    key = idempotency_key(request)
    engine: PreorderEngine = request.app.state.engine
    placement = await on_writer_thread(
        request, engine.place_with_key, token_of(request), body.to_intent(), key
    )
    headers = {"Location": f"/v1/preorders/{placement.order['id']}"}
    if placement.replayed:
        headers["Idempotent-Replayed"] = "true"
    return json_response(placement.order, status.HTTP_201_CREATED, headers)


@router.get("/{order_id}", response_model=PreorderRead)
def get_preorder(order_id: str, caller: Reader, engine: EngineDep) -> Response:
    """One of your orders, with its live place in the queue."""
    return json_response(engine.order(caller, order_id))


@router.get("", response_model=PreorderPage)
def list_preorders(
    caller: Reader,
    engine: EngineDep,
    sku: Annotated[str | None, Query(max_length=64)] = None,
    status_: Annotated[OrderStatus | None, Query(alias="status")] = None,
    customer_id: Annotated[str | None, Query(max_length=100)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> dict[str, Any]:
    """Your orders, oldest first, a page at a time (pass ``next_cursor`` back as ``cursor``)."""
    after = decode_cursor(cursor) if cursor else None
    page = engine.orders(
        OrderQuery(
            caller.account_id,
            limit,
            after=after,
            sku=sku,
            status=None if status_ is None else status_.value,
            customer_id=customer_id,
        )
    )
    return {"items": page.items, "next_cursor": page.next_cursor}
