"""The catalog (admin) and the public wait time of a product."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response, status
from starlette.concurrency import run_in_threadpool

from api.deps import Admin, EngineDep, token_of
from api.json_body import documented_parameters, read_parameters
from api.json_response import json_response
from api.schemas import LanesOut, ProductOut, SupplyPlanOut, WaitTime, WaitTimeQuery
from engine.bootstrap import PreorderEngine
from engine.catalog_input import LanesIn, ProductIn, SupplyPlanIn
from engine.domain.errors import Unauthorized
from engine.domain.supply import LotKind, SupplyPlan
from engine.service.commands import PutProduct, ReplaceLanes, ReplaceSupplyPlan

router = APIRouter(prefix="/v1", tags=["catalog"])
SkuPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]


def plan_body(plan: SupplyPlan) -> dict[str, Any]:
    runs = [
        {
            "id": lot.id,
            "quantity": lot.quantity,
            "expected_date": lot.expected_date.isoformat(),
            "spread_days": lot.spread_days,
            "facility": lot.facility,
        }
        for lot in plan.lots
        if lot.kind is LotKind.RUN
    ]
    orders = [
        {
            "id": lot.id,
            "supplier": lot.supplier,
            "quantity": lot.quantity,
            "expected_date": lot.expected_date.isoformat(),
            "spread_days": lot.spread_days,
        }
        for lot in plan.lots
        if lot.kind is LotKind.PURCHASE_ORDER
    ]
    beyond = plan.beyond_plan
    return {
        "sku": plan.sku,
        "version": plan.version,
        "plan": {
            "runs": runs,
            "purchase_orders": orders,
            "beyond_plan": None
            if beyond is None
            else {
                "capacity_per_day": beyond.capacity_per_day,
                "lead_time_days": beyond.lead_time_days,
                "spread_days": beyond.spread_days,
            },
        },
    }


@router.put("/products/{sku}", response_model=ProductOut)
def put_product(
    sku: SkuPath, body: ProductIn, _: Admin, engine: EngineDep, response: Response
) -> dict[str, Any]:
    """Create or replace a product and its pre-order terms."""
    created = engine.put_product(PutProduct(body.to_domain(sku)))
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return {"sku": sku, "created": created}


@router.put("/products/{sku}/supply-plan", response_model=SupplyPlanOut)
def put_supply_plan(sku: SkuPath, body: SupplyPlanIn, _: Admin, engine: EngineDep) -> dict[str, Any]:
    """Replace the product's supply plan atomically; returns it with its new version."""
    return plan_body(engine.replace_supply_plan(ReplaceSupplyPlan(body.to_domain(sku))))


@router.get("/products/{sku}/supply-plan", response_model=SupplyPlanOut)
def get_supply_plan(sku: SkuPath, _: Admin, engine: EngineDep) -> dict[str, Any]:
    """The product's current supply plan."""
    return plan_body(engine.supply_plan(sku))


@router.put("/lanes", response_model=LanesOut)
def put_lanes(body: LanesIn, _: Admin, engine: EngineDep) -> dict[str, Any]:
    """Replace every lane of the facilities named in the body."""
    count = engine.replace_lanes(ReplaceLanes(tuple(lane.to_domain() for lane in body.lanes)))
    return {"lanes": count}


@router.get(
    "/products/{sku}/wait-time",
    response_model=WaitTime,
    openapi_extra=documented_parameters(WaitTimeQuery, path=("sku",)),
)
async def wait_time(request: Request) -> Response:
    """What an order placed now would be promised. Any valid key may ask."""
    # A hot read: parameters, key and engine straight from the request (see api.json_body).
    asked = read_parameters(request, WaitTimeQuery)
    token = token_of(request)
    if token is None:
        raise Unauthorized("missing API key: send 'Authorization: Bearer <key>'")
    engine: PreorderEngine = request.app.state.engine
    answer = await run_in_threadpool(
        engine.wait_time, asked.sku, asked.country, asked.region, asked.quantity, raw_key=token
    )
    return json_response(answer)
