"""Dependencies shared by the routers: the engine and the authenticated caller."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request

from engine.bootstrap import PreorderEngine
from engine.service.access import Caller


async def get_engine(request: Request) -> PreorderEngine:
    engine: PreorderEngine = request.app.state.engine
    return engine


EngineDep = Annotated[PreorderEngine, Depends(get_engine)]

T = TypeVar("T")


async def on_writer_thread(request: Request, call: Callable[..., T], *args: Any) -> T:
    """Run ``call`` on the app's writer threads (as many as the engine's writers) and await it.

    Queueing placements here, in arrival order, costs less than a pool of threads that wake only to
    wait for a writer: one thread on SQLite, a few on PostgreSQL (Settings.db_writers).
    """
    pool: ThreadPoolExecutor = request.app.state.writer
    return await asyncio.get_running_loop().run_in_executor(pool, call, *args)


def token_of(request: Request) -> str | None:
    """The key from ``Authorization: Bearer <key>``, unchecked (the engine checks it)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


async def bearer_token(request: Request) -> str | None:
    return token_of(request)


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
