"""RFC 9457 problem+json for every refusal, mapped in one place."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from engine.domain import errors as rules

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
TYPE_BASE = "https://preorder-engine.dev/problems/"

STATUS = {
    rules.Unauthorized: 401,
    rules.Forbidden: 403,
    rules.UnknownSku: 404,
    rules.NotFound: 404,
    rules.InvalidData: 422,
    rules.NotPreorderable: 409,
    rules.WindowClosed: 409,
    rules.SoldOut: 409,
    rules.CustomerLimitExceeded: 409,
    rules.DestinationNotServed: 409,
    rules.IdempotencyKeyMismatch: 409,
    rules.IdempotencyKeyInUse: 409,
    rules.InvalidTransition: 409,
    rules.CapBelowReserved: 409,
    rules.ChannelQuotaExhausted: 409,
    rules.TemporarilyUnavailable: 503,
}
TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Invalid request",
    500: "Internal error",
    503: "Service unavailable",
}
_HTTP_TYPES = {
    400: "malformed_body",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def problem(status: int, code: str, detail: str, extra: dict[str, Any] | None = None) -> JSONResponse:
    """A problem document; ``extra`` members never override the standard ones."""
    body = {
        **(extra or {}),
        "type": TYPE_BASE + code,
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _field_errors(error: RequestValidationError) -> tuple[str, list[dict[str, str]]]:
    fields = []
    detail = "the request does not match the documented schema"
    for item in error.errors():
        location = [str(part) for part in item.get("loc", ()) if part != "body"]
        if item.get("type") == "json_invalid":
            detail = "the body is not valid JSON"
            location = []
        fields.append({"field": ".".join(location) or "body", "message": str(item.get("msg", "invalid"))})
    return detail, fields


_METHODS = ("DELETE", "GET", "PATCH", "POST", "PUT")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at the request's path (HEAD comes with GET, see
    ``api.head_requests``). Each route has its own methods, so each method is asked of the router."""
    routes = request.app.router.routes
    allowed = [
        method
        for method in _METHODS
        if any(route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes)
    ]
    return sorted(allowed + (["HEAD"] if "GET" in allowed else []))


def install(app: FastAPI) -> None:
    @app.exception_handler(rules.DomainError)
    async def _domain(_: Request, error: rules.DomainError) -> JSONResponse:
        status = STATUS.get(type(error), 409)
        extra = {key: value for key, value in error.extra.items() if value is not None}
        if status == 422:  # the same shape as a schema refusal: field errors (and the first one's field)
            extra["errors"] = [{"field": str(extra.get("field", "body")), "message": error.detail}]
        return problem(status, error.code, error.detail, extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        detail, fields = _field_errors(error)
        return problem(422, "invalid_request", detail, {"errors": fields})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_TYPES.get(error.status_code, "http_error")
        detail = str(error.detail)
        if error.status_code == 400:
            detail = "the body could not be read: send UTF-8 encoded JSON"
        answer = problem(error.status_code, code, detail)
        if error.status_code == 405:  # say which methods the resource has (RFC 9110 §15.5.6)
            answer.headers["Allow"] = ", ".join(allowed_methods(request))
        return answer

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, error: Exception) -> JSONResponse:  # pragma: no cover - a bug
        log.exception("unhandled error", exc_info=error)
        return problem(500, "internal_error", "an unexpected error occurred; it has been logged")
