"""The array twins of the scores and statistics give the same floats, bit for bit.

A comparison between groups computes its scores on arrays (score_arrays, stats'
`*_arrays`); a served value must not depend on which way it was computed, so every
value is compared by its repr (the JSON the API writes), NaN included.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from dashboard.insights import stats
from dashboard.insights.vote_methods import CUBE_MEASURES, METHODS

RNG = np.random.default_rng(20261130)


def same(a: object, b: object) -> bool:
    """Equal as served: same type and repr (so NaN equals NaN, 0.1 + 0.2 is not 0.3)."""
    return type(a) is type(b) and repr(a) == repr(b)


def group_sizes(n: int) -> np.ndarray:
    """Group sizes from empty and single voters to large groups."""
    small = np.array([0, 1, 2, 3, 10, 11])
    return np.concatenate([small, RNG.integers(0, 200_000, n - len(small))])


def votes(method: str, voters: int, max_choices: int | None) -> dict[str, int]:
    """One question's cube measures in one group, from simulated votes."""
    values = range(1, (max_choices or 1) + 1) if method != "rate" else range(1, 6)
    n = int(RNG.integers(0, voters + 1))
    counts = RNG.multinomial(n, RNG.dirichlet(np.ones(len(values))))
    by_value = dict(zip(values, counts.tolist(), strict=True))
    out = {m: int(RNG.integers(0, n + 1)) for m in CUBE_MEASURES}  # measures read by none
    out.update(voters=n, value_sum=sum(v * c for v, c in by_value.items()),
               value_sq_sum=sum(v * v * c for v, c in by_value.items()),
               points=sum(((max_choices or 1) + 1 - v) * c for v, c in by_value.items()),
               top2=by_value.get(4, 0) + by_value.get(5, 0),
               bottom2=by_value.get(1, 0) + by_value.get(2, 0))  # fmt: skip
    return out


@pytest.mark.parametrize("method", sorted(METHODS))
def test_score_arrays_equal_score_cell(method: str) -> None:
    vote = METHODS[method]
    assert vote.score_columns is not None, f"{method} names no array twin (score_columns)"
    max_choices = 5 if vote.has_max_choices else None
    voters = group_sizes(40)
    cells = [[votes(method, int(g), max_choices) for _ in range(12)] for g in voters]
    arrays = {m: np.array([[c[m] for c in row] for row in cells]) for m in CUBE_MEASURES}
    columns = vote.score_columns(arrays, voters[:, None], max_choices)
    for g, row in enumerate(cells):
        for q, counts in enumerate(row):
            expected = vote.score_cell(counts, int(voters[g]), max_choices)
            got = {name: np.broadcast_to(col, arrays["voters"].shape).tolist()[g][q]
                   for name, col in columns.items()}  # fmt: skip
            assert list(got) == list(expected)
            assert all(same(got[k], expected[k]) for k in expected), (counts, got, expected)


def test_stats_arrays_equal_the_scalar_functions() -> None:
    n1 = group_sizes(3000).astype(float)
    n2 = group_sizes(3000).astype(float)
    x1 = np.floor(n1 * RNG.random(len(n1)))
    x2 = np.floor(n2 * RNG.random(len(n2)))
    x2[:10] = n2[:10]  # all of them: a share of 1
    d, low, high = stats.newcombe_difference_arrays(x1, n1, x2, n2)
    p = stats.two_proportion_p_arrays(x1, n1, x2, n2)
    lw, hw = stats.wilson_arrays(x1.astype(np.int64), n1.astype(np.int64))
    for i in range(len(n1)):
        args = (float(x1[i]), float(n1[i]), float(x2[i]), float(n2[i]))
        expected = stats.newcombe_difference(*args)
        got = (float(d[i]), float(low[i]), float(high[i]))
        assert all(same(a, b) for a, b in zip(got, expected, strict=True))
        assert same(float(p[i]), stats.two_proportion_p(*args))
        wilson = stats.wilson(int(x1[i]), int(n1[i]))
        assert same(float(lw[i]), wilson[0]) and same(float(hw[i]), wilson[1])


def test_mean_interval_arrays_equal_the_scalar() -> None:
    n = group_sizes(2000)
    total = n * RNG.uniform(1, 5, len(n))
    total_sq = total * RNG.uniform(1, 5, len(n))
    mean, low, high = stats.mean_interval_arrays(n, total, total_sq)
    for i in range(len(n)):
        expected = stats.mean_interval(int(n[i]), float(total[i]), float(total_sq[i]))
        got = (float(mean[i]), float(low[i]), float(high[i]))
        assert all(same(a, b) for a, b in zip(got, expected, strict=True))


def test_squared_is_pythons_power() -> None:
    values = RNG.random(100_000) * 0.5
    assert [repr(v) for v in stats.squared(values).tolist()] == [
        repr(v**2) for v in values.tolist()
    ]
    assert math.isnan(stats.squared(np.array([math.nan]))[0])


