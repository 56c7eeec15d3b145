"""Refuse a NUL character (U+0000) anywhere in a request's text before any route sees it.

PostgreSQL cannot store NUL in text (the driver raises) and SQLite stores it silently; no client means
to send one. One rule at the edge covers every route: the decoded path, query parameter names and
values, and every string of a JSON body (keys and values, at any depth) — 422 ``invalid_request``
naming where the NUL was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from api.body_limit import read_body
from api.errors import problem

NUL = "\x00"
MESSAGE = "contains a NUL character"
# Routes read no body on these methods, so there is nothing there to refuse.
_BODILESS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class NulFound:
    """Where a NUL was: the field as validation errors name it, and the sentence saying so."""

    field: str
    detail: str


def _in(field: str) -> NulFound:
    return NulFound(field, f"{field} {MESSAGE}")


def nul_in_path(path: str) -> NulFound | None:
    return _in("path") if NUL in path else None


def nul_in_query(query: bytes) -> NulFound | None:
    """The first query parameter whose name or value decodes to text holding a NUL."""
    if b"%00" not in query and b"\x00" not in query:  # the only ways a NUL gets into the decoded query
        return None
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if NUL in name:
            return NulFound("query", f"a query parameter name {MESSAGE}")
        if NUL in value:
            return _in(f"query.{name}")
    return None


def nul_in_body(body: bytes) -> NulFound | None:
    """The first string of a JSON body holding a NUL. Only a body whose bytes could hold one is parsed,
    and one that is not JSON is left to the route to refuse."""
    if b"\\u0000" not in body and b"\x00" not in body:
        return None
    try:
        document = json.loads(body)  # bytes: UTF-8, -16 or -32, as the routes' own parsing reads them
    except (ValueError, RecursionError):
        return None
    return nul_in_json(document)


def nul_in_json(document: Any) -> NulFound | None:
    """The first string (key or value, at any depth) holding a NUL, named as validation errors name
    fields (``customer.id``, ``lanes.0.region``); iterative, so nesting depth costs no stack."""
    pending: list[tuple[tuple[str, ...], Any]] = [((), document)]
    while pending:
        at, value = pending.pop()
        if isinstance(value, str):
            if NUL in value:
                return _in(".".join(at) or "body")
        elif isinstance(value, dict):
            if any(NUL in key for key in value):
                where = ".".join(at) or "body"
                return NulFound(where, f"a key in {where} {MESSAGE}")
            pending.extend(((*at, key), item) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            pending.extend(((*at, str(index)), item) for index, item in reversed(list(enumerate(value))))
    return None


class RefuseNul:
    """Pure ASGI middleware: a request with a NUL in its path, query or JSON body gets 422 before the
    application runs. The body is read here and handed on unchanged; checking it costs a byte scan,
    and a parse only when the scan finds an escaped or raw NUL."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        found = nul_in_path(scope["path"]) or nul_in_query(scope.get("query_string", b""))
        if found is None and scope["method"] not in _BODILESS:
            read = await read_body(receive)
            assert read is not None  # no limit here: BodyLimit has refused an oversized body already
            body, receive = read
            found = nul_in_body(body)
        if found is None:
            await self.app(scope, receive, send)
            return
        refusal = problem(
            422, "invalid_request", found.detail, {"errors": [{"field": found.field, "message": MESSAGE}]}
        )
        await refusal(scope, receive, send)
