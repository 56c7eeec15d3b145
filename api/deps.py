"""Dependencies shared by the routers: the engine and the authenticated caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from engine.bootstrap import PreorderEngine
from engine.service.access import Caller


def get_engine(request: Request) -> PreorderEngine:
    engine: PreorderEngine = request.app.state.engine
    return engine


EngineDep = Annotated[PreorderEngine, Depends(get_engine)]


def current_caller(request: Request, engine: EngineDep) -> Caller:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return engine.authenticate(token.strip() if scheme.lower() == "bearer" else None)


CurrentCaller = Annotated[Caller, Depends(current_caller)]


def writer(caller: CurrentCaller) -> Caller:
    caller.require("orders:write")
    return caller


def reader(caller: CurrentCaller) -> Caller:
    caller.require("orders:read")
    return caller


def admin(caller: CurrentCaller) -> Caller:
    caller.require("admin")
    return caller


Writer = Annotated[Caller, Depends(writer)]
Reader = Annotated[Caller, Depends(reader)]
Admin = Annotated[Caller, Depends(admin)]
