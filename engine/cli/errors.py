"""One-line error messages on the command line instead of tracebacks."""

from __future__ import annotations

from typing import NoReturn

import typer
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from engine.config import Settings, load_settings


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code``."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def settings_or_fail() -> Settings:
    """The settings from the environment, or one line naming the first bad variable."""
    try:
        return load_settings()
    except ValidationError as bad:
        first = bad.errors()[0]
        name = f"PREORDER_{str(first['loc'][0]).upper()}" if first["loc"] else "the settings"
        fail(f"bad setting {name}: {first['msg']}")


def shown_url(url: str) -> str:
    """``url`` fit to print: its password masked (a URL that does not parse is shown only if it holds
    no credentials)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url if "@" not in url else "<the configured URL, which does not parse>"


def first_line(problem: BaseException) -> str:
    """The first line of an exception's message, or its type when it has none."""
    lines = str(problem).strip().splitlines()
    line = lines[0] if lines else type(problem).__name__
    if "No module named 'psycopg2'" in line:  # SQLAlchemy's default driver for postgresql:// URLs
        line += " (use a postgresql+psycopg:// URL)"
    return line
