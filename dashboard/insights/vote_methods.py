"""How each kind of prioritization round is voted, scored and described.

A round's `method` (pick, rank or rate) decides which rollup measures its
scores read, how one group's cell becomes a row of scores, which scores it can
be ranked by, and what "support" for a question means. All of that lives here,
one class per method, so the insights, charts, slides and filters ask the
method object instead of branching on its name. Adding a method is one class
here plus its build SQL (queries/build/10_vote_cube.sql) and its synthetic votes.

This module imports nothing from the rest of the dashboard but the statistics,
so the filters can import it without a cycle.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from dashboard.insights.score_arrays import (
    Columns,
    ScoreArrays,
    pick_columns,
    rank_columns,
    rate_columns,
    whole,
    widest_interval_arrays,
)
from dashboard.insights.stats import mean_interval, wilson


@dataclass(frozen=True)
class Score:
    """A way to score (and rank) questions, and the row fields that hold it."""

    name: str
    field: str
    low: str
    high: str
    label: str
    axis_title: str
    axis_range: tuple[float, float] | None  # None: from 0 to the data
    percent: bool


SHARE = Score("share", "share", "ci_low", "ci_high", "Share of voters",
              "Share of voters who chose it", (0.0, 1.0), True)  # fmt: skip
POINTS = Score("points", "mean_points", "mean_points_low", "mean_points_high",
               "Borda points (rank rounds)", "Borda points per voter", None, False)  # fmt: skip
MEAN = Score("mean", "mean_rating", "mean_low", "mean_high", "Mean rating (rate rounds)",
             "Mean rating (1-5)", (1.0, 5.0), False)  # fmt: skip
# Not a ranking a reader can ask for: rate rounds' support, compared between groups.
SHARE_4_OR_5 = Score("share_4_or_5", "share_4_or_5", "share_4_or_5_low", "share_4_or_5_high",
                     "Share rating it 4 or 5", "Share of raters who rated it 4 or 5",
                     (0.0, 1.0), True)  # fmt: skip

# Scores a priorities chart can be ranked by (the `method` filter), in menu order.
SCORES: dict[str, Score] = {s.name: s for s in (SHARE, POINTS, MEAN)}
# Rankings across the groups of one dimension rather than by one score.
CROSS_GROUP_RANKINGS: dict[str, str] = {
    "balanced": "Stakeholder-balanced",
    "bridging": "Bridging (lowest share across groups)",
}
# Every value the `method` filter accepts.
PRIORITY_METHODS: tuple[str, ...] = (*SCORES, *CROSS_GROUP_RANKINGS)
PRIORITY_METHOD_LABELS: dict[str, str] = {
    **{s.name: s.label for s in SCORES.values()},
    **CROSS_GROUP_RANKINGS,
}


# Not a cube measure: the decisions of a score read from the count of every vote value
# (`VoteMethod.value_counts`), withheld wherever any of those counts is. Named in a
# method's `protects` like a measure; the build stores its decisions with the others.
EVERY_VALUE = "every_value"


# Not a cube measure: a rate round's raters split as rated 1 or 4, rated 2 or 5, and rated
# 3, protected as one split like rated 4-5 / 1-2 / 3 (`Tables._protect_sum_split`). Where
# raters, rated 4-5 and rated 1-2 are known, the sum of ratings is this split and nothing
# more: sum = 2 (rated 1-2) + 3 (rated 3) + 5 (rated 4-5) - (rated 1 or 4).
SUM_SPLIT = "sum_split"
# Not a cube measure: the decisions of the exact mean rating beside a widest interval,
# withheld wherever the raters or an outcome of either split above is.
SUM_VALUE = "sum_value"


def sum_split(counts: Mapping[str, Any]) -> tuple[Any, Any, Any]:
    """(rated 1 or 4, rated 2 or 5, rated 3) from a rate round's cube measures (numbers
    or arrays): rated 1 is `bottom1`, rated 5 `top1`, rated 4-5 `top2`, rated 1-2 `bottom2`."""
    one_or_four = counts["bottom1"] + counts["top2"] - counts["top1"]
    two_or_five = counts["bottom2"] - counts["bottom1"] + counts["top1"]
    return one_or_four, two_or_five, counts["voters"] - counts["top2"] - counts["bottom2"]


def widest_interval(raters: int, value_sum: int, top2: int, bottom2: int) -> tuple[float, float]:
    """The mean rating's 95% t-interval at the largest spread of ratings that raters, rated
    4-5, rated 1-2 and the sum of ratings allow: read from nothing else, so it says nothing
    of the sum of squares; it holds the exact t-interval of the ratings.

    With those known, rated 3 (c3) and rated 1 or 4 (A = 2 bottom2 + 3 c3 + 5 top2 - sum)
    are too, and one count is free: rated 1 = x puts bottom2 - x at 2, A - x at 4 and
    top2 - A + x at 5, so the sum of squares is 4 bottom2 + 9 c3 - 9 A + 25 top2 + 6x,
    largest at x = min(bottom2, A).
    """
    n = raters
    c3 = n - top2 - bottom2
    one_or_four = 2 * bottom2 + 3 * c3 + 5 * top2 - value_sum
    squares = 4 * bottom2 + 9 * c3 - 9 * one_or_four + 25 * top2 + 6 * min(bottom2, one_or_four)
    _, low, high = mean_interval(n, value_sum, squares)
    return (low, high)


class UnknownVoteMethod(ValueError):
    """A round method with no class here: the warehouse has votes this code cannot score."""


class VoteMethod:
    """One way members vote in a round; subclasses declare, the base class computes."""

    name: ClassVar[str]
    label: ClassVar[str]  # "N" stands for the round's max_choices
    scores: ClassVar[tuple[str, ...]]  # keys of SCORES it supports, in SCORES order
    default_score: ClassVar[str]  # the one a round is ranked by when none is asked for
    balance_score: ClassVar[str]  # the score groups are ranked by in balanced/bridging
    support_score: ClassVar[Score]  # the share compared between groups and rounds
    support_count: ClassVar[str]  # row field: members who supported the question
    support_base: ClassVar[str]  # row field: members it is a share of
    support_meaning: ClassVar[str]  # "share of voters who <this>"
    vote_count: ClassVar[str]  # row field: votes cast for the question
    count_fields: ClassVar[tuple[str, ...]]  # row fields that count people
    columns: ClassVar[tuple[str, ...]]  # score columns of its rows, in order
    cube_measures: ClassVar[tuple[str, ...]]  # vote_cube / priority_cells columns it reads
    # Whether the round's voter count is served beside each question's count. If so,
    # "voted but did not choose it" is servable too and is protected with the count.
    serves_voters: ClassVar[bool]
    # (measure, row fields withheld when that measure's cell is withheld), widest first.
    protects: ClassVar[tuple[tuple[str, tuple[str, ...]], ...]]
    has_max_choices: ClassVar[bool]  # whether a round caps how many questions a voter picks
    # score_cell of many cells at once, on arrays (score_arrays); None: cell by cell.
    score_columns: ClassVar[ScoreArrays | None] = None
    # Measures protected together as one outcome split of the base count (raters), the
    # rest of the base being the last outcome: (top2, bottom2) -> important, unimportant,
    # neither. Empty: each measure is protected alone against "did not choose it".
    joint: ClassVar[tuple[str, ...]]
    # (important, unimportant) measures of a rating scale, for Delphi consensus; None
    # for a method without one.
    importance: ClassVar[tuple[str, str] | None]
    # (part, whole): a measure protected as a two-outcome split (part, whole - part) of
    # a `joint` measure, nested in that split: where the whole is withheld both parts
    # are, and the whole's own decisions never change (rate: rated 5 and rated 4 within
    # rated 4-5, rated 1 and rated 2 within rated 1-2, for the median and quartiles).
    nested: ClassVar[tuple[tuple[str, str], ...]] = ()
    # A measure that is not in the cube: the voters split by the value of their vote
    # (rank: ranked 1st, 2nd, ... up to max_choices), one outcome per value, read by the
    # build from a long rollup (queries/position_cells.sql) and protected as one split
    # nested in the voters. Never served; None for a method without one.
    value_split: ClassVar[str | None] = None

    def value_counts(self) -> tuple[tuple[str, int | None], ...]:
        """(measure, outcome) of every protected count a score over all vote values reads.

        The voters (raters), every outcome of the `joint` split and both parts of each
        `nested` split: where the method has both, the count of each vote value; or the
        voters and every outcome (None) of the `value_split`. A row field computed from
        all of them (rate: the mean rating and its interval; rank: the Borda points, their
        mean and interval) is protected by `EVERY_VALUE`, withheld wherever any one of
        these is.
        """
        if self.value_split is not None:
            return (("voters", 0), (self.value_split, None))
        if not self.joint:
            return ()
        return (("voters", 0), *((self.joint[0], j) for j in range(len(self.joint) + 1)),
                *((part, j) for part, _ in self.nested for j in range(2)))  # fmt: skip

    def describe(self, max_choices: int | None) -> str:
        """The label with the round's cap filled in."""
        return self.label.replace("N", str(max_choices)) if max_choices else self.label

    def value_range(self, max_choices: int | None) -> tuple[int, int]:
        """Allowed vote values (inclusive)."""
        raise NotImplementedError

    def score_cell(
        self, counts: Mapping[str, float], voters: int, max_choices: int | None
    ) -> dict[str, Any]:
        """Every score of one question in one group, from its summed cube measures.

        `voters` is the group's number of voters in the round. Nothing is
        withheld here: see `withheld`.
        """
        raise NotImplementedError

    def withheld(self, hidden: Callable[[str], bool]) -> list[str]:
        """Row fields to withhold, given which measures' cells disclosure control hides.

        `hidden` is asked lazily, widest measure first, and only until one is hidden.
        """
        for measure, names in self.protects:
            if hidden(measure):
                return list(names)
        return []

    def coarsen(self, row: dict[str, Any], counts: Mapping[str, float],
                gone: list[str]) -> list[str]:  # fmt: skip
        """The fields of `gone` still to withhold once the row serves what it can coarsely.

        `gone` is what `withheld` names for the row, `counts` the cell's cube measures. A
        method may serve some of those fields computed from served values only instead
        (rate: the mean's interval where only `EVERY_VALUE` is hidden), changing `row` in
        place; by default every field named is withheld.
        """
        return gone

    def coarsen_columns(self, counts: Mapping[str, np.ndarray],
                        gone: list[str]) -> tuple[Columns, list[str]]:  # fmt: skip
        """`coarsen` of many cells whose withheld fields are all `gone`, on arrays: the
        values served instead (field -> value of each cell, as `coarsen` sets them) and the
        fields still to withhold. `counts` are the cells' cube measures."""
        return {}, gone

    def support_counts(self, row: Mapping[str, Any]) -> tuple[float, float] | None:
        """(supporters, base) of a served row, or None if either is withheld."""
        x, n = row.get(self.support_count), row.get(self.support_base)
        return None if x is None or n is None else (float(x), float(n))

    def support_columns(self, values: Mapping[str, Sequence[Any]],
                        size: int) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        """`support_counts` of many rows given field by field (`values`: field -> each
        row's value, None where withheld): whether each is served, and its (supporters,
        base) as floats, NaN where not served."""
        missing = [None] * size
        xs, ns = values.get(self.support_count, missing), values.get(self.support_base, missing)
        served = np.array([x is not None and n is not None for x, n in zip(xs, ns, strict=True)],
                          dtype=bool)  # fmt: skip
        pairs = [(float(x), float(n)) if ok else (math.nan, math.nan)
                 for x, n, ok in zip(xs, ns, served.tolist(), strict=True)]  # fmt: skip
        return served, np.array(pairs, dtype=float).reshape(size, 2)

    def support(self, row: Mapping[str, Any]) -> tuple[float, float] | None:
        """(supporters, base), or None if withheld or nobody was asked."""
        found = self.support_counts(row)
        return None if found is None or not found[1] else found

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _share_fields(count_field: str, count: int, voters: int) -> dict[str, Any]:
    low, high = wilson(count, voters)
    return {count_field: count, "share": count / voters if voters else math.nan,
            "ci_low": low, "ci_high": high}  # fmt: skip


