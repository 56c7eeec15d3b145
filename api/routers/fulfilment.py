"""The fulfilment queue: pause, resume and cancel an order; receive supply; watch the line and conflicts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Response, status

from api.deps import Admin, EngineDep, Writer
from api.json_response import json_response
from api.schemas import ConflictPage, PreorderRead, QueuePage, Reason, ReceiptCreate, ReceiptRead
from engine.service.order_views import stamp

router = APIRouter(prefix="/v1", tags=["fulfilment"])
OrderId = Annotated[str, Path(max_length=40)]
SkuPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
OptionalReason = Annotated[Reason | None, Body()]
LAST_SEQUENCE = 2**63 - 1  # queue sequences are 64-bit integers in the store

_TRANSITIONS: dict[int | str, dict[str, Any]] = {
    409: {"description": "invalid_transition: the order's current status does not allow it"},
    404: {"description": "not_found: no such order in your account"},
}


@router.post("/preorders/{order_id}/pause", response_model=PreorderRead, responses=_TRANSITIONS)
def pause(order_id: OrderId, caller: Writer, engine: EngineDep, body: OptionalReason = None) -> Response:
    """Pause a waiting order: it keeps its place, is skipped by allocation, and shows the promise it
    would have on resuming. It resumes by itself when the product's maximum pause runs out."""
    return json_response(engine.pause(caller, order_id, body.reason if body else None))


@router.post("/preorders/{order_id}/resume", response_model=PreorderRead, responses=_TRANSITIONS)
def resume(order_id: OrderId, caller: Writer, engine: EngineDep) -> Response:
    """Resume a paused order with the same place in line."""
    return json_response(engine.resume(caller, order_id))


@router.post("/preorders/{order_id}/cancel", response_model=PreorderRead, responses=_TRANSITIONS)
def cancel(order_id: OrderId, caller: Writer, engine: EngineDep, body: OptionalReason = None) -> Response:
    """Cancel before shipping: its units go back under the cap, or to the next order in line."""
    return json_response(engine.cancel(caller, order_id, body.reason if body else None))


@router.post(
    "/products/{sku}/receipts",
    response_model=ReceiptRead,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": ReceiptRead, "description": "The same reference again: the first receipt."}},
)
def receive(sku: SkuPath, body: ReceiptCreate, _: Admin, engine: EngineDep) -> Response:
    """Units arrived: they go to waiting orders in strict queue order, whole lines only. The same
    ``reference`` twice is applied once (the second answer is 200 with ``Idempotent-Replayed``)."""
    result = engine.receive(
        sku, quantity=body.quantity, reference=body.reference, received_at=body.received_at, lot_id=body.lot
    )
    receipt = result.receipt
    answer = {
        "sku": receipt.sku,
        "reference": receipt.reference,
        "quantity": receipt.quantity,
        "lot": receipt.lot_id,
        "received_at": stamp(receipt.received_at),
        "allocated_orders": receipt.allocated_orders,
        "units_left_on_hand": receipt.left_on_hand,
    }
    if result.replayed:
        return json_response(answer, status.HTTP_200_OK, {"Idempotent-Replayed": "true"})
    return json_response(answer, status.HTTP_201_CREATED)


@router.get("/products/{sku}/queue", response_model=QueuePage)
def queue(
    sku: SkuPath,
    _: Admin,
    engine: EngineDep,
    cursor: Annotated[
        int, Query(ge=0, le=LAST_SEQUENCE, description="The last sequence of the previous page.")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Response:
    """The line in sequence order with each order's position, status and promise, and the totals."""
    return json_response(engine.queue(sku, after=cursor, limit=limit))


@router.get("/conflicts", response_model=ConflictPage)
def conflicts(
    _: Admin,
    engine: EngineDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    """Orders whose latest delivery date is now later than first promised by more than the tolerance."""
    return json_response({"items": engine.conflicts(limit=limit, offset=offset)})
