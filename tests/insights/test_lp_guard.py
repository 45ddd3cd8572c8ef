"""The build's table audit by linear programming (rule "knock-on-audited", lp_guard.py).

The attacker here is written again, densely, with scipy's `linprog`: unknowns are the
withheld cells and the served cells of 1..k-1 (none should exist), facts are the served
cells and every line total of 0 or at least k; a withheld count of 1..k-1 is boxed when
its largest possible value is below k.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog

from dashboard.insights import lp_guard
from dashboard.insights.disclosure import Hierarchy, complement_rule, protect
from tests.insights.test_disclosure_cost import _unsafe

K = 11
# Row 3 withholds 11 people (8 + 3), so column 0's withheld 23 puts at least 12 in row 2's
# first cell, and row 2's withheld 20 leaves at most 8 for the 5 beside it: every line is
# safe, and still the 5 is boxed in 0..8 (and the 3, by the same cycle, in 0..10).
TABLE = np.array([[20, 15, 5, 15], [0, 20, 20, 15], [15, 0, 5, 15], [8, 50, 50, 3]])


def _highest(counts: np.ndarray, hidden: np.ndarray, cell: tuple) -> float:
    """The attacker's largest value for a withheld cell of a plain table (any dimension)."""
    small = (counts > 0) & (counts < K)
    unknown = hidden | small
    cells = [tuple(c) for c in np.argwhere(unknown)]
    where = {c: i for i, c in enumerate(cells)}
    a_eq, b_eq = [], []
    for axis in range(counts.ndim):
        for fixed in np.ndindex(*np.delete(counts.shape, axis)):
            line = [(*fixed[:axis], i, *fixed[axis:]) for i in range(counts.shape[axis])]
            total = sum(int(counts[c]) for c in line)
            row = np.zeros(len(cells))
            for c in line:
                if c in where:
                    row[where[c]] = 1
            if 0 < total < K or not row.any():
                continue
            a_eq.append(row)
            b_eq.append(total - sum(int(counts[c]) for c in line if c not in where))
    goal = np.zeros(len(cells))
    goal[where[cell]] = -1
    res = linprog(goal, A_eq=np.array(a_eq) if a_eq else None, b_eq=b_eq or None,
                  bounds=(0, None), method="highs")  # fmt: skip
    return np.inf if res.status == 3 else -res.fun


def _boxed(counts: np.ndarray, hidden: np.ndarray) -> list[tuple]:
    return [tuple(int(i) for i in c) for c in np.argwhere(hidden & (counts > 0) & (counts < K))
            if _highest(counts, hidden, tuple(c)) < K - 1e-6]  # fmt: skip


def test_the_hand_counted_table_is_boxed_after_knock_on_and_not_after_the_audit() -> None:
    with complement_rule("knock-on"):
        knock_on = protect(TABLE, K)
    assert _boxed(TABLE, knock_on) == [(2, 2), (3, 3)]
    assert round(_highest(TABLE, knock_on, (2, 2))) == 8
    with complement_rule("knock-on-audited"):
        audited = protect(TABLE, K)
    assert _boxed(TABLE, audited) == []
    # One more complement: the 15 that row 2 had left visible, the cheapest that works.
    assert (audited & ~knock_on).sum() == 1 and audited[2, 3] and (audited >= knock_on).all()
    assert _unsafe(TABLE, audited, None, ~audited & (TABLE > 0)) == 0
    # The build's own attacker agrees.
    assert np.argwhere(lp_guard.boxed(TABLE[None], knock_on[None], K)[0]).tolist() == [
        [2, 2], [3, 3]]  # fmt: skip


def _random(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return rng.choice([0, 1, 3, 5, 8, 12, 15, 20, 30, 50], size=shape,
                      p=[.1, .05, .05, .1, .1, .15, .15, .1, .1, .1])  # fmt: skip


@pytest.mark.slow
def test_no_count_is_left_boxed_that_a_complement_could_free() -> None:
    """300 random 3-5 x 3-5 tables, checked by the dense attacker above: knock-on leaves
    small counts boxed that more complements would free; the audited rule leaves none (a
    count boxed even with every cell withheld is boxed by the margins, which the coarser
    tables protect), withholds a superset, keeps every line safe, and costs few people."""
    rng = np.random.default_rng(3)
    freeable_before = freeable_after = 0
    people = {"knock-on": 0, "knock-on-audited": 0}
    for _ in range(300):
        counts = _random(rng, tuple(rng.integers(3, 6, size=2)))
        with complement_rule("knock-on"):
            knock_on = protect(counts, K)
        with complement_rule("knock-on-audited"):
            audited = protect(counts, K)
        assert (audited >= knock_on).all()
        assert _unsafe(counts, audited, None, ~audited & (counts > 0)) == 0
        everything = knock_on | (counts >= K)
        margins_only = set(_boxed(counts, everything))
        freeable_before += len(set(_boxed(counts, knock_on)) - margins_only)
        freeable_after += len(set(_boxed(counts, audited)) - margins_only)
        people["knock-on"] += int(counts[knock_on].sum())
        people["knock-on-audited"] += int(counts[audited].sum())
    assert freeable_before >= 10 and freeable_after == 0
    assert people["knock-on-audited"] < 1.05 * people["knock-on"]


def test_a_hierarchy_counts_each_category_as_the_sum_of_its_finest() -> None:
    """Categories 3 = 0 + 1 and 4 = everyone (served by coarser tables): the audit's
    unknowns are the finest cells. Withholding the 5 and its sum 3 pins the 5 through
    everyone minus the served 1 and 2; withholding the 1 as well frees it up to 25."""
    h = Hierarchy(axis=0, sets=(frozenset({0}), frozenset({1}), frozenset({2}),
                                frozenset({0, 1}), frozenset({0, 1, 2})),
                  levels=((0, 1, 2), (3, 2), (4,)))  # fmt: skip
    counts = np.array([5, 20, 40, 25, 65])
    pinned = np.array([True, False, False, True, False])
    freed = np.array([True, True, False, True, False])
    assert np.flatnonzero(lp_guard.boxed(counts[None], pinned[None], K, 1, h)[0]).tolist() == [0]
    assert not lp_guard.boxed(counts[None], freed[None], K, 1, h)[0].any()


def test_tables_of_more_than_two_axes_are_left_to_the_release_audit() -> None:
    """The guard's reach (AUDITED_AXES): a 2 x 4 x 4 table gets knock-on's decisions."""
    counts = np.stack([TABLE, TABLE])
    with complement_rule("knock-on"):
        knock_on = protect(counts, K)
    with complement_rule("knock-on-audited"):
        audited = protect(counts, K)
    assert lp_guard.AUDITED_AXES == 2 and (audited == knock_on).all()
