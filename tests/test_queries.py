"""Every queries/*.sql is one read statement whose header tells the truth, and it runs.

The header of a query file (the leading `--` lines) says what its rows are (`Rows:`),
its grain (`Grain:`) and the `$parameters` it binds (`Parameters: none.` or a list,
possibly continued on indented `--   ` lines). queries/build/*.sql are the build
steps: one CREATE each, with the same `Parameters:` line.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from dashboard.config import QUERIES_DIR
from dashboard.db import Warehouse, load_query
from dashboard.filters import GROUP_DIMS, Filters

QUERIES = sorted(QUERIES_DIR.glob("*.sql"))
BUILD_STEPS = sorted((QUERIES_DIR / "build").glob("*.sql"))


def header(text: str) -> list[str]:
    """The leading comment lines, without their `--`."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        lines.append(line[2:])
    return lines


def header_parameters(text: str) -> set[str] | None:
    """The $names the `Parameters:` line (and its indented continuation) lists; None if absent."""
    lines = header(text)
    for i, line in enumerate(lines):
        if line.strip().startswith("Parameters:"):
            block = [line, *_continuation(lines[i + 1 :])]
            names = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", " ".join(block)))
            if not names:
                assert "none" in line, (
                    f"Parameters line names nothing and does not say none: {line}"
                )
            return names
    return None


def _continuation(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        if not line.startswith("   "):  # "--" then at least three spaces: a continuation
            break
        out.append(line)
    return out


def one_statement(path: Path) -> duckdb.Statement:
    statements = duckdb.extract_statements(path.read_text(encoding="utf-8"))
    assert len(statements) == 1, f"{path.name} has {len(statements)} statements, not one"
    return statements[0]


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.name)
def test_each_query_is_one_read(path: Path) -> None:
    statement = one_statement(path)
    assert statement.type == duckdb.StatementType.SELECT, statement.type
    body = "\n".join(
        line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("--")
    )
    assert re.match(r"\s*(SELECT|WITH)\b", body, re.IGNORECASE), "starts with SELECT or WITH"


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.name)
def test_each_query_header_names_its_rows_grain_and_exactly_its_parameters(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    lines = [line.strip() for line in header(text)]
    assert any(line.startswith("Rows:") for line in lines), f"{path.name}: no '-- Rows:' line"
    assert any(line.startswith("Grain:") for line in lines), f"{path.name}: no '-- Grain:' line"
    bound = set(one_statement(path).named_parameters)
    assert header_parameters(text) == bound, f"{path.name}: the header's Parameters line"
    # The app's runner finds the same names duckdb's parser does (it binds exactly those).
    assert load_query(path.stem).parameters == bound


@pytest.mark.parametrize("path", BUILD_STEPS, ids=lambda p: p.name)
def test_each_build_step_is_one_create_with_a_true_header(path: Path) -> None:
    statement = one_statement(path)
    assert statement.type == duckdb.StatementType.CREATE, statement.type
    text = path.read_text(encoding="utf-8")
    assert header_parameters(text) == set(statement.named_parameters), path.name
    if re.search(r"^CREATE (OR REPLACE )?TABLE", text, re.MULTILINE | re.IGNORECASE):
        assert any("Grain:" in line for line in header(text)), f"{path.name}: no Grain"


@pytest.fixture(scope="module")
def warehouse(fixture_warehouse: Path) -> Warehouse:
    return Warehouse(fixture_warehouse, timeout_s=5)


def plausible_parameters(wh: Warehouse) -> list[dict[str, object]]:
    """Two parameter sets: the Filters defaults for a real round, and every split and filter on."""

    def first(sql: str) -> object:
        return wh.query(sql)[0].iloc[0, 0]

    as_of = wh.snapshot().as_of
    plain = Filters(round=str(first("SELECT round_id FROM rounds ORDER BY closes_on DESC")))
    split = Filters(
        round=plain.round,
        topic=str(first("SELECT min(topic) FROM questions")),
        project=str(first("SELECT min(project_id) FROM projects")),
    )
    out = []
    for filters, every_split in ((plain, False), (split, True)):
        params: dict[str, object] = {
            "round": filters.round,
            "topic": filters.topic,
            "project": filters.project,
            "as_of": as_of,
            "cutoff": as_of,
            "dims": "who,age_band",  # a split the build publishes
            "k": 11,
            "chart": "members",  # a chart the build publishes as a result
            "key": "none",
            **filters.group_params(),
        }
        if every_split:
            params.update({f"by_{dim}": True for dim in GROUP_DIMS})
        out.append(params)
    return out


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.name)
def test_each_query_runs_on_the_fixture_warehouse(warehouse: Warehouse, path: Path) -> None:
    needed = load_query(path.stem).parameters
    for params in plausible_parameters(warehouse):
        missing = needed - params.keys()
        assert not missing, f"add a plausible value for {sorted(missing)} in this test"
        df, _snap = warehouse.run_named(path.stem, params)
        assert len(df.columns) > 0
