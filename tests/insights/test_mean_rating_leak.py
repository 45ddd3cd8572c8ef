"""A rate round's mean rating gives away no rating count (the leak README "The audit" names).

The mean and its t-interval give the sum and the sum of squares of the ratings; with the
raters, rated 4-5 and rated 1-2 that is five equations for the five counts of ratings
1..5. So the t-interval is served only where all five counts are (`EVERY_VALUE`, the same
decisions as the median), and the mean where the count it tells is protected (`SUM_VALUE`).
On the fixture's R3, age 30-39, Q1: 12 raters, all rated 4-5, 6 rated 5 and 6 rated 4
(below k): the mean 4.5 would pin both (rated 1 or 4: 6, so the mean is withheld too).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from dashboard.engine import Engine
from dashboard.insights.audit import filter_sets
from dashboard.insights.stats import t_quantile_975
from dashboard.insights.vote_methods import widest_interval

K = 11
# raters, rated 4-5, rated 1-2, sum of ratings, sum of squared ratings, over ratings 1..5
EQUATIONS = np.array([[1, 1, 1, 1, 1], [0, 0, 0, 1, 1], [1, 1, 0, 0, 0],
                      [1, 2, 3, 4, 5], [1, 4, 9, 16, 25]], dtype=float)  # fmt: skip


def _solve(row: dict) -> np.ndarray | None:
    """The five rating counts from what one `priorities` row serves, or None if it cannot."""
    n, mean, high = row["raters"], row["mean_rating"], row["mean_high"]
    top = row.get("rated_4_or_5")
    if None in (n, mean, high, top) or n < 2 or math.isnan(high):
        return None
    half = high - mean
    var = (half / t_quantile_975(n - 1)) ** 2 * n
    sq = var * (n - 1) + n * mean * mean
    # rated 1-2 is not in `priorities`: the attacker reads it from `consensus` (served
    # where rated 4-5 is, unless the split withholds it); every value 0..n is tried here.
    out = None
    for bottom in range(0, n - top + 1):
        counts = np.linalg.solve(EQUATIONS, [n, top, bottom, mean * n, sq])
        if np.allclose(counts, np.round(counts), atol=1e-6) and (np.round(counts) >= 0).all():
            if out is not None:
                return None  # two solutions: the mean alone does not pin the counts
            out = np.round(counts).astype(int)
    return out


def _groups(engine: Engine) -> list[dict]:
    df, _ = engine.warehouse.query("SELECT DISTINCT country FROM voter_cube ORDER BY 1")
    return [g for g in filter_sets([str(c) for c in df["country"]]) if len(g) <= 1]


def test_mean_rating_is_withheld_where_a_rating_count_is(engine: Engine) -> None:
    row = next(r for r in engine.run("priorities", {"round": "R3", "age_band": "30-39"}).rows
               if r["question_id"] == "Q1")  # fmt: skip
    assert (row["raters"], row["rated_4_or_5"]) == (12, 12)  # still served
    assert row["mean_rating"] is row["mean_low"] is row["mean_high"] is None
    assert {"mean_rating", "mean_low", "mean_high"} <= set(row["suppressed"])


def test_served_means_pin_no_withheld_rating_count(engine: Engine) -> None:
    """Everyone and every single filter: wherever `priorities` serves a mean and its
    t-interval, the median is served too (all five counts are); where it serves the mean
    without the median, the interval is the widest one of served values (it gives no sum
    of squares, tests/insights/test_mean_beside_withheld_counts.py); solving the five
    equations never yields a count of 1..k-1 that `consensus` withholds."""
    solved = 0
    for group in _groups(engine):
        args = {"round": "R3", **group}
        means = engine.run("priorities", args)
        medians = {
            r["question_id"]: r
            for r in engine.run("consensus", {**args, "consensus_rule": "median_iqr"}).rows
        }
        for row in means.rows:
            if row.get("mean_rating") is None:
                continue
            median = medians[row["question_id"]]
            if "median" in median.get("suppressed", ()):
                n = row["raters"]
                widest = widest_interval(n, round(row["mean_rating"] * n),
                                         row["rated_4_or_5"], median["rated_1_or_2"])  # fmt: skip
                assert (row["mean_low"], row["mean_high"]) == widest, (group, row)
                continue
            counts = _solve(row)
            if counts is not None:
                solved += 1
                assert not ((counts > 0) & (counts < K)).any() or median["median"] is not None
    assert solved > 0  # the check has teeth: served means do pin the counts


@pytest.mark.slow
def test_fixture_rate_round_mean_boxes_no_rating_count(fixture_warehouse) -> None:
    """The LP audit with the mean's facts (sum and sum of squares of the ratings wherever
    `priorities` serves the mean): no withheld rating count of 1..10 is boxed (~2 min).
    Before the mean was protected: 596 of 935 boxed, 208 pinned."""
    from dashboard.insights.audit import audit_ratings, collect_ratings, engine_for

    served = collect_ratings(engine_for(fixture_warehouse, K), "R3", means=True)
    assert any(f.field == "value_sum" for f in served.facts)  # some means are served
    report = audit_ratings(served)
    assert len(report.findings) > 100, report.summary()
    assert [f.describe() for f in report.boxed] == [], report.summary()
