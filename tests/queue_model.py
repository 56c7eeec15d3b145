"""A reference model of the fulfilment queue, written as plainly as possible, to check the engine against."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ModelOrder:
    sequence: int
    quantity: int
    status: str = "pre_order"
    resumed: bool = False
    pause_ends: int | None = None  # model day on which a pause runs out


@dataclass
class QueueModel:
    cap: int
    max_pause_days: int
    on_hand: int = 0
    arrived: int = 0
    next_sequence: int = 1
    day: int = 0
    orders: dict[str, ModelOrder] = field(default_factory=dict)

    def in_line(self) -> list[ModelOrder]:
        return sorted(
            (o for o in self.orders.values() if o.status in ("pre_order", "paused")), key=lambda o: o.sequence
        )

    def reserved(self) -> int:
        return sum(o.quantity for o in self.orders.values() if o.status != "cancelled")

    def place(self, order_id: str, quantity: int) -> bool:
        """False when the cap refuses it."""
        if self.reserved() + quantity > self.cap:
            return False
        # paused orders keep their place but are skipped by allocation: only a waiting one holds it up
        nobody_waits_ahead = all(order.status == "paused" for order in self.in_line())
        order = ModelOrder(self.next_sequence, quantity)
        self.next_sequence += 1
        if nobody_waits_ahead and self.on_hand >= quantity:
            order.status = "allocated"
            self.on_hand -= quantity
        self.orders[order_id] = order
        return True

    def settle(self) -> None:
        """Strict first come, first served over waiting orders; paused ones are skipped."""
        for order in self.in_line():
            if order.status == "paused":
                continue
            if order.quantity > self.on_hand:
                break
            order.status = "allocated"
            self.on_hand -= order.quantity

    def pause(self, order_id: str) -> bool | None:
        """None: harmless repeat; False: invalid; True: done."""
        order = self.orders[order_id]
        if order.status == "paused":
            return None
        if order.status != "pre_order":
            return False
        order.status = "paused"
        order.pause_ends = self.day + self.max_pause_days
        self.settle()
        return True

    def resume(self, order_id: str) -> bool | None:
        order = self.orders[order_id]
        if order.status == "pre_order" and order.resumed:
            return None
        if order.status != "paused":
            return False
        order.status, order.resumed, order.pause_ends = "pre_order", True, None
        self.settle()
        return True

    def cancel(self, order_id: str) -> bool | None:
        order = self.orders[order_id]
        if order.status == "cancelled":
            return None
        if order.status == "allocated":
            self.on_hand += order.quantity
        order.status, order.pause_ends = "cancelled", None
        self.settle()
        return True

    def receive(self, quantity: int) -> None:
        self.on_hand += quantity
        self.arrived += quantity
        self.settle()

    def advance(self, days: int) -> None:
        self.day += days
        ended = [
            o
            for o in self.orders.values()
            if o.status == "paused" and o.pause_ends is not None and o.pause_ends <= self.day
        ]
        for order in ended:
            order.status, order.resumed, order.pause_ends = "pre_order", True, None
        if ended:
            self.settle()
