"""What the agents decided and shipped, for operations (admin)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from api.deps import Admin, EngineDep
from api.json_response import json_response
from engine.service.order_views import stamp

router = APIRouter(prefix="/v1", tags=["operations"])
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


class DecisionRead(BaseModel):
    agent: str
    kind: str
    sku: str | None
    reason: str
    data: dict[str, Any]
    at: str


class ShipmentRead(BaseModel):
    id: str
    vehicle: str
    region: str
    orders: int
    units: int
    distance: float
    cost: float
    route: list[str]
    reason: str
    created_at: str


@router.get("/decisions", response_model=list[DecisionRead])
def decisions(
    _: Admin,
    engine: EngineDep,
    limit: Limit = 50,
    offset: Offset = 0,
    sku: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """Every decision the agents took (prices, channel quotas, production advice, shipments), newest first."""
    return json_response(
        [{**d.__dict__, "at": stamp(d.at)} for d in engine.decisions(limit=limit, offset=offset, sku=sku)]
    )


@router.get("/shipments", response_model=list[ShipmentRead])
def shipments(_: Admin, engine: EngineDep, limit: Limit = 50, offset: Offset = 0) -> Response:
    """Shipments built at the daily cut-off, newest first, with their orders in route order."""
    return json_response(
        [
            {**s.__dict__, "created_at": stamp(s.created_at)}
            for s in engine.shipments(limit=limit, offset=offset)
        ]
    )


class DeadLetterRead(BaseModel):
    id: int
    account_id: str | None
    source: str
    payload: str
    reason: str
    attempts: int
    created_at: str
    resolved_at: str | None
    outcome: str | None
    retry_at: str | None  # a pending letter that failed again: when the agents replay it next


@router.get("/dead-letters", response_model=list[DeadLetterRead])
def dead_letters(
    _: Admin, engine: EngineDep, limit: Limit = 50, offset: Offset = 0, pending: bool = True
) -> Response:
    """Intakes the store could not take, with payload, reason and what their replay did (oldest first)."""
    letters = engine.pending_dead_letters(limit=limit, offset=offset, pending_only=pending)
    return json_response(
        [
            {
                **d.__dict__,
                "created_at": stamp(d.created_at),
                "resolved_at": d.resolved_at and stamp(d.resolved_at),
                "retry_at": d.retry_at and stamp(d.retry_at),
            }
            for d in letters
        ]
    )


@router.post("/dead-letters/replay")
def replay_dead_letters(_: Admin, engine: EngineDep, limit: Limit = 100) -> dict[str, int]:
    """Place the pending dead letters again now, backoff or not (the intake agent replays by itself every
    tick the letters whose backoff is over)."""
    return engine.replay_dead_letters(limit)
