"""The operations commands, run as a user would: one line of output per mistake, never a traceback."""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import subprocess
from pathlib import Path

import pytest
from live_server import PREORDER
from sqlalchemy import create_engine, text

DEMO = Path(__file__).resolve().parents[2] / "engine" / "demo" / "catalog.yaml"


def preorder(*args: str, data_dir: Path, url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PREORDER_DATA_DIR": str(data_dir)}
    env.pop("PREORDER_DATABASE_URL", None)
    if url:
        env["PREORDER_DATABASE_URL"] = url
    return subprocess.run([PREORDER, *args], env=env, capture_output=True, text=True, timeout=120)


def test_migrating_loading_the_demo_catalog_and_creating_a_key_work_on_a_fresh_data_dir(
    tmp_path: Path,
) -> None:
    assert preorder("db", "upgrade", data_dir=tmp_path).returncode == 0
    loaded = preorder("catalog", "load", str(DEMO), data_dir=tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    assert "loaded 3 products and 7 lanes" in loaded.stdout
    key = preorder("keys", "create", "--account", "shop", "--scopes", "orders:write", data_dir=tmp_path)
    assert key.returncode == 0, key.stderr
    assert key.stdout.strip().startswith("pe_")
    assert (tmp_path / "preorder.sqlite3").exists()


def test_loading_the_demo_only_into_an_empty_catalog_keeps_what_an_admin_changed_since(
    tmp_path: Path,
) -> None:
    # Given the demo loaded by a first `make run`, then one of its products renamed by an admin
    assert preorder("catalog", "load", "--if-empty", str(DEMO), data_dir=tmp_path).returncode == 0
    database = tmp_path / "preorder.sqlite3"
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE products SET name = 'Renamed by an admin' WHERE sku = 'CONSOLE-X'")
        versions = connection.execute("SELECT sku, version FROM supply_plans ORDER BY sku").fetchall()
    # When `make run` starts again
    again = preorder("catalog", "load", "--if-empty", str(DEMO), data_dir=tmp_path)
    # Then the demo is not loaded over the admin's catalog, and says so
    assert again.returncode == 0, again.stderr
    assert "already has products" in again.stdout
    with sqlite3.connect(database) as connection:
        name = connection.execute("SELECT name FROM products WHERE sku = 'CONSOLE-X'").fetchone()[0]
        assert connection.execute("SELECT sku, version FROM supply_plans ORDER BY sku").fetchall() == versions
    assert name == "Renamed by an admin"


def test_the_demo_catalog_loads_into_postgresql(postgres_database: str, tmp_path: Path) -> None:
    loaded = preorder("catalog", "load", str(DEMO), data_dir=tmp_path, url=postgres_database)
    assert loaded.returncode == 0, loaded.stderr


@pytest.mark.parametrize(
    ("content", "suffix", "message"),
    [
        ("products: [", ".yaml", "is not valid YAML"),
        ('{"products": 3}', ".json", "products"),
        (
            "products:\n  - sku: A\n    name: A\n    price: -1\n    currency: USD\n    facility: F\n",
            ".yaml",
            "price",
        ),
        (
            "lanes:\n  - {facility: F, country: US, handling_days: 1,"
            " transit_days: {p10: 5, p50: 2, p90: 9}}\n",
            ".yaml",
            "p10 <= p50 <= p90",
        ),
    ],
)
def test_a_bad_catalog_file_gets_one_line_and_changes_nothing(
    tmp_path: Path, content: str, suffix: str, message: str
) -> None:
    path = tmp_path / f"catalog{suffix}"
    path.write_text(content)
    result = preorder("catalog", "load", str(path), data_dir=tmp_path)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "preorder.sqlite3").exists()


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_a_catalog_with_a_nul_character_is_one_line_and_changes_nothing_on_either_database(
    tmp_path: Path, database: str, request: pytest.FixtureRequest
) -> None:
    # PostgreSQL cannot store a NUL (it answered with a 100-line driver traceback); SQLite stored it.
    url = request.getfixturevalue("postgres_database") if database == "postgres" else None
    sku = f"NUL-{secrets.token_hex(4).upper()}"
    product = {"sku": sku, "name": "Bad\x00name", "price": "1.00", "currency": "USD", "facility": "F"}
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps({"products": [product]}))  # the NUL written as JSON's \u0000
    result = preorder("catalog", "load", str(path), data_dir=tmp_path, url=url)
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "name contains a NUL character" in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    if url is None:
        assert not (tmp_path / "preorder.sqlite3").exists()
    else:
        with create_engine(url).connect() as connection:
            stored = connection.execute(text("SELECT count(*) FROM products WHERE sku = :s"), {"s": sku})
            assert stored.scalar() == 0


