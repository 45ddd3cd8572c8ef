"""The app's own DuckDB connection: no files, no attaching, no extensions, no settings.

Even SQL that got past Filters (it cannot: queries are files, values are bound)
could not read or write anything beyond the warehouse, nor loosen the limits.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pytest

from dashboard.db import QueryTimeout, Warehouse, get_warehouse


@pytest.fixture(scope="module")
def connection(fixture_warehouse: Path) -> duckdb.DuckDBPyConnection:
    return get_warehouse(fixture_warehouse).snapshot().connection.cursor()


def refused(connection: duckdb.DuckDBPyConnection, sql: str) -> str:
    with pytest.raises(duckdb.Error) as info:
        connection.execute(sql).fetchall()
    return str(info.value)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_csv_auto('/etc/hostname')",
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM read_blob('/etc/passwd')",
        "SELECT * FROM read_json('/etc/passwd')",
        "SELECT * FROM read_parquet('/etc/passwd')",
        "SELECT * FROM glob('/etc/*')",
        "SELECT * FROM 'README.md'",
        "INSTALL httpfs",
        "LOAD httpfs",
        "LOAD '/tmp/evil.duckdb_extension'",
        "SET enable_external_access = true",
        "SET lock_configuration = false",
        "SET memory_limit = '64GB'",
        "SET threads = 64",
        "RESET enable_external_access",
        "PRAGMA memory_limit = '64GB'",
        "PRAGMA threads = 64",
        "PRAGMA enable_profiling",
        "SET GLOBAL autoinstall_known_extensions = true",
        "CREATE TABLE stolen AS SELECT * FROM members",
        "DELETE FROM votes",
        "DROP TABLE build_info",
    ],
)
def test_statement_is_refused(connection, sql: str) -> None:
    refused(connection, sql)


def test_attach_and_copy_are_refused(connection, tmp_path: Path) -> None:
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    refused(connection, f"ATTACH '{other}' AS other")
    refused(connection, f"ATTACH '{tmp_path / 'new.duckdb'}' AS fresh")
    out = tmp_path / "out.csv"
    refused(connection, f"COPY (SELECT * FROM members) TO '{out}'")
    refused(connection, f"COPY members TO '{out}' (FORMAT parquet)")
    refused(connection, f"EXPORT DATABASE '{tmp_path / 'dump'}'")
    assert not out.exists() and not (tmp_path / "new.duckdb").exists()
    assert not (tmp_path / "dump").exists()


def test_settings_stay_locked_after_every_attempt(connection) -> None:
    for sql in ("SET enable_external_access = true", "SET memory_limit = '64GB'"):
        refused(connection, sql)
    settings = dict(
        connection.execute(
            "SELECT name, value FROM duckdb_settings() WHERE name IN "
            "('enable_external_access', 'lock_configuration', 'autoload_known_extensions', "
            "'autoinstall_known_extensions', 'access_mode')"
        ).fetchall()
    )
    assert settings["enable_external_access"] == "false"
    assert settings["lock_configuration"] == "true"
    assert settings["autoload_known_extensions"] == "false"
    assert settings["autoinstall_known_extensions"] == "false"
    assert settings["access_mode"].lower() == "read_only"


def test_the_query_runner_is_locked_down_too(fixture_warehouse: Path) -> None:
    warehouse = get_warehouse(fixture_warehouse)
    with pytest.raises(duckdb.Error):
        warehouse.query("SELECT * FROM read_csv($path)", {"path": "/etc/passwd"})
    df, _ = warehouse.query("SELECT count(*) AS n FROM members")
    assert int(df["n"][0]) == 40


def test_pathological_query_is_interrupted_and_the_warehouse_keeps_serving(
    fixture_warehouse: Path,
) -> None:
    warehouse = Warehouse(fixture_warehouse, timeout_s=0.5)
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match=r"longer than 0\.5s"):
        warehouse.query(
            "SELECT sum(a.range * b.range % 7) AS x "
            "FROM range(1000000000) a CROSS JOIN range(1000000000) b",
            name="cross_join",
        )
    assert time.monotonic() - started < 5
    for _ in range(3):  # the same connection answers normally, again and again
        df, snap = warehouse.query("SELECT build_id FROM build_info")
        assert df["build_id"][0] == snap.build_id
    warehouse.snapshot().connection.close()
