"""The build publishes every protected priority table; a request only looks one up."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pytest

from dashboard.catalogue import CHARTS, spec
from dashboard.db import Warehouse
from dashboard.engine import Engine
from dashboard.filters import Filters
from dashboard.insights import tables as tables_module
from dashboard.insights import topics
from dashboard.insights.priorities import list_rounds
from dashboard.insights.publication import (
    TABLE_AXES,
    lookup_result,
    result_filters,
    result_key,
    split_key,
    table_splits,
)
from dashboard.insights.result import WITHHELD_GROUP
from dashboard.insights.tables import compute_tables, forget_recent_tables, published_tables

K = 11


def test_every_split_of_up_to_three_axes_is_a_table() -> None:
    splits = table_splits()
    assert len(splits) == 1 + 5 + 10 + 10  # none, one, two or three of the five axes
    assert all(list(s) == sorted(s, key=TABLE_AXES.index) for s in splits)


def test_the_build_published_every_round_and_split_for_its_k(fixture_warehouse: Path) -> None:
    con = duckdb.connect(str(fixture_warehouse), read_only=True)
    try:
        rows = con.execute("SELECT round_id, dims, k FROM publication").fetchall()
    finally:
        con.close()
    rounds = [r.round_id for r in list_rounds(Warehouse(fixture_warehouse))]
    expected = {(r, split_key(s), K) for r in rounds for s in table_splits()}
    assert set(rows) == expected and len(rows) == len(expected)


@pytest.mark.parametrize("round_id", ["R1", "R2", "R3"])  # pick, rank, rate
def test_a_published_table_is_what_the_same_code_computes(fixture_warehouse: Path,
                                                          round_id: str) -> None:  # fmt: skip
    """The lookup serves exactly the counts and decisions of computing it on the spot."""
    wh = Warehouse(fixture_warehouse)
    rnd = next(r for r in list_rounds(wh) if r.round_id == round_id)
    for split in table_splits():
        forget_recent_tables()
        stored = published_tables(wh, rnd, split, K)
        fresh = compute_tables(wh, rnd, split, K)
        assert stored is not None and stored.published, split
        assert stored.axes == fresh.axes, split
        assert np.array_equal(stored.voters, fresh.voters), split
        assert np.array_equal(stored.voters_hidden, fresh.voters_hidden), split
        assert list(stored.measures) == list(fresh.measures), split
        assert set(stored._hidden) == set(fresh._hidden), split
        for qid in fresh.measures:
            for m, counts in fresh.measures[qid].items():
                assert np.array_equal(stored.measures[qid][m], counts), (split, qid, m)
            for measure, masks in fresh._hidden.items():
                assert np.array_equal(stored._hidden[measure][qid], masks[qid]), (split, qid)
    assert fresh.voters_hidden.any(), "nothing withheld: the comparison has no teeth"


VIEWS = [
    ("priorities", {"round": "R1"}),
    ("priorities", {"round": "R1", "role": "caregiver", "age_band": "40-49"}),
    ("priorities", {"round": "R3", "ms_course": "relapsing", "sex": "female", "country": "CA"}),
    ("priorities", {"round": "R2", "duration_band": "5-9"}),
    ("priorities", {"round": "R1", "topic": "Symptoms & quality of life"}),
    ("priorities-by-group", {"round": "R1", "compare": "age_band"}),
    ("priorities-balanced", {"round": "R2", "method": "balanced"}),
    ("consensus", {"round": "R3"}),
    ("topics", {"round": "R1", "role": "person_with_ms"}),
    ("round-shifts", {}),
    ("group-top", {"round": "R1"}),
    ("question-trend", {"question": "Q1"}),
    ("question-trail", {"question": "Q1"}),
]


@pytest.mark.parametrize(("chart", "args"), VIEWS)
def test_a_request_protects_nothing(fixture_warehouse: Path, monkeypatch, chart: str,
                                    args: dict) -> None:  # fmt: skip
    from dashboard.config import Settings

    def forbidden(*a, **kw):
        raise AssertionError("a request ran disclosure control on a priority table")

    monkeypatch.setattr(tables_module, "protect", forbidden)
    monkeypatch.setattr(tables_module, "protect_batch", forbidden)
    monkeypatch.setattr(tables_module, "compute_tables", forbidden)
    monkeypatch.setattr(topics, "compute_discussion", forbidden)
    forget_recent_tables()
    engine = Engine(Settings(warehouse=fixture_warehouse, k=K, query_timeout_s=5,
                             network_name=""), shared=None)  # fmt: skip
    assert engine.run(chart, args).chart == chart  # and no AssertionError from inside


def test_a_country_nobody_voted_from_reads_as_too_few(engine: Engine) -> None:
    """An unseen country is an empty category added to the published table: a small group."""
    empty = engine.run("priorities", {"round": "R1", "country": "ZZ"})
    assert empty.rows == [] and empty.message == WITHHELD_GROUP.format(k=K)


# --- finished results (charts that do not read priority tables) ---------------------------


def _published_views(wh: Warehouse) -> list[tuple[str, dict]]:
    """Every published chart under each of its key values, and views of its rows."""
    projects = [str(p) for p in wh.run_static("projects", {})["project_id"]]
    views: list[tuple[str, dict]] = []
    for chart in CHARTS:
        if chart.published is None:
            continue
        sets: list[dict] = [f.to_query() for f in result_filters(chart)]
        if "role" in chart.filters and "role" not in chart.published.keys:
            sets += [{"role": r} for r in ("person_with_ms", "caregiver", "other")]
        if "project" in chart.filters:
            sets += [{"project": p} for p in projects]
        if "from" in chart.filters:
            sets += [{"from": "2023-03-15"}, {"to": "2023-12-31"},
                     {"from": "2022-01-01", "to": "2024-06-30", **sets[-1]}]  # fmt: skip
        views += [(chart.id, args) for args in sets]
    return views


def test_a_published_result_is_what_the_chart_computes(fixture_warehouse: Path) -> None:
    """Every key value and every view of the rows: the same JSON the chart computes."""
    wh = Warehouse(fixture_warehouse)
    views = _published_views(wh)
    assert {c for c, _ in views} == {c.id for c in CHARTS if c.published is not None}
    for chart_id, args in views:
        chart = spec(chart_id)
        filters = Filters.parse(args, allowed=chart.filters)
        looked_up = lookup_result(chart, wh, filters, K).to_json()
        computed = chart.data(wh, filters, K).to_json()
        assert looked_up == computed, (chart_id, args)
    served = lookup_result(spec("members"), wh, Filters(), K)
    assert any(r.get("suppressed") for r in served.rows), "nothing withheld: no teeth"


def test_the_build_published_every_key_of_every_published_chart(fixture_warehouse) -> None:
    con = duckdb.connect(str(fixture_warehouse), read_only=True)
    try:
        rows = set(con.execute("SELECT chart, key, k FROM published_results").fetchall())
    finally:
        con.close()
    expected = {(c.id, result_key(c, f), K) for c in CHARTS if c.published is not None
                for f in result_filters(c)} | {("discussion", "none", K),
                                               ("country-table", "none", K),
                                               ("funnel-served", "none", K),
                                               ("retention-roles", "none", K)}  # fmt: skip
    assert rows == expected


def test_the_published_discussion_is_what_is_computed(fixture_warehouse: Path) -> None:
    wh = Warehouse(fixture_warehouse)
    stored = topics.published_discussion(wh, K)
    assert stored is not None and stored == topics.compute_discussion(wh, K)
    assert any(h for *_, h, _p in stored.question.values()), "nothing withheld: no teeth"


@pytest.mark.parametrize("module", ["participation", "projects", "headlines", "topics"])
def test_a_published_chart_protects_nothing_per_request(fixture_warehouse: Path, monkeypatch,
                                                        module: str) -> None:  # fmt: skip
    import importlib

    from dashboard.config import Settings

    def forbidden(*a, **kw):
        raise AssertionError(f"a request ran disclosure control in {module}")

    mod = importlib.import_module(f"dashboard.insights.{module}")
    for name in ("protect", "protect_nested", "primary", "protect_batch"):
        if hasattr(mod, name):
            monkeypatch.setattr(mod, name, forbidden)
    engine = Engine(Settings(warehouse=fixture_warehouse, k=K, query_timeout_s=5,
                             network_name=""), shared=None)  # fmt: skip
    wh = Warehouse(fixture_warehouse)
    for chart_id, args in _published_views(wh):
        assert engine.run(chart_id, args).chart == chart_id


@pytest.mark.parametrize("others", [(), ("age_band",), ("sex",), ("sex", "country")])
def test_years_since_diagnosis_not_applicable_answers_as_the_who_table(
    fixture_warehouse: Path, others: tuple[str, ...]
) -> None:
    """The same people (members without MS) get the who table's decisions in a duration
    table; a reference over the wrong axes once withheld the whole column instead, and
    the linear attacks then found small counts (the column's decisions were not the
    who table's)."""
    wh = Warehouse(fixture_warehouse)
    rnd = next(r for r in list_rounds(wh) if r.round_id == "R1")
    split = tuple(d for d in TABLE_AXES if d in ("duration_band", *others))
    by_duration = published_tables(wh, rnd, split, K)
    by_who = published_tables(wh, rnd, ("who", *others), K)
    assert by_duration is not None and by_who is not None
    na = by_duration.axes.values[by_duration.axes.dims.index("duration_band")].index(
        "not-applicable")  # fmt: skip
    column = np.take(by_duration.voters_hidden, na, axis=by_duration.axes.dims.index(
        "duration_band"))  # fmt: skip
    row = np.take(by_who.voters_hidden, by_who.axes.values[0].index("not-applicable"), axis=0)
    assert np.array_equal(column, row)
    if not others:
        assert not column.all(), "the column is not simply withheld"
