"""One-line error messages on the command line instead of tracebacks."""

from __future__ import annotations

from typing import NoReturn

import typer
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from engine.config import Settings, load_settings


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code``."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


# What opening or migrating a database the settings name raises for a bad URL (a port that is not a
# number: ValueError), a missing driver, an unreachable server, a bad file or data folder, an unknown
# revision. Alembic's CommandError is a plain Exception subclass, named by the callers that migrate.
DATABASE_PROBLEMS: tuple[type[Exception], ...] = (OSError, SQLAlchemyError, ImportError, ValueError)


def settings_or_fail() -> Settings:
    """The settings from the environment, or one line naming the first bad variable."""
    try:
        return load_settings()
    except ValidationError as bad:
        first = bad.errors()[0]
        name = f"PREORDER_{str(first['loc'][0]).upper()}" if first["loc"] else "the settings"
        fail(f"bad setting {name}: {first['msg']}")


def shown_url(url: str) -> str:
    """``url`` fit to print: its password masked, in the user part or the query (a URL that does not
    parse is shown only if it holds nothing that looks like a credential)."""
    try:
        parsed = make_url(url)
        if "password" in parsed.query:
            parsed = parsed.update_query_dict({"password": "***"})
        return parsed.render_as_string(hide_password=True)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        credentials = "@" in url or "password" in url
        return "<the configured URL, which does not parse>" if credentials else url


def hiding_url(message: str, url: str) -> str:
    """``message`` with any copy of ``url`` in it replaced by :func:`shown_url` (clients quote it whole)."""
    return message.replace(url, shown_url(url)) if url else message


def first_line(problem: BaseException) -> str:
    """The first line of an exception's message, or its type when it has none."""
    lines = str(problem).strip().splitlines()
    line = lines[0] if lines else type(problem).__name__
    if "No module named 'psycopg2'" in line:  # SQLAlchemy's default driver for postgresql:// URLs
        line += " (use a postgresql+psycopg:// URL)"
    return line
