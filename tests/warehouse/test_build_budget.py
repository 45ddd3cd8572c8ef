"""The build's memory budget: DuckDB's limit is a parameter, and every step is timed."""

from __future__ import annotations

import inspect
import logging
from pathlib import Path

import duckdb

from dashboard.warehouse.build import build_statements, build_warehouse
from tests.conftest import FIXTURE_EXPORT


def test_default_memory_limit_leaves_room_under_4gb() -> None:
    default = inspect.signature(build_warehouse).parameters["memory_limit"].default
    assert default.endswith("GB") and float(default[:-2]) <= 3


def test_a_small_memory_limit_builds_the_same_tables_and_logs_each_step(
    tmp_path: Path, caplog
) -> None:
    caplog.set_level(logging.DEBUG, logger="dashboard.warehouse.build")
    small = build_warehouse(FIXTURE_EXPORT, tmp_path / "small.duckdb", previous=None,
                            memory_limit="256MB")  # fmt: skip
    usual = build_warehouse(FIXTURE_EXPORT, tmp_path / "usual.duckdb", previous=None)
    assert small.rows == usual.rows
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for name, _, _ in build_statements():
        if not name.startswith(("00_", "9")):
            assert f"build step {name}:" in logged
    for step in ("stage and validate", "publication", "verify"):
        assert f"build step {step}:" in logged

    def tables(path: Path) -> dict[str, list]:
        con = duckdb.connect(str(path), read_only=True)
        try:
            return {t: sorted(con.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr)
                    for t in ("votes", "vote_cube", "voter_cube", "publication")}  # fmt: skip
        finally:
            con.close()

    assert tables(tmp_path / "small.duckdb") == tables(tmp_path / "usual.duckdb")