def test_a_missing_file_and_unknown_scopes_are_one_line_errors(tmp_path: Path) -> None:
    missing = preorder("catalog", "load", str(tmp_path / "nope.yaml"), data_dir=tmp_path)
    assert missing.returncode == 2 and "cannot read" in missing.stderr and "Traceback" not in missing.stderr
    scopes = preorder("keys", "create", "--account", "a", "--scopes", "everything", data_dir=tmp_path)
    assert scopes.returncode == 2 and "scopes must be" in scopes.stderr and "Traceback" not in scopes.stderr


def test_an_unreachable_database_is_a_one_line_error(tmp_path: Path) -> None:
    result = preorder("db", "upgrade", data_dir=tmp_path, url="postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert result.returncode == 2
    assert result.stderr.startswith("error: cannot migrate")
    assert "Traceback" not in result.stderr


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg://someone:s3cret-pw@127.0.0.1:1/none", "someone:***@127.0.0.1:1/none"),
        ("postgresql+psycopg://someone@127.0.0.1:1/none?password=s3cret-pw", "none?password=%2A%2A%2A"),
        (
            "postgresql+psycopg://someone:s3cret-pw@host:notaport/none",
            "<the configured URL, which does not parse>",
        ),
    ],
    ids=["user-part", "query", "unparsable"],
)
def test_a_database_password_is_masked_in_errors(tmp_path: Path, url: str, shown: str) -> None:
    for command in (("db", "upgrade"), ("catalog", "load", str(DEMO)), ("keys", "create", "--account", "a")):
        line = one_error_line(preorder(*command, data_dir=tmp_path, url=url))
        assert shown in line and "s3cret-pw" not in line


def test_a_postgresql_url_without_a_driver_is_told_which_driver_to_name(tmp_path: Path) -> None:
    for command in (("db", "upgrade"), ("catalog", "load", str(DEMO)), ("keys", "create", "--account", "a")):
        line = one_error_line(
            preorder(*command, data_dir=tmp_path, url="postgresql://someone@127.0.0.1/none")
        )
        assert line.endswith("No module named 'psycopg2' (use a postgresql+psycopg:// URL)")


@pytest.mark.parametrize(
    "command",
    [("catalog", "load", str(DEMO)), ("keys", "create", "--account", "a"), ("serve", "--agents", "off")],
    ids=["catalog", "keys", "serve"],
)
def test_a_data_folder_that_is_a_file_is_a_one_line_error(tmp_path: Path, command: tuple[str, ...]) -> None:
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    line = one_error_line(preorder(*command, data_dir=not_a_folder))
    assert str(not_a_folder) in line


def test_a_bad_setting_is_named_in_one_line_by_every_command(tmp_path: Path) -> None:
    env = {**os.environ, "PREORDER_DATA_DIR": str(tmp_path), "PREORDER_CUT_OFF_HOUR": "99"}
    for command in (
        ("db", "upgrade"),
        ("keys", "create", "--account", "a"),
        ("serve",),
        ("pricing", "backtest"),
    ):
        result = subprocess.run([PREORDER, *command], env=env, capture_output=True, text=True, timeout=120)
        line = one_error_line(result)
        assert line.startswith("error: bad setting PREORDER_CUT_OFF_HOUR: "), (command, line)


@pytest.mark.parametrize("account", ["", "   ", "x" * 65, "semi;colon"])
def test_an_account_name_the_api_would_refuse_is_refused_by_keys_create(tmp_path: Path, account: str) -> None:
    line = one_error_line(preorder("keys", "create", "--account", account, data_dir=tmp_path))
    assert "account must be 1-64 letters" in line


def test_a_catalog_load_while_another_process_holds_the_sqlite_lock_is_a_one_line_error(
    tmp_path: Path,
) -> None:
    assert preorder("db", "upgrade", data_dir=tmp_path).returncode == 0
    holder = sqlite3.connect(tmp_path / "preorder.sqlite3", timeout=0)
    try:
        holder.execute("BEGIN IMMEDIATE")
        line = one_error_line(preorder("catalog", "load", str(DEMO), data_dir=tmp_path))
    finally:
        holder.rollback()
        holder.close()
    assert line == "error: the store is busy or unavailable; try again shortly"


def test_serve_refuses_an_unknown_log_level_with_typers_usage_error(tmp_path: Path) -> None:
    result = preorder("serve", "--log-level", "loud", data_dir=tmp_path)
    assert result.returncode == 2 and "'loud' is not one of" in result.stderr
    assert "Traceback" not in result.stderr
