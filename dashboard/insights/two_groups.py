"""Two groups compared question by question: the chosen voters against one other group.

"People with progressive MS vs caregivers" names two groups of the same who axis
(MS course and role), which a comparison by one dimension cannot pair. Each group's
scores are looked up exactly as its own ranking (`priorities`) serves them: the same
protected table, the same cell, the same withheld values. Nothing is counted here; the
difference of two served values, its interval and its test are computed from served
values only, so the comparison discloses nothing the two rankings do not.

The score is the ranking's (the round's default, or the one asked for), so the
comparison and the ranking speak of the same thing: the share who chose it (pick), Borda
points per voter (rank) or the mean rating (rate). Where that score is withheld in either
group for most questions whose share is served (a mean needs every rating count), the
share (the method's support) is compared instead, and the result says so.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from dashboard import words
from dashboard.db import Warehouse
from dashboard.filters import WHO_DIMS, FilterError, Filters
from dashboard.insights.cube import WHO_BLOCKS, WHO_FINE, WHO_LABEL
from dashboard.insights.priorities import (
    TOO_FEW,
    Round,
    _base,
    _question_fields,
    cell_scores,
    resolve_round,
    score_method,
)
from dashboard.insights.result import ChartResult, withhold
from dashboard.insights.stats import (
    benjamini_hochberg,
    newcombe_difference,
    two_proportion_p,
    welch_difference,
)
from dashboard.insights.tables import load_tables
from dashboard.insights.vote_methods import CROSS_GROUP_RANKINGS, SCORES, Score

CHART = "priorities-two-groups"
# Each group's fields, suffixed _a (the chosen voters) and _b (the group compared with).
GROUP_FIELDS = ("value", "low", "high", "base", "count")
COMPARED = ("difference", "difference_low", "difference_high", "p_value", "significant")
COUNT_FIELDS = frozenset({"base_a", "base_b", "count_a", "count_b"})
ASK = "Choose a group to compare with (vs): all voters, or a group such as caregivers."
SAME = "These are the same people: choose another group to compare with."


def group_filters(filters: Filters) -> tuple[Filters, Filters]:
    """(the chosen voters, the group compared with): the other filters apply to both."""
    mine = replace(filters, vs=None, compare=None, method=None)
    other = mine.without(*WHO_DIMS)
    found = filters.vs_group()
    if found is not None:
        other = replace(other, **{found[0]: found[1]})
    return mine.canonical(), other.canonical()


def group_label(filters: Filters) -> str:
    """Who a group is, in words ("people with progressive MS", "all voters")."""
    return words.who(filters)


class _Group:
    """One group's rows as its ranking serves them, or None where the group is withheld."""

    def __init__(self, wh: Warehouse, rnd: Round, filters: Filters, k: int) -> None:
        dims = filters.group_dims()
        tables = load_tables(wh, rnd, filters, dims, k)
        cell = tables.axes.index(**{d: getattr(filters, d) for d in dims})
        self.filters = filters
        self.label = group_label(filters)
        self.cell = (tuple(tables.axes.dims), cell)
        self.withheld = bool(tables.voters[cell] == 0 or tables.voters_hidden[cell])
        self.rows: dict[str, dict[str, Any]] = {}
        self.info: dict[str, dict[str, Any]] = {}
        self.voters: int | None = None
        if self.withheld:  # an empty group reads as a small one: no tell
            return
        if rnd.vote.serves_voters:
            self.voters = int(tables.voters[cell])
        for qid, row in zip(tables.measures, cell_scores(tables, rnd, cell, k), strict=True):
            self.rows[qid] = row
            self.info[qid] = _question_fields(tables, qid)


def _served(row: dict[str, Any] | None, name: str) -> bool:
    if row is None or name in row.get("suppressed", ()):
        return False
    value = row.get(name)
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _both(a: _Group, b: _Group, score: Score) -> int:
    """Questions whose score is served in both groups."""
    return sum(1 for q, row in a.rows.items() if _served(row, score.field)
               and _served(b.rows.get(q), score.field))  # fmt: skip


def choose_score(rnd: Round, asked: str, a: _Group, b: _Group) -> tuple[Score, str | None]:
    """The ranking's score, or the method's support share where the ranking's score is
    withheld (in either group) for more than half of the questions whose share is served.
    Returns the score and, when it fell back, why (in words)."""
    ranking, support = SCORES[asked], rnd.vote.support_score
    if ranking is support:
        return ranking, None
    by_ranking, by_support = _both(a, b, ranking), _both(a, b, support)
    if by_support == 0 or 2 * by_ranking >= by_support:
        return ranking, None
    why = (f"the ranking's score, {score_name(ranking)}, is withheld in one group for "
           f"{by_support - by_ranking} of the {by_support} questions that can be compared "
           "on the share")  # fmt: skip
    return support, why


def score_name(score: Score) -> str:
    """A score in a sentence: "mean rating", "Borda points", "share of voters"."""
    return score.label.split(" (")[0].lower().replace("borda", "Borda")


def _group_fields(rnd: Round, score: Score, row: dict[str, Any] | None,
                  suffix: str) -> tuple[dict[str, Any], list[str]]:  # fmt: skip
    """One group's value, interval, base (people) and count (supporters, shares only)."""
    vote = rnd.vote
    names = {"value": score.field, "low": score.low, "high": score.high,
             "base": vote.support_base}  # fmt: skip
    if score is vote.support_score:
        names["count"] = vote.support_count
    out: dict[str, Any] = {}
    gone: list[str] = []
    for short, field in names.items():
        key = f"{short}_{suffix}"
        if _served(row, field):
            out[key] = row[field]  # type: ignore[index]
        else:
            out[key] = None
            gone.append(key)
    return out, gone


