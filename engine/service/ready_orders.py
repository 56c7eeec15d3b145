"""An order ready to ship, as the logistics agent reads it: what a parcel needs, nothing more; the
orders ready to ship as one batch of columns; and an order's state, as shipping and delivery check it
before they move the order."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, starmap
from typing import Any, NamedTuple, overload

from engine.domain.orders import OrderStatus, Preorder


class OrderState(NamedTuple):
    id: str
    sku: str
    quantity: int
    status: OrderStatus


class ReadyOrder(NamedTuple):
    id: str
    sku: str
    units: int
    customer_id: str
    country: str
    region: str | None
    postal_code: str | None
    due_day: int  # proleptic ordinal of the promised latest delivery date

    @classmethod
    def of(cls, order: Preorder) -> ReadyOrder:
        address = order.intent.customer.shipping_address
        return cls(
            order.id,
            order.intent.sku,
            order.intent.quantity,
            order.intent.customer.id,
            address.country,
            address.region,
            address.postal_code,
            order.promise.delivery_window.latest.toordinal(),
        )


class ReadyOrders(Sequence[ReadyOrder]):
    """Orders ready to ship, kept as one list per field: a day's hundred thousand of them pickle
    (to an agent on Ray) about ten times faster than as objects. Reads as a sequence of ``ReadyOrder``."""

    __slots__ = ("columns",)

    def __init__(self, columns: Sequence[list[Any]] | None = None) -> None:
        self.columns: tuple[list[Any], ...] = (
            tuple(columns) if columns else tuple([] for _ in ReadyOrder._fields)
        )
        if len(self.columns) != len(ReadyOrder._fields):
            raise ValueError(f"ready orders have {len(ReadyOrder._fields)} columns, not {len(self.columns)}")

    @classmethod
    def of_rows(cls, rows: Iterable[tuple[Any, ...]]) -> ReadyOrders:
        """From rows in ``ReadyOrder``'s field order."""
        return cls([list(column) for column in zip(*rows, strict=True)])

    @classmethod
    def joined(cls, batches: Iterable[ReadyOrders]) -> ReadyOrders:
        """One batch of the orders of ``batches``, in turn."""
        parts = [batch.columns for batch in batches]
        return cls([list(chain.from_iterable(c[k] for c in parts)) for k in range(len(ReadyOrder._fields))])

    @property
    def ids(self) -> list[str]:
        return self.columns[0]

    @property
    def units(self) -> list[int]:
        return self.columns[2]

    def __len__(self) -> int:
        return len(self.columns[0])

    @overload
    def __getitem__(self, index: int) -> ReadyOrder: ...
    @overload
    def __getitem__(self, index: slice) -> ReadyOrders: ...
    def __getitem__(self, index: int | slice) -> ReadyOrder | ReadyOrders:
        if isinstance(index, slice):
            return ReadyOrders([column[index] for column in self.columns])
        return ReadyOrder(*(column[index] for column in self.columns))

    def __iter__(self) -> Iterator[ReadyOrder]:
        return starmap(ReadyOrder, zip(*self.columns, strict=True))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ReadyOrders):
            return self.columns == other.columns
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]  # a batch is compared by content, never hashed

    def __repr__(self) -> str:
        return f"ReadyOrders({len(self)} orders)"

    def __reduce__(self) -> tuple[Any, ...]:
        return (ReadyOrders, (self.columns,))
