"""Operations commands: database migrations, API keys, catalog loading."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
import yaml
from alembic.util.exc import CommandError as AlembicError
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from engine.bootstrap import bootstrap
from engine.catalog_input import CatalogIn
from engine.cli.errors import DATABASE_PROBLEMS, fail, first_line, hiding_url, settings_or_fail, shown_url
from engine.config import Settings
from engine.domain.errors import DomainError
from engine.facade import PreorderEngine
from engine.persistence.migrate import upgrade as upgrade_database

MIGRATION_PROBLEMS: tuple[type[Exception], ...] = (*DATABASE_PROBLEMS, AlembicError)


def migrate_or_fail(settings: Settings) -> str:
    """Migrate the configured database; its URL fit to print, or one line saying why it cannot be."""
    url = settings.resolved_database_url
    try:
        upgrade_database(url)
    except MIGRATION_PROBLEMS as bad:
        fail(f"cannot migrate {shown_url(url)}: {hiding_url(first_line(bad), url)}")
    return shown_url(url)


def _engine() -> PreorderEngine:
    """The engine on the configured database, migrated, or one line saying why it cannot be opened."""
    settings = settings_or_fail()
    migrate_or_fail(settings)
    url = settings.resolved_database_url
    try:
        return bootstrap(settings)
    except DATABASE_PROBLEMS as bad:
        fail(f"cannot open the database {shown_url(url)}: {hiding_url(first_line(bad), url)}")


def read_catalog(path: Path) -> CatalogIn:
    """Parse a YAML or JSON catalog file, or fail with one line saying what is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as bad:
        fail(f"cannot read {path}: {bad}")
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        return CatalogIn.model_validate(data)
    except (json.JSONDecodeError, yaml.YAMLError) as bad:
        fail(
            f"{path} is not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {str(bad).splitlines()[0]}"
        )
    except ValidationError as bad:
        first = bad.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the file"
        fail(f"{path}: {where}: {first['msg']} ({bad.error_count()} problem(s) in all)")


def register(app: typer.Typer) -> None:
    """Add the operations command groups to the root app."""
    db = typer.Typer(help="Database schema.", no_args_is_help=True)
    keys = typer.Typer(help="API keys.", no_args_is_help=True)
    catalog = typer.Typer(help="Products, supply plans and lanes.", no_args_is_help=True)
    app.add_typer(db, name="db")
    app.add_typer(keys, name="keys")
    app.add_typer(catalog, name="catalog")

    @db.command("upgrade")
    def upgrade() -> None:
        """Apply all migrations to the database named by PREORDER_DATABASE_URL (default: SQLite in var/)."""
        url = migrate_or_fail(settings_or_fail())
        typer.echo(f"database is up to date: {url}")

    @keys.command("create")
    def create_key(
        account: Annotated[str, typer.Option(help="Account (tenant) the key belongs to.")],
        scopes: Annotated[
            list[str], typer.Option("--scopes", help="orders:write, orders:read and/or admin.")
        ] = ["orders:write", "orders:read"],  # noqa: B006 - typer needs a literal default
    ) -> None:
        """Create an API key and print it. It is shown this once; only its hash is stored."""
        wanted = frozenset(part for item in scopes for part in item.replace(",", " ").split())
        engine = _engine()
        try:
            issued = engine.issue_key(account, wanted)
        except DomainError as refusal:
            fail(refusal.detail)
        except OperationalError as bad:  # the database went away; other SQL errors are bugs, with a trace
            fail(f"database error: {first_line(bad)}")
        finally:
            engine.close()
        typer.echo(issued.key)
        typer.echo(
            f"id={issued.id} account={issued.account_id} scopes={' '.join(sorted(issued.scopes))}", err=True
        )

    @catalog.command("load")
    def load(
        path: Annotated[Path, typer.Argument(help="YAML or JSON catalog file.")],
        if_empty: Annotated[
            bool,
            typer.Option(
                "--if-empty",
                help="Load only into a catalog without products (so a restart keeps an admin's edits).",
            ),
        ] = False,
    ) -> None:
        """Load products (with supply plans) and lanes from a file, in one transaction."""
        data = read_catalog(path)
        engine = _engine()
        try:
            counts = engine.load_catalog(data, only_into_empty=if_empty)
        except DomainError as refusal:
            fail(refusal.detail)
        except OperationalError as bad:  # the database went away; other SQL errors are bugs, with a trace
            fail(f"database error: {first_line(bad)}")
        finally:
            engine.close()
        if counts is None:
            typer.echo(f"the catalog already has products: {path} not loaded (--if-empty)")
            return
        typer.echo(f"loaded {counts['products']} products and {counts['lanes']} lanes from {path}")
