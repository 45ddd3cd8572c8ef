"""Every question's scores in many groups at once: array twins of `VoteMethod.score_cell`.

A comparison between groups (by country: 15 to 40 of them) scores every question in
every group, hundreds of cells; one `score_cell` call per cell cost most of the
request at 1M members. These functions compute the same fields from arrays of the
same counts, with the stats module's array twins, so every value is the same bit for
bit (tests/insights/test_score_arrays.py checks it against `score_cell` for every
method). Each method names its twin (`VoteMethod.score_columns`); one without is scored
cell by cell, as before.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np

from dashboard.insights.stats import mean_interval_arrays, wilson_arrays

Columns = dict[str, np.ndarray]  # row field -> value of every cell, in score_cell's order
ScoreArrays = Callable[[Mapping[str, np.ndarray], np.ndarray, "int | None"], Columns]


def whole(values: np.ndarray) -> np.ndarray:
    """`int(value)` of each count (truncated toward zero, as int() does)."""
    return values.astype(np.int64)


def _share(count_field: str, count: np.ndarray, voters: np.ndarray) -> Columns:
    """`_share_fields` of vote_methods: a count, its share of voters and Wilson interval."""
    low, high = wilson_arrays(count, voters)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(voters != 0, count / voters, math.nan)
    return {count_field: count, "share": share, "ci_low": low, "ci_high": high}


def pick_columns(counts: Mapping[str, np.ndarray], voters: np.ndarray,
                 max_choices: int | None) -> Columns:  # fmt: skip
    """`Pick.score_cell` of every cell."""
    return {"voters": voters, **_share("picks", whole(counts["voters"]), voters)}


def rank_columns(counts: Mapping[str, np.ndarray], voters: np.ndarray,
                 max_choices: int | None) -> Columns:  # fmt: skip
    """`Rank.score_cell` of every cell (Borda points from ranks' sum and sum of squares)."""
    out = {"voters": voters, **_share("ranked", whole(counts["voters"]), voters)}
    points = counts["points"].astype(float)
    n = counts["voters"].astype(float)
    mc = float(max_choices or 1)
    sum_sq = (n * (mc + 1) ** 2 - 2 * (mc + 1) * counts["value_sum"].astype(float)
              + counts["value_sq_sum"].astype(float))  # fmt: skip
    mean, low, high = mean_interval_arrays(voters, points, sum_sq)
    return {**out, "points": points, "mean_points": mean, "mean_points_low": low,
            "mean_points_high": high}  # fmt: skip


def rate_columns(counts: Mapping[str, np.ndarray], voters: np.ndarray,
                 max_choices: int | None) -> Columns:  # fmt: skip
    """`Rate.score_cell` of every cell (raters are the base; voters are not served)."""
    raters = whole(counts["voters"])
    mean, low, high = mean_interval_arrays(
        raters, counts["value_sum"].astype(float), counts["value_sq_sum"].astype(float)
    )
    top2 = whole(counts["top2"])
    t_low, t_high = wilson_arrays(top2, raters)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(raters != 0, top2 / raters, math.nan)
    return {"raters": raters, "mean_rating": mean, "mean_low": low, "mean_high": high,
            "rated_4_or_5": top2, "share_4_or_5": share, "share_4_or_5_low": t_low,
            "share_4_or_5_high": t_high}  # fmt: skip


def widest_interval_arrays(raters: np.ndarray, value_sum: np.ndarray, top2: np.ndarray,
                           bottom2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """`widest_interval` of vote_methods for each cell (whole counts, as int64 arrays): the
    same integer arithmetic, then the mean's interval by `mean_interval_arrays`."""
    c3 = raters - top2 - bottom2
    one_or_four = 2 * bottom2 + 3 * c3 + 5 * top2 - value_sum
    squares = (4 * bottom2 + 9 * c3 - 9 * one_or_four + 25 * top2
               + 6 * np.minimum(bottom2, one_or_four))  # fmt: skip
    _, low, high = mean_interval_arrays(raters, value_sum, squares)
    return low, high
