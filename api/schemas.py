"""Request and response bodies of the public API. Never ORM rows; the engine turns them into commands."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from engine.catalog_input import Country, Sku
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
    queue_position: int = Field(description="1 = next to be served.")
    units_ahead: int
    expected_availability: str = Field(examples=["2027-02-01"])
    delivery_window: DeliveryWindowOut
    promise_source: str = Field(description="The run, purchase order or rule that covers the order.")
    created_at: str


class PreorderPage(BaseModel):
    items: list[PreorderRead]
    next_cursor: str | None


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