class Pick(VoteMethod):
    """Members pick up to N questions; support is the share of voters who picked it."""

    name = "pick"
    score_columns = staticmethod(pick_columns)
    label = "Pick up to N questions"
    scores = ("share",)
    default_score = "share"
    balance_score = "share"
    support_score = SHARE
    support_count = "picks"
    support_base = "voters"
    support_meaning = "picked it"
    vote_count = "picks"
    count_fields = ("voters", "picks")
    columns = ("voters", "picks", "share", "ci_low", "ci_high")
    cube_measures = ("voters",)
    serves_voters = True
    protects = (("voters", ("picks", "share", "ci_low", "ci_high")),)
    has_max_choices = True
    joint = ()
    importance = None

    def value_range(self, max_choices: int | None) -> tuple[int, int]:
        return (1, 1)

    def score_cell(
        self, counts: Mapping[str, float], voters: int, max_choices: int | None
    ) -> dict[str, Any]:
        return {"voters": voters, **_share_fields("picks", int(counts["voters"]), voters)}


class Rank(VoteMethod):
    """Members rank up to N questions; rank 1 earns N Borda points, rank N earns 1.

    The rankers, the points and the points' mean and interval give the count, the sum
    and the sum of squares of the points, three equations in the counts of members who
    ranked the question 1st, 2nd, ... (with N = 2 the points alone give them). So those
    counts are protected as one split of the rankers (`value_split`), and the points,
    their mean and interval are served only where every one of them is (`EVERY_VALUE`).
    """

    name = "rank"
    score_columns = staticmethod(rank_columns)
    label = "Rank up to N questions"
    scores = ("share", "points")
    default_score = "points"
    balance_score = "share"
    support_score = SHARE
    support_count = "ranked"
    support_base = "voters"
    support_meaning = "ranked it"
    vote_count = "ranked"
    count_fields = ("voters", "ranked")
    columns = ("voters", "ranked", "share", "ci_low", "ci_high", "points", "mean_points",
               "mean_points_low", "mean_points_high")  # fmt: skip
    cube_measures = ("voters", "points", "value_sum", "value_sq_sum")
    serves_voters = True
    _points = ("points", "mean_points", "mean_points_low", "mean_points_high")
    # Widest first: where the rankers are withheld, so is every position's count.
    protects = (("voters", ("ranked", "share", "ci_low", "ci_high", *_points)),
                (EVERY_VALUE, _points))  # fmt: skip
    has_max_choices = True
    joint = ()
    importance = None
    value_split = "positions"

    def value_range(self, max_choices: int | None) -> tuple[int, int]:
        return (1, max_choices or 1)

    def score_cell(
        self, counts: Mapping[str, float], voters: int, max_choices: int | None
    ) -> dict[str, Any]:
        row = {"voters": voters, **_share_fields("ranked", int(counts["voters"]), voters)}
        points = float(counts["points"])
        mean, low, high = mean_interval(voters, points, _sum_points_sq(counts, max_choices))
        row.update({"points": points, "mean_points": mean,
                    "mean_points_low": low, "mean_points_high": high})  # fmt: skip
        return row