def test_many_cells_on_arrays_equal_one_by_one(fixture_warehouse) -> None:
    """Every cell of a table (withheld ones included) scored at once, as one at a time."""
    import itertools

    from dashboard.db import Warehouse
    from dashboard.filters import Filters
    from dashboard.insights.priorities import (
        _scores_one_by_one,
        cells_scores,
        list_rounds,
        load_tables,
    )

    wh = Warehouse(fixture_warehouse)
    withheld = 0
    for rnd in list_rounds(wh):
        tables = load_tables(wh, rnd, Filters(), ["role", "age_band"], 11)
        cells = list(itertools.product(*(range(n) for n in tables.axes.shape)))
        together = cells_scores(tables, rnd, cells, 11)
        alone = [_scores_one_by_one(tables, rnd, cell, 11) for cell in cells]
        assert repr(together) == repr(alone)
        withheld += sum("suppressed" in row for rows in alone for row in rows)
    assert withheld, "nothing withheld: the comparison has no teeth"


@pytest.mark.parametrize("method", sorted(METHODS))
def test_coarsen_columns_equal_coarsen(method: str) -> None:
    """What a method serves coarsely instead of a withheld field (rate: the mean's widest
    interval), on arrays, is what `coarsen` sets cell by cell, for every withheld set."""
    vote = METHODS[method]
    max_choices = 5 if vote.has_max_choices else None
    cells = [votes(method, int(g), max_choices) for g in group_sizes(400)]
    arrays = {m: np.array([c[m] for c in cells]) for m in CUBE_MEASURES}
    coarsened = 0
    for _, names in vote.protects:
        coarse, gone = vote.coarsen_columns(arrays, list(names))
        values = {name: column.tolist() for name, column in coarse.items()}
        for i, counts in enumerate(cells):
            row = dict.fromkeys(vote.columns)
            expected_gone = vote.coarsen(row, counts, list(names))
            assert list(gone) == list(expected_gone)
            for name, value in values.items():
                assert same(value[i], row[name]), (counts, name, value[i], row[name])
        coarsened += bool(coarse)
    assert coarsened == (method == "rate"), "only rate rounds serve a coarse interval"


@pytest.mark.parametrize("method", sorted(METHODS))
def test_support_columns_equal_support_counts(method: str) -> None:
    vote = METHODS[method]
    rows = [{vote.support_count: x, vote.support_base: n}
            for x in (None, 0, 3, 250_001) for n in (None, 0, 7, 1_000_000)]  # fmt: skip
    values = {name: [row[name] for row in rows] for name in rows[0]}
    served, pairs = vote.support_columns(values, len(rows))
    for i, row in enumerate(rows):
        expected = vote.support_counts(row)
        assert bool(served[i]) == (expected is not None)
        if expected is not None:
            assert all(same(a, b) for a, b in zip(pairs[i].tolist(), expected, strict=True))
    served, pairs = vote.support_columns({}, 2)  # no such fields: nothing served
    assert not served.any() and pairs.shape == (2, 2)


def test_comparisons_from_arrays_equal_from_rows(fixture_warehouse) -> None:
    """A comparison by group gives the same rows from its scores on arrays as from each
    group's rows scored one by one (`CellColumns.from_rows`, a method without arrays)."""
    from dataclasses import replace

    from dashboard.db import Warehouse
    from dashboard.filters import Filters
    from dashboard.insights.priorities import (
        CellColumns,
        _compare_tables,
        _group_scores,
        _groups,
        _scores_one_by_one,
        balanced_of,
        by_group_of,
    )

    wh = Warehouse(fixture_warehouse)
    compared = withheld = 0
    for compare in ("role", "age_band", "sex", "country"):
        for round_id in ("R1", "R2", "R3"):
            filters = Filters.parse({"round": round_id, "compare": compare})
            rnd, tables, dim = _compare_tables(wh, filters, 11)
            groups = _groups(tables, dim, filters)
            if len(groups) < 2:
                continue
            arrays = _group_scores(tables, rnd, groups, 11)
            rows = CellColumns.from_rows(
                [_scores_one_by_one(tables, rnd, cell, 11) for _, cell in groups]
            )
            assert repr(arrays) == repr(rows)
            for scores in (None, rows):
                got = by_group_of(wh, filters, 11, rnd, tables, dim, scores)
                expected = by_group_of(wh, filters, 11, rnd, tables, dim, arrays)
                assert repr(got.rows) == repr(expected.rows)
                compared += sum(r["difference"] is not None for r in got.rows)
                plain = replace(filters, method="balanced")
                got = balanced_of(wh, plain, 11, rnd, tables, dim, scores)
                expected = balanced_of(wh, plain, 11, rnd, tables, dim, arrays)
                assert repr(got.rows) == repr(expected.rows)
            withheld += sum(g is not None for g in rows.suppressed)
    assert compared and withheld, "no comparison or nothing withheld: the test has no teeth"
