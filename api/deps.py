"""Dependencies shared by the routers: the engine and the authenticated caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from engine.bootstrap import PreorderEngine
from engine.service.access import Caller


async def get_engine(request: Request) -> PreorderEngine:
    engine: PreorderEngine = request.app.state.engine
    return engine


EngineDep = Annotated[PreorderEngine, Depends(get_engine)]


async def bearer_token(request: Request) -> str | None:
    """The key from ``Authorization: Bearer <key>``, unchecked (the engine checks it)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


BearerToken = Annotated[str | None, Depends(bearer_token)]


def current_caller(token: BearerToken, engine: EngineDep) -> Caller:
    return engine.authenticate(token)


CurrentCaller = Annotated[Caller, Depends(current_caller)]


async def writer(caller: CurrentCaller) -> Caller:
    caller.require("orders:write")
    return caller


async def reader(caller: CurrentCaller) -> Caller:
    caller.require("orders:read")
    return caller


async def admin(caller: CurrentCaller) -> Caller:
    caller.require("admin")
    return caller


Writer = Annotated[Caller, Depends(writer)]
Reader = Annotated[Caller, Depends(reader)]
Admin = Annotated[Caller, Depends(admin)]
