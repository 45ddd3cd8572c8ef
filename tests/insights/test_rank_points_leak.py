"""A rank round's Borda points give away no per-position count (README "The audit").

Wherever `priorities` serves the rankers, the points and the points' mean with its
t-interval, those give the count, the sum and the sum of squares of the points over
the people who ranked a question: three equations in the counts n_1..n_m of people
who ranked it 1st, 2nd, ... (m = max_choices). With m <= 3 they solve every n_p; with
m = 2 the points alone do (ranked first = points - rankers). So the n_p are protected
as one split of the rankers, and the points, mean and interval are served only where
every n_p is (`EVERY_VALUE`). On the fixture's R2 (m = 2), age 30-39, Q2: 12 ranked it,
6 first and 6 second; the points would give both.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from dashboard.engine import Engine
from dashboard.insights.audit import filter_sets
from dashboard.insights.stats import t_quantile_975

K = 11
POINTS = ("points", "mean_points", "mean_points_low", "mean_points_high")


def _max_choices(engine: Engine, round_id: str) -> int:
    df, _ = engine.warehouse.query("SELECT max_choices FROM rounds WHERE round_id = $r",
                                   {"r": round_id})  # fmt: skip
    return int(df.iloc[0, 0])


def _solve(row: dict, m: int) -> np.ndarray | None:
    """n_1..n_m from what one `priorities` row serves, or None if it does not pin them."""
    n, ranked, points = row["voters"], row["ranked"], row["points"]
    mean, high = row["mean_points"], row["mean_points_high"]
    if None in (n, ranked, points, mean, high) or n < 2 or math.isnan(high):
        return None
    var = ((high - mean) / t_quantile_975(n - 1)) ** 2 * n
    sq = var * (n - 1) + n * mean * mean
    weights = np.array([m + 1 - p for p in range(1, m + 1)], dtype=float)
    system = np.array([np.ones(m), weights, weights**2])
    counts, _, rank, _ = np.linalg.lstsq(system, [ranked, points, sq], rcond=None)
    if rank < m:
        return None
    return np.round(counts).astype(int)


def _groups(engine: Engine) -> list[dict]:
    df, _ = engine.warehouse.query("SELECT DISTINCT country FROM voter_cube ORDER BY 1")
    return [g for g in filter_sets([str(c) for c in df["country"]]) if len(g) <= 1]


def test_points_are_withheld_where_a_position_count_is(engine: Engine) -> None:
    row = next(r for r in engine.run("priorities", {"round": "R2", "age_band": "30-39"}).rows
               if r["question_id"] == "Q2")  # fmt: skip
    assert row["ranked"] == 12  # still served, with its share
    assert row["share"] is not None
    assert all(row[f] is None for f in POINTS)
    assert set(POINTS) <= set(row["suppressed"])


def test_served_points_pin_no_small_position_count(engine: Engine) -> None:
    """Everyone and every single filter: wherever the points are served, the counts
    they solve are each 0 or at least k (all of them are served by the protection)."""
    m = _max_choices(engine, "R2")
    assert m <= 3  # the three equations solve every count: the strongest case
    solved = withheld = 0
    for group in _groups(engine):
        for row in engine.run("priorities", {"round": "R2", **group}).rows:
            if row.get("points") is None:
                withheld += row.get("ranked") is not None
                continue
            counts = _solve(row, m)
            assert counts is not None, (group, row)
            solved += 1
            assert counts.sum() == row["ranked"], (group, row)
            assert not ((counts > 0) & (counts < K)).any(), (group, row["question_id"], counts)
    assert solved > 0 and withheld > 0  # the check has teeth


@pytest.mark.slow
def test_fixture_rank_round_points_box_no_position_count(fixture_warehouse) -> None:
    """The LP audit over every filter set: unknowns are the per-position counts of each
    finest cell; facts the served rankers, and the points and sum of squared points
    wherever the points are served. No withheld count of 1..10 is boxed."""
    from dashboard.insights.audit import audit_ratings, collect_positions, engine_for

    served = collect_positions(engine_for(fixture_warehouse, K), "R2")
    assert any(f.field == "points_sq" for f in served.facts)  # some points are served
    report = audit_ratings(served)
    assert len(report.findings) > 50, report.summary()
    assert [f.describe() for f in report.boxed] == [], report.summary()