def _sum_points_sq(counts: Mapping[str, float], max_choices: int | None) -> float:
    """Sum of squared Borda points, from ranks' sum and sum of squares."""
    n = float(counts["voters"])
    mc = float(max_choices or 1)
    return (
        n * (mc + 1) ** 2
        - 2 * (mc + 1) * float(counts["value_sum"])
        + float(counts["value_sq_sum"])
    )


class Rate(VoteMethod):
    """Members rate questions 1 to 5; support is the share of raters giving 4 or 5.

    Nearly every voter rates every question, so "voters minus raters" would be
    a handful of people: the round's voter count is never served beside the
    raters, who are the base of every score. Ratings of 1-2 (`bottom2`) are read
    only by the consensus chart; they are protected jointly with 4-5 (`joint`), and
    ratings of 5 and of 1 (`nested`) within that split, for the median rule.

    The mean rating and its interval give the sum and the sum of squares of the
    ratings; with raters, rated 4-5 and rated 1-2 those are five equations for the
    five rating counts. So the t-interval is served only where all five counts are
    (`EVERY_VALUE`), like the median. The mean alone gives, with raters, rated 4-5 and
    rated 1-2, the count of raters who rated it 1 or 4 (and 2 or 5): so those are protected
    as one more split of the raters (`SUM_SPLIT`), and the exact mean is served wherever it
    and the three-way split are (`SUM_VALUE`), beside an interval computed from served
    values only (`widest_interval`, by `coarsen`) where some rating count is withheld.
    """

    name = "rate"
    score_columns = staticmethod(rate_columns)
    label = "Rate each question from 1 to 5"
    scores = ("mean",)
    default_score = "mean"
    balance_score = "mean"
    support_score = SHARE_4_OR_5
    support_count = "rated_4_or_5"
    support_base = "raters"
    support_meaning = "rated it 4 or 5"
    vote_count = "raters"
    count_fields = ("raters", "rated_4_or_5")
    _top = ("rated_4_or_5", "share_4_or_5", "share_4_or_5_low", "share_4_or_5_high")
    _mean = ("mean_rating", "mean_low", "mean_high")
    _interval = ("mean_low", "mean_high")
    columns = ("raters", *_mean, *_top)
    cube_measures = ("voters", "value_sum", "value_sq_sum", "top2", "bottom2", "top1",
                     "bottom1")  # fmt: skip
    serves_voters = False
    # Widest first: where rated 4-5 is withheld, so is a rating count, so the mean is; the
    # mean reads the sum of ratings (SUM_VALUE), its t-interval every rating count.
    protects = (("voters", ("raters", *_mean, *_top)), ("top2", (*_top, *_mean)),
                (SUM_VALUE, _mean), (EVERY_VALUE, _interval))  # fmt: skip
    has_max_choices = False
    # Rated 4-5, rated 1-2 and rated 3, out of raters: protected as one split, so no
    # withheld count among the three is raters minus the other two.
    joint = ("top2", "bottom2")
    importance = ("top2", "bottom2")
    # Rated 5 (`top1`) of rated 4-5, rated 1 (`bottom1`) of rated 1-2: with the split
    # above, the count of every rating value, protected within it.
    nested = (("top1", "top2"), ("bottom1", "bottom2"))

    def value_range(self, max_choices: int | None) -> tuple[int, int]:
        return (1, 5)

    def coarsen(self, row: dict[str, Any], counts: Mapping[str, float],
                gone: list[str]) -> list[str]:  # fmt: skip
        if list(gone) != list(self._interval):
            return gone  # the mean is withheld too
        low, high = widest_interval(int(counts["voters"]), int(counts["value_sum"]),
                                    int(counts["top2"]), int(counts["bottom2"]))  # fmt: skip
        row.update(mean_low=low, mean_high=high)
        return []

    def coarsen_columns(self, counts: Mapping[str, np.ndarray],
                        gone: list[str]) -> tuple[Columns, list[str]]:  # fmt: skip
        if list(gone) != list(self._interval):
            return {}, gone
        low, high = widest_interval_arrays(
            *(whole(counts[m]) for m in ("voters", "value_sum", "top2", "bottom2"))
        )
        return {"mean_low": low, "mean_high": high}, []

    def score_cell(
        self, counts: Mapping[str, float], voters: int, max_choices: int | None
    ) -> dict[str, Any]:
        raters = int(counts["voters"])
        mean, low, high = mean_interval(
            raters, float(counts["value_sum"]), float(counts["value_sq_sum"])
        )
        top2 = int(counts["top2"])
        t_low, t_high = wilson(top2, raters)
        return {"raters": raters, "mean_rating": mean, "mean_low": low, "mean_high": high,
                "rated_4_or_5": top2, "share_4_or_5": top2 / raters if raters else math.nan,
                "share_4_or_5_low": t_low, "share_4_or_5_high": t_high}  # fmt: skip


METHODS: dict[str, VoteMethod] = {m.name: m for m in (Pick(), Rank(), Rate())}
# Every rollup measure some method reads, in the order priority_cells.sql returns them.
CUBE_MEASURES: tuple[str, ...] = tuple(
    dict.fromkeys(c for m in METHODS.values() for c in m.cube_measures)
)
# Every row field, of any method, that counts people.
COUNT_FIELDS: frozenset[str] = frozenset(c for m in METHODS.values() for c in m.count_fields)


def vote_method(name: str) -> VoteMethod:
    """The method object of a round's `method` value."""
    try:
        return METHODS[name]
    except KeyError:
        raise UnknownVoteMethod(
            f"unknown vote method {name!r}; known: {', '.join(METHODS)} "
            "(add a class in dashboard/insights/vote_methods.py)"
        ) from None
