"""The catalog (admin) and the public wait time of a product."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status
from starlette.concurrency import run_in_threadpool

from api.deps import Admin, EngineDep, token_of
from api.json_body import documented_parameters, read_parameters
from api.json_response import json_response
from api.schemas import (
    FacilityLanes,
    LanesOut,
    ProductOut,
    ProductView,
    SupplyPlanOut,
    WaitTime,
    WaitTimeQuery,
)
from engine.bootstrap import PreorderEngine
from engine.catalog_input import LanesIn, ProductIn, SupplyPlanIn
from engine.domain.catalog import Product
from engine.domain.errors import Unauthorized
from engine.domain.lanes import Lane
from engine.domain.supply import LotKind, SupplyPlan
from engine.service.commands import PutProduct, ReplaceLanes, ReplaceSupplyPlan
from engine.service.order_views import stamp

router = APIRouter(prefix="/v1", tags=["catalog"])
SkuPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
FacilityQuery = Annotated[
    str, Query(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", description="The facility.")
]


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


def product_body(product: Product) -> dict[str, Any]:
    terms = product.terms
    return {
        "sku": product.sku,
        "name": product.name,
        "price": str(product.price),
        "selling_price": str(product.selling_price),
        "price_changed_at": stamp(product.price_changed_at),
        "currency": product.currency,
        "facility": product.facility,
        "preorder": {
            "enabled": terms.enabled,
            "opens_at": stamp(terms.opens_at),
            "closes_at": stamp(terms.closes_at),
            "cap_units": terms.cap_units,
            "per_customer_limit": terms.per_customer_limit,
            "max_pause_days": terms.max_pause_days,
        },
    }


def lane_body(lane: Lane) -> dict[str, Any]:
    t = lane.transit
    return {
        "facility": lane.facility,
        "country": lane.country,
        "region": lane.region,
        "handling_days": lane.handling_days,
        "transit_days": {"p10": t.p10, "p50": t.p50, "p90": t.p90},
    }


@router.put(
    "/products/{sku}",
    response_model=ProductOut,
    responses={201: {"model": ProductOut, "description": "Created (`Location` names it)."}},
)
def put_product(
    sku: SkuPath, body: ProductIn, _: Admin, engine: EngineDep, response: Response
) -> dict[str, Any]:
    """Create (201) or replace (200) a product and its pre-order terms. A product moved to another
    facility has its orders in line promised again from that facility's lanes."""
    created = engine.put_product(PutProduct(body.to_domain(sku)))
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    if created:
        response.headers["Location"] = f"/v1/products/{sku}"
    return {"sku": sku, "created": created}


@router.get("/products/{sku}", response_model=ProductView)
def get_product(sku: SkuPath, _: Admin, engine: EngineDep) -> dict[str, Any]:
    """The product as stored, with the price a new order pays now."""
    return product_body(engine.product(sku))


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
    """Replace every lane of the facilities named in the body. The orders in line of the products those
    facilities ship are promised again from the new lanes; an order whose destination no lane serves any
    more keeps its dates and is listed as a conflict."""
    count = engine.replace_lanes(ReplaceLanes(tuple(lane.to_domain() for lane in body.lanes)))
    return {"lanes": count}


@router.get("/lanes", response_model=FacilityLanes)
def get_lanes(facility: FacilityQuery, _: Admin, engine: EngineDep) -> dict[str, Any]:
    """The lanes a facility ships on (none for a facility without lanes)."""
    lanes = sorted(engine.lanes(facility), key=lambda lane: (lane.country, lane.region or ""))
    return {"facility": facility, "lanes": [lane_body(lane) for lane in lanes]}


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
