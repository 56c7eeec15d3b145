"""The ``preorder`` command line.

The root lives in the engine; outer layers (api, experiments, optimizer tools) add their command groups
as ``preorder.cli`` entry points, each a ``register(app)`` function, so the engine never imports them.
"""

from __future__ import annotations

import logging
import sys
from importlib.metadata import entry_points

import typer

from engine.cli import admin

app = typer.Typer(
    name="preorder",
    help="Preorder Engine: pre-orders from intake to delivery, and what-if simulations.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
admin.register(app)


def _load_plugins() -> None:
    for entry in entry_points(group="preorder.cli"):
        try:
            register = entry.load()
        except ImportError as missing:  # a broken install should not take the other commands down
            logging.getLogger(__name__).warning("commands %r unavailable: %s", entry.name, missing)
            continue
        register(app)


def main() -> None:
    """Console-script entry point."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    _load_plugins()
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(130)
