"""The life of one pre-order: which transitions the rules allow, and what each records."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from engine.domain.errors import InvalidTransition
from engine.domain.orders import Address, Customer, OrderIntent, OrderStatus, Preorder
from engine.domain.promise import DeliveryWindow, Promise

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def an_order(status: OrderStatus = OrderStatus.PRE_ORDER) -> Preorder:
    intent = OrderIntent("SKU", 2, Customer("c", "c@example.com", Address("US")), "web")
    promise = Promise(date(2027, 2, 1), DeliveryWindow(date(2027, 2, 2), date(2027, 2, 9), 0.9), "R-1")
    order = Preorder.place(
        order_id="o1",
        account_id="a",
        intent=intent,
        sequence=7,
        unit_price=Decimal("1.00"),
        currency="USD",
        promise=promise,
        now=NOW,
    )
    order.status = status
    order.events.clear()
    return order


def test_a_paused_order_keeps_its_sequence_and_knows_when_it_resumes_by_itself() -> None:
    order = an_order()
    assert order.pause(NOW, reason="moving", max_pause_days=30) is True
    assert (order.status, order.sequence) == (OrderStatus.PAUSED, 7)
    assert order.resume_by == NOW + timedelta(days=30)
    assert [e.name for e in order.events] == ["preorder_paused"]


def test_pausing_twice_and_resuming_twice_are_harmless() -> None:
    order = an_order()
    order.pause(NOW, reason=None, max_pause_days=None)
    assert order.pause(NOW, reason=None, max_pause_days=None) is False
    assert order.resume(NOW) is True
    assert order.resume(NOW) is False
    assert order.sequence == 7 and len(order.events) == 2


def test_resuming_an_order_that_was_never_paused_is_refused() -> None:
    with pytest.raises(InvalidTransition) as refusal:
        an_order().resume(NOW)
    assert refusal.value.extra["current_status"] == "pre_order"


@pytest.mark.parametrize("status", [OrderStatus.ALLOCATED, OrderStatus.SHIPPED, OrderStatus.CANCELLED])
def test_only_a_waiting_order_can_be_paused(status: OrderStatus) -> None:
    with pytest.raises(InvalidTransition) as refusal:
        an_order(status).pause(NOW, reason=None, max_pause_days=None)
    assert refusal.value.extra["current_status"] == status.value


@pytest.mark.parametrize("status", [OrderStatus.SHIPPED, OrderStatus.DELIVERED])
def test_a_shipped_or_delivered_order_cannot_be_cancelled(status: OrderStatus) -> None:
    with pytest.raises(InvalidTransition) as refusal:
        an_order(status).cancel(NOW, reason=None)
    assert refusal.value.extra["current_status"] == status.value


@pytest.mark.parametrize("status", [OrderStatus.PRE_ORDER, OrderStatus.PAUSED, OrderStatus.ALLOCATED])
def test_cancelling_before_shipping_says_where_the_order_was(status: OrderStatus) -> None:
    order = an_order(status)
    assert order.cancel(NOW, reason="changed my mind") is status
    assert order.status is OrderStatus.CANCELLED
    assert order.cancel(NOW, reason=None) is None  # a repeat takes no effect
