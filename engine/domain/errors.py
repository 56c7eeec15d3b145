"""Domain errors, each named after the business rule it guards.

Every error carries a stable ``code`` (the problem type the API shows) and a readable message.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A request the business rules refuse. Nothing was changed."""

    code = "domain_error"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class UnknownSku(DomainError):
    code = "unknown_sku"


class NotFound(DomainError):
    code = "not_found"


class NotPreorderable(DomainError):
    code = "not_preorderable"


class WindowClosed(DomainError):
    code = "window_closed"


class SoldOut(DomainError):
    code = "sold_out"


class CustomerLimitExceeded(DomainError):
    code = "customer_limit_exceeded"


class DestinationNotServed(DomainError):
    code = "destination_not_served"


class IdempotencyKeyMismatch(DomainError):
    code = "idempotency_key_mismatch"


class ReceiptReferenceMismatch(DomainError):
    code = "receipt_reference_mismatch"


class IdempotencyKeyInUse(DomainError):
    code = "idempotency_key_in_use"


class CapBelowReserved(DomainError):
    """A cap lowered under the units the product's orders already hold (they stay; lower it after)."""

    code = "cap_below_reserved"


class InvalidTransition(DomainError):
    code = "invalid_transition"


class InvalidData(DomainError):
    """Data that passed the schema but breaks a cross-field rule (e.g. p10 > p50)."""

    code = "invalid_request"


class Unauthorized(DomainError):
    code = "unauthorized"


class Forbidden(DomainError):
    code = "forbidden"


class TemporarilyUnavailable(DomainError):
    """The store could not take the request now; the intake was kept as a dead letter."""

    code = "temporarily_unavailable"


class ChannelQuotaExhausted(DomainError):
    """The channel used up the share of an exclusive run that the allocation agent gave it."""

    code = "channel_quota_exhausted"
