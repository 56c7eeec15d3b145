"""``preorder serve``: migrate the configured database and serve the API."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError

from api.app import create_app
from engine.cli.errors import fail
from engine.config import load_settings


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
        log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
    ) -> None:
        """Migrate the database named by PREORDER_DATABASE_URL and serve the API."""
        try:
            settings = load_settings()
        except ValidationError as bad:
            fail(f"bad configuration: {bad.errors()[0]['msg']}")
        uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level, access_log=False)
