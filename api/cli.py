"""``preorder serve``: migrate the configured database, serve the API, and run the agents."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
import uvicorn

from api.app import Background, create_app
from engine.cli.admin import migrate_or_fail
from engine.cli.errors import fail, settings_or_fail
from engine.config import Settings
from engine.facade import PreorderEngine

if TYPE_CHECKING:
    from agents.runtime import AgentRuntime


class LogLevel(StrEnum):
    CRITICAL = "critical"
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    DEBUG = "debug"
    TRACE = "trace"


class AgentsMode(StrEnum):
    OFF = "off"
    INPROCESS = "inprocess"
    RAY = "ray"


def agents_starter(
    mode: AgentsMode, settings: Settings, tick_s: float, ray_address: str | None
) -> Background:
    """Start the live agents on the server's engine; returns how to stop them."""

    def start(engine: PreorderEngine) -> Callable[[], None]:
        from agents.runtime import Ticker

        ticker = Ticker(live_runtime(engine, mode, settings, ray_address), tick_s)
        ticker.start()
        return ticker.stop

    return start


def live_runtime(
    engine: PreorderEngine, mode: AgentsMode, settings: Settings, ray_address: str | None
) -> AgentRuntime:
    """The server's agents, reading what happens from now on. Their memory (sales velocity, price-change
    waits) lives in the process: replaying the whole outbox at a restart would count every past order
    as sold at once, so a restarted server's agents start afresh and learn again."""
    from agents.defaults import live_agents
    from agents.runtime import AgentRuntime

    agents, cursor = live_agents(settings), engine.outbox_end()
    if mode is AgentsMode.RAY:
        from agents.ray_hosting import RayAgentRuntime

        return RayAgentRuntime(engine, agents, address=ray_address, cursor=cursor)
    return AgentRuntime(engine, agents, cursor=cursor)


def join_ray(address: str | None) -> None:
    """Join (or start) the Ray cluster before serving: a one-line error, not a hung start-up, when
    it cannot be reached."""
    from agents.ray_hosting import start_ray
    from agents.runtime import AgentsUnavailable

    try:
        start_ray(address)
    except AgentsUnavailable as unavailable:
        fail(str(unavailable))


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
        log_level: Annotated[LogLevel, typer.Option(help="uvicorn log level.")] = LogLevel.INFO,
        agents: Annotated[AgentsMode, typer.Option(help="Run the agents here, on Ray, or not at all.")] = (
            AgentsMode.INPROCESS
        ),
        agent_tick: Annotated[float, typer.Option(help="Seconds between agent ticks.", min=0.05)] = 5.0,
        ray_address: Annotated[
            str | None, typer.Option(help="Ray cluster to join (default: RAY_ADDRESS, else a local one).")
        ] = None,
    ) -> None:
        """Migrate the database named by PREORDER_DATABASE_URL, serve the API, run the agents."""
        settings = settings_or_fail()
        migrate_or_fail(settings)  # a database that cannot be opened is said here, not in a start-up trace
        if agents is AgentsMode.RAY:
            join_ray(ray_address)
        background = (
            [] if agents is AgentsMode.OFF else [agents_starter(agents, settings, agent_tick, ray_address)]
        )
        application = create_app(settings, background=background)
        uvicorn.run(application, host=host, port=port, log_level=log_level.value, access_log=False)
