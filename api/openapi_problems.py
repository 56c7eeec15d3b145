"""The OpenAPI document says what the API really answers on errors: ``application/problem+json``.

FastAPI documents a 422 as its own ``HTTPValidationError`` (``{"detail": [...]}``), but every refusal
here is an RFC 9457 problem (see ``api.errors``). Each operation's error responses get the ``Problem``
schema, and every ``/v1`` operation documents 401 (no valid key) and 503 (the store is unavailable).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from api.errors import PROBLEM, TYPE_BASE

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details; `type` is stable, one per refusal.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri", "examples": [TYPE_BASE + "sold_out"]},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "For 422: each field refused and why (`query.cursor`, `path.sku`, `quantity`).",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "additionalProperties": True,
}
_DESCRIPTIONS = {
    "401": "No valid API key (problem+json).",
    "422": "The request breaks the documented schema or a rule on a value; `errors` names each field.",
    "503": "The store stayed unavailable after retries (problem+json); a placement is kept as a dead letter.",
}
_UNUSED = ("HTTPValidationError", "ValidationError")


def _problem_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def with_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with every error response documented as a problem (changed in place, and returned)."""
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if path.startswith("/v1/"):
                responses.setdefault("401", {"description": _DESCRIPTIONS["401"]})
                responses.setdefault("503", {"description": _DESCRIPTIONS["503"]})
            for code, response in responses.items():
                if code.isdigit() and int(code) >= 400:
                    description = _DESCRIPTIONS.get(
                        code, response.get("description", "Refused (problem+json).")
                    )
                    responses[code] = _problem_response(description)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in _UNUSED:
        components.pop(name, None)
    components["Problem"] = PROBLEM_SCHEMA
    return schema


def document_problems(app: FastAPI) -> None:
    """Post-process the app's OpenAPI document once, with :func:`with_problems`."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_problems(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
