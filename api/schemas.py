"""Request and response bodies of the public API. Never ORM rows; the engine turns them into commands."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from engine.catalog_input import Country, Moment, Sku
from engine.domain.orders import Address, Customer, OrderIntent

Text100 = Annotated[str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True)]
Text200 = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
Email = Annotated[
    str, StringConstraints(pattern=r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{1,63}$", max_length=254)
]
Channel = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AddressIn(Strict):
    country: Country
    region: Annotated[str, StringConstraints(min_length=1, max_length=64, strip_whitespace=True)] | None = (
        None
    )
    postal_code: (
        Annotated[str, StringConstraints(min_length=1, max_length=20, strip_whitespace=True)] | None
    ) = None
    city: Text100 | None = None
    line1: Text200 | None = None


class CustomerIn(Strict):
    id: Text100
    email: Email
    name: Text200 | None = None
    shipping_address: AddressIn


class PreorderCreate(Strict):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "sku": "CONSOLE-X",
                    "quantity": 1,
                    "channel": "web",
                    "external_id": "web-100234",
                    "customer": {
                        "id": "c-881",
                        "email": "ana@example.com",
                        "name": "Ana",
                        "shipping_address": {"country": "US", "region": "CA", "postal_code": "94107"},
                    },
                }
            ]
        },
    )
    sku: Sku
    quantity: Annotated[int, Field(strict=True, ge=1, le=1000)]
    customer: CustomerIn
    channel: Channel
    external_id: Text100 | None = None

    def to_intent(self) -> OrderIntent:
        a = self.customer.shipping_address
        return OrderIntent(
            sku=self.sku,
            quantity=self.quantity,
            customer=Customer(
                id=self.customer.id,
                email=self.customer.email,
                name=self.customer.name,
                shipping_address=Address(a.country, a.region, a.postal_code, a.city, a.line1),
            ),
            channel=self.channel,
            external_id=self.external_id,
        )


class DeliveryWindowOut(BaseModel):
    earliest: str = Field(examples=["2027-02-05"])
    latest: str = Field(examples=["2027-02-14"])
    confidence: float = Field(
        examples=[0.91], description="Probability the parcel arrives inside the window."
    )


class AddressOut(BaseModel):
    country: str
    region: str | None
    postal_code: str | None
    city: str | None
    line1: str | None


class CustomerOut(BaseModel):
    id: str
    email: str
    name: str | None
    shipping_address: AddressOut


class PromiseOut(BaseModel):
    expected_availability: str
    delivery_window: DeliveryWindowOut


class HistoryEntry(BaseModel):
    type: str = Field(examples=["promise_changed"])
    at: str | None
    cause: str | None = Field(examples=["supply plan v3: run R-12 slipped 9 days"])
    data: dict[str, Any] = Field(description="Details; for promise changes, the promise before and after.")


class PreorderRead(BaseModel):
    id: str
    number: str = Field(examples=["CONSOLE-X-000042"])
    status: str = Field(examples=["pre_order"])
    status_label: str = Field(examples=["Pre-Order"])
    sku: str
    quantity: int
    unit_price: str = Field(examples=["499.00"])
    currency: str
    channel: str
    external_id: str | None
    customer: CustomerOut
    queue_position: int | None = Field(description="1 = next to be served; null once out of the line.")
    units_ahead: int | None
    expected_availability: str | None = Field(examples=["2027-02-01"], description="Null while paused.")
    delivery_window: DeliveryWindowOut | None = Field(description="Null while paused.")
    promise_on_resume: PromiseOut | None = Field(
        description="While paused: the promise it would have on resuming."
    )
    promise_source: str = Field(description="The run, purchase order or rule that covers the order.")
    paused_at: str | None
    resume_by: str | None = Field(description="When a paused order resumes by itself.")
    conflict: str | None = Field(description="Why the current promise breaks the first one, if it does.")
    created_at: str
    history: list[HistoryEntry] | None = Field(
        default=None, description="Every event with time, cause and data (on GET of one order)."
    )


class PreorderPage(BaseModel):
    items: list[PreorderRead]
    next_cursor: str | None


class WaitTimeQuery(BaseModel):
    """The wait-time question: the SKU (path) and where and how many (query)."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    sku: Sku
    country: Country = Field(description="Destination country (ISO 3166-1 alpha-2).")
    region: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    quantity: Annotated[int, Field(ge=1, le=1000)] = 1


class WaitTime(BaseModel):
    sku: str
    preorderable: bool
    reason: str | None = Field(description="Why an order placed now would be refused (a problem type).")
    expected_availability: str | None
    delivery_window: DeliveryWindowOut | None
    queue_depth_units: int
    queue_depth_orders: int


class KeyCreate(Strict):
    scopes: Annotated[
        list[Annotated[str, StringConstraints(max_length=40)]], Field(min_length=1, max_length=3)
    ]


class KeyIssued(BaseModel):
    id: str
    key: str = Field(description="Shown this once; only its hash is stored.")
    account: str
    scopes: list[str]


class ProductOut(BaseModel):
    sku: str
    created: bool


class SupplyPlanOut(BaseModel):
    sku: str
    version: int
    plan: dict[str, Any]


class LanesOut(BaseModel):
    lanes: int


class ProductView(BaseModel):
    """A product as stored: what ``PUT /v1/products/{sku}`` takes, with the price a new order pays now."""

    sku: str
    name: str
    price: str = Field(description="The list price.")
    selling_price: str = Field(
        description="What a new order pays now (the list price or the pricing agent's)."
    )
    price_changed_at: str | None = Field(description="When the pricing agent last set the selling price.")
    currency: str
    facility: str
    preorder: dict[str, Any]


class FacilityLanes(BaseModel):
    facility: str
    lanes: list[dict[str, Any]]


class Reason(Strict):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500, strip_whitespace=True)] | None = (
        None
    )


class ReceiptCreate(Strict):
    quantity: Annotated[int, Field(strict=True, ge=1, le=100_000_000)]
    reference: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$")]
    received_at: Moment | None = None
    lot: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")] | None = Field(
        default=None, description="The run or purchase order this receipt fulfils; without it, extra stock."
    )


class ReceiptRead(BaseModel):
    sku: str
    reference: str
    quantity: int
    lot: str | None
    received_at: str
    allocated_orders: list[str]
    units_left_on_hand: int


class QueueTotals(BaseModel):
    units_reserved: int
    units_active: int
    units_paused: int
    orders_in_line: int
    units_allocated: int
    units_on_hand: int
    cap_units: int | None


class QueueItem(PreorderRead):
    sequence: int


class QueuePage(BaseModel):
    sku: str
    totals: QueueTotals
    items: list[QueueItem]
    next_cursor: str | None


class ConflictItem(PreorderRead):
    conflict_days: int


class ConflictPage(BaseModel):
    items: list[ConflictItem]
