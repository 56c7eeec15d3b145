"""Products and the terms under which they may be pre-ordered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from engine.domain.errors import NotPreorderable, WindowClosed


@dataclass(frozen=True)
class PreorderTerms:
    """Whether and how a product may be pre-ordered. ``cap_units`` None means open-ended."""

    enabled: bool
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    cap_units: int | None = None
    per_customer_limit: int | None = None
    max_pause_days: int | None = None


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    price: Decimal
    currency: str
    facility: str
    terms: PreorderTerms
    current_price: Decimal | None = None  # set by scarcity pricing; None means the list price
    price_changed_at: datetime | None = None  # when scarcity pricing last set it

    @property
    def selling_price(self) -> Decimal:
        """What a new order pays now; confirmed orders keep the price they were given."""
        return self.price if self.current_price is None else self.current_price

    def check_preorderable(self, now: datetime) -> None:
        """Raise the rule that refuses a pre-order placed at ``now``, if any."""
        terms = self.terms
        if not terms.enabled:
            raise NotPreorderable(f"{self.sku} is not open for pre-orders", sku=self.sku)
        if terms.opens_at is not None and now < terms.opens_at:
            raise WindowClosed(
                f"pre-orders for {self.sku} open at {terms.opens_at.isoformat()}",
                sku=self.sku,
                opens_at=terms.opens_at.isoformat(),
            )
        if terms.closes_at is not None and now >= terms.closes_at:
            raise WindowClosed(
                f"pre-orders for {self.sku} closed at {terms.closes_at.isoformat()}",
                sku=self.sku,
                closes_at=terms.closes_at.isoformat(),
            )

    def preorder_refusal(self, now: datetime) -> str | None:
        """The reason a pre-order placed now would be refused by the terms, or None."""
        try:
            self.check_preorderable(now)
        except (NotPreorderable, WindowClosed) as refusal:
            return refusal.code
        return None