def _test(rnd: Round, score: Score, a: dict[str, Any], b: dict[str, Any]) -> tuple | None:
    """(difference a - b, low, high, p) from served values, or None if it cannot be tested.

    The method's support share is compared as two proportions (supporters of a base);
    any other score is a mean over the same base (Borda points per voter, mean rating per
    rater), compared by Welch's test from its served mean, 95% interval and count.
    """
    if score is rnd.vote.support_score:
        x = [rnd.vote.support_counts(r) for r in (a, b)]
        if x[0] is None or x[1] is None or not x[0][1] or not x[1][1]:
            return None
        (x1, n1), (x2, n2) = x  # type: ignore[misc]
        d, low, high = newcombe_difference(x1, n1, x2, n2)
        return d, low, high, two_proportion_p(x1, n1, x2, n2)
    fields = (score.field, score.low, score.high, rnd.vote.support_base)
    if not all(_served(r, f) for r in (a, b) for f in fields):
        return None
    found = welch_difference(*(float(a[f]) for f in fields), *(float(b[f]) for f in fields))
    return None if math.isnan(found[3]) else found


def two_groups(wh: Warehouse, filters: Filters, k: int) -> ChartResult:
    """The chosen voters and one other group side by side, every question, with the
    difference of the ranking's score, its 95% interval and whether it holds after
    Benjamini-Hochberg at 5% over the questions compared."""
    rnd = resolve_round(wh, filters.round)
    asked = score_method(rnd, filters.method)
    if asked in CROSS_GROUP_RANKINGS:
        raise FilterError(f"method={asked} ranks across the groups of a dimension; two groups "
                          f"are compared on one score: {', '.join(rnd.vote.scores)}")  # fmt: skip
    mine, other = group_filters(filters)
    title = f"{words.capital(group_label(mine))} compared with {group_label(other)}"
    result = _base(CHART, f"{title}: {rnd.name}", asked, filters, wh.snapshot(), k,
                   _columns(SCORES[asked] is rnd.vote.support_score), rnd)  # fmt: skip
    result.count_fields = COUNT_FIELDS
    result.context.update(group_a=group_label(mine), group_b=group_label(other),
                          vs=filters.vs or None)  # fmt: skip
    if not filters.vs:
        result.title = f"{words.capital(group_label(mine))} compared with another group"
        result.message = ASK
        return result
    a, b = _Group(wh, rnd, mine, k), _Group(wh, rnd, other, k)
    result.context["withheld_groups"] = [g.label for g in (a, b) if g.withheld]
    if a.cell == b.cell:
        result.message = SAME
        return result
    if a.withheld or b.withheld:
        result.message = TOO_FEW.format(k=k)
        return result
    score, fallback = choose_score(rnd, asked, a, b)
    result.method = score.name
    result.context.update(score=score.name, fallback=fallback,
                          ranking_score=score_name(SCORES[asked]), voters_a=a.voters,
                          voters_b=b.voters, base=rnd.vote.support_base,
                          nested=_nested(mine, other))  # fmt: skip
    result.columns = _columns(score is rnd.vote.support_score)
    rows, tests = [], []
    for qid, row_a in a.rows.items():
        row_b = b.rows.get(qid)
        fields_a, gone_a = _group_fields(rnd, score, row_a, "a")
        fields_b, gone_b = _group_fields(rnd, score, row_b, "b")
        row = {**a.info[qid], "score": score.name, **fields_a, **fields_b,
               **dict.fromkeys(COMPARED)}  # fmt: skip
        found = _test(rnd, score, row_a, row_b) if row_b is not None else None
        if gone_a or gone_b:
            # what is derived from a withheld value is withheld with it
            withhold(row, [*gone_a, *gone_b, *(COMPARED if found is None else ())])
        if found is not None:
            row.update(zip(COMPARED[:4], found, strict=True))
            tests.append(row)
        rows.append(row)
    for row, holds in zip(tests, benjamini_hochberg([r["p_value"] for r in tests]), strict=True):
        row["significant"] = bool(holds)
    result.context["tested"] = len(tests)
    result.rows = by_difference(rows)
    return result


def by_difference(rows: list[dict]) -> list[dict]:
    """The dumbbells' order: the largest difference (first group minus second) first, down
    to the most negative; a question whose difference is withheld after them all (it cannot
    be placed without saying what it is); equal ones by id."""
    return sorted(rows, key=lambda r: (r["difference"] is None, -(r["difference"] or 0.0),
                                       r["question_id"]))  # fmt: skip


def _columns(counted: bool) -> list[str]:
    """The rows' columns; `counted`: a share, whose supporters are served too."""
    counts = ("count_a", "count_b") if counted else ()
    return ["question_id", "title", "topic", "status", "score",
            "value_a", "low_a", "high_a", "base_a", *counts[:1],
            "value_b", "low_b", "high_b", "base_b", *counts[1:], *COMPARED]  # fmt: skip


def _nested(mine: Filters, other: Filters) -> bool:
    """Whether one group holds the other (all voters and caregivers; people with MS and
    people with progressive MS): the interval then treats overlapping people as two samples,
    which makes it wider than it needs to be."""
    a, b = _who_members(mine), _who_members(other)
    return a <= b or b <= a


def _who_members(filters: Filters) -> frozenset[str]:
    """The finest who groups a group's who filter names (every one without a who filter)."""
    found = next(((d, getattr(filters, d)) for d in WHO_DIMS if getattr(filters, d)), None)
    if found is None:
        return frozenset(WHO_FINE)
    label = WHO_LABEL[found]
    return frozenset(WHO_BLOCKS.get(label, (label,)))
