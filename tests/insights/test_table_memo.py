"""Published tables are decoded once per build and process: never served across builds,
bounded, and the stacked reads the charts use say exactly what the per-question ones say."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import pytest

from dashboard.db import Warehouse
from dashboard.filters import Filters
from dashboard.insights import tables as tables_module
from dashboard.insights.priorities import cell_scores, list_rounds, load_tables, score_cell
from dashboard.insights.tables import (
    MEASURES,
    Tables,
    compute_tables,
    forget_decoded_tables,
    published_tables,
)

K = 11
SPLIT = ("who", "age_band")


@pytest.fixture
def wh(fixture_warehouse: Path) -> Warehouse:
    forget_decoded_tables()
    yield Warehouse(fixture_warehouse)
    forget_decoded_tables()


def test_a_published_table_is_decoded_once_per_build(wh: Warehouse, monkeypatch) -> None:
    rnd = list_rounds(wh)[0]
    first = published_tables(wh, rnd, SPLIT, K)
    assert first is not None and published_tables(wh, rnd, SPLIT, K) is first
    old = wh.snapshot()
    monkeypatch.setattr(wh, "snapshot", lambda: replace(old, build_id="another-build"))
    swapped = published_tables(wh, rnd, SPLIT, K)
    assert swapped is not None and swapped is not first  # a new build decodes its own
    assert swapped.snapshot.build_id == "another-build"
    assert published_tables(wh, rnd, SPLIT, K) is swapped


def test_decoded_tables_are_bounded(wh: Warehouse, monkeypatch) -> None:
    monkeypatch.setattr(tables_module, "DECODED_BYTES", 1)
    rnd = list_rounds(wh)[0]
    for split in [(), ("sex",), SPLIT]:
        assert published_tables(wh, rnd, split, K) is not None
    assert len(tables_module._DECODED) == 1  # only the last one is kept


def _cells(tables: Tables) -> list[tuple[int, ...]]:
    return list(itertools.product(*(range(n) for n in tables.axes.shape)))


def _check_stacked_reads(tables: Tables, rnd) -> int:
    """Every cell read both ways; how many withheld flags it compared."""
    checked = 0
    for cell in _cells(tables):
        counts = tables.counts_at(cell)
        expect = [[int(tables.measures[q][m][cell]) for m in MEASURES] for q in tables.measures]
        assert counts == expect, cell
        for measure, _ in rnd.vote.protects:
            flags = tables.hidden_at(measure, cell, K)
            assert flags == [bool(tables.hidden(q, measure, K)[(*cell, 0)])
                             for q in tables.measures], (cell, measure)  # fmt: skip
            checked += sum(flags)
        rows = cell_scores(tables, rnd, cell, K)
        # As served: same keys, types and floats bit for bit (repr), NaN equal to NaN.
        expect_rows = [score_cell(tables, rnd, q, cell, K) for q in tables.measures]
        assert repr(rows) == repr(expect_rows), cell
    return checked


def test_stacked_reads_equal_per_question_reads(wh: Warehouse) -> None:
    for rnd in list_rounds(wh):
        published = published_tables(wh, rnd, SPLIT, K)
        assert published is not None
        assert _check_stacked_reads(published, rnd), "nothing withheld: no teeth"
        assert _check_stacked_reads(compute_tables(wh, rnd, SPLIT, K), rnd)


def test_a_topic_view_reads_its_own_questions(wh: Warehouse) -> None:
    rnd = list_rounds(wh)[0]
    checked = 0
    topics = wh.run_static("questions", {"topic": None})["topic"].dropna().unique()
    assert len(topics) > 1
    for topic in topics:
        view = load_tables(wh, rnd, Filters(topic=str(topic)), ["role", "age_band"], K)
        whole = published_tables(wh, rnd, SPLIT, K)
        assert view is load_tables(wh, rnd, Filters(topic=str(topic)), ["role", "age_band"], K)
        assert set(view.measures) < set(whole.measures)
        checked += _check_stacked_reads(view, rnd)
        checked += _check_stacked_reads(view.with_category("age_band", "no-such-band"), rnd)
    assert checked, "nothing withheld: the comparison has no teeth"


def test_an_app_starts_with_every_published_table_decoded(fixture_warehouse, monkeypatch) -> None:
    """So gunicorn's workers, forked from the preloaded app, never decode on a request."""
    from dashboard.config import Settings
    from dashboard.engine import Engine
    from dashboard.insights import tables

    tables.forget_decoded_tables()
    engine = Engine(Settings(warehouse=fixture_warehouse, k=11, query_timeout_s=5,
                             network_name=""))  # fmt: skip
    published = tables.publication(engine.warehouse, 11)
    assert engine.warm() == len(published) > 0
    monkeypatch.setattr(tables, "decode", lambda *a, **k: pytest.fail("decoded on a request"))
    for round_id in ("R1", "R2", "R3"):
        for args in ({}, {"role": "caregiver"}, {"ms_course": "progressive", "sex": "female"}):
            engine.run("priorities", {"round": round_id, **args})
    engine.run("round-shifts", {})
