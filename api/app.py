"""The FastAPI application: thin routes over the engine facade."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from api import errors, json_body
from api.body_limit import BodyLimit
from api.head_requests import HeadAsGet
from api.openapi_problems import document_problems
from api.routers import fulfilment, keys, operations, preorders, products
from api.schemas import PreorderCreate
from api.text_guard import RefuseNul
from engine.bootstrap import PreorderEngine, bootstrap
from engine.config import Settings

DESCRIPTION = """
Place pre-orders for products that are not in stock yet, see their place in the queue and an honest
delivery window, and manage the catalog, supply plans and logistics lanes.

Authenticate with `Authorization: Bearer <key>`. Every refusal is `application/problem+json`
(RFC 9457) with a stable `type`.
"""

log = logging.getLogger(__name__)


async def _sweep_pauses(engine: PreorderEngine, every: float) -> None:
    """For as long as the server runs: resume orders whose maximum pause ran out, and re-promise
    every line once a day (promises from stock on hand say "today", which moves)."""
    # The start-up refresh ran before the server took requests; from here on, once per new day.
    refreshed_on = engine.clock.now().date()
    while True:
        await asyncio.sleep(every)
        try:
            resumed = await run_in_threadpool(engine.expire_pauses)
            if resumed:
                log.info("resumed %d orders whose maximum pause ran out", len(resumed))
            today = engine.clock.now().date()
            if refreshed_on != today:
                await run_in_threadpool(engine.refresh_promises)
                refreshed_on = today
        except Exception:  # the next sweep tries again; a failed sweep changes nothing
            log.exception("queue sweep failed")


Background = Callable[[PreorderEngine], Callable[[], None]]


def create_app(
    settings: Settings, engine: PreorderEngine | None = None, background: Sequence[Background] = ()
) -> FastAPI:
    """The app over ``engine`` (or one built from ``settings`` at start-up, migrated first).

    Each ``background`` starter gets the engine when the app starts and returns how to stop it
    (``preorder serve`` passes the live agents this way).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = engine is None
        app.state.engine = engine or bootstrap(settings, migrate=True)
        writers = app.state.engine.settings.resolved_db_writers
        app.state.writer = ThreadPoolExecutor(max_workers=writers, thread_name_prefix="preorder-writer")
        await run_in_threadpool(app.state.engine.refresh_promises)  # before serving: no stall later
        sweeper = asyncio.create_task(_sweep_pauses(app.state.engine, settings.pause_sweep_seconds))
        stops = [start(app.state.engine) for start in background]
        # Start-up objects (models, schemas, the app) never die: keep them out of every collection,
        # and collect the young generation less often; together they take the GC out of the tail.
        gc.freeze()
        gc.set_threshold(20_000, 20, 20)
        try:
            yield
        finally:
            sweeper.cancel()
            for stop in stops:
                await run_in_threadpool(stop)
            app.state.writer.shutdown(wait=True)
            if owned:
                app.state.engine.close()

    app = FastAPI(title="Preorder Engine", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    errors.install(app)
    app.include_router(preorders.router)
    app.include_router(products.router)
    app.include_router(fulfilment.router)
    app.include_router(keys.router)
    app.include_router(operations.router)

    @app.get("/health", tags=["health"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    json_body.add_schemas(app, PreorderCreate)
    document_problems(app)
    # The last added runs first: an oversized body is refused before the NUL check reads it.
    app.add_middleware(RefuseNul)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(HeadAsGet)
    return app
