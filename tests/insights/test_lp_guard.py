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
        if counts.shape[axis] < 2:
            continue  # a line of one cell is that cell, not a total served elsewhere
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


def test_an_axis_of_one_category_changes_nothing() -> None:
    """A table with an axis of one category (a voters table has one outcome) is the same
    table: audited the same (an independent review found a line of one cell was taken for
    a served total, which made every count look boxed by its margins and stopped the
    audit)."""
    with complement_rule("knock-on-audited"):
        flat = protect(TABLE, K)
        for shape in ((4, 4, 1), (4, 1, 4), (1, 4, 4)):
            assert (protect(TABLE.reshape(shape), K).reshape(4, 4) == flat).all(), shape
    assert _boxed(TABLE[..., None], flat[..., None]) == []


def test_a_count_is_freeable_when_its_own_program_says_so() -> None:
    """`reachable` against the exact program of each count (an independent review: witness
    points alone marked 1 of these 14 ones as freeable): a column of 1s beside 20s, every
    free cell withheld: each 1 can reach k."""
    counts = np.column_stack([np.ones(14, dtype=np.int64), np.full(14, 20), np.full(14, 20)])
    hidden = counts == 1
    layout = lp_guard.Layout.of((1, 14, 3), None, None)
    free = np.ones((1, 14, 3), dtype=bool)
    can = lp_guard.reachable(counts[None], hidden[None], free, K, layout, layout)[0]
    everything = hidden | (counts >= K)
    exact = [(i, 0) for i in range(14) if _highest(counts, everything, (i, 0)) >= K]
    assert [tuple(int(x) for x in c) for c in np.argwhere(can)] == exact
    assert len(exact) == 14


def test_a_hierarchy_table_is_audited_and_mended() -> None:
    """The who-like axis (3 = 0 + 1, 4 = everyone) by three outcomes, 40 random tables:
    no freeable count is left boxed once audited (knock-on left one here), and the total
    row is never withheld."""
    h = Hierarchy(axis=0, sets=(frozenset({0}), frozenset({1}), frozenset({2}),
                                frozenset({0, 1}), frozenset({0, 1, 2})),
                  levels=((0, 1, 2), (3, 2), (4,)))  # fmt: skip
    rng = np.random.default_rng(11)
    mended = 0
    for _ in range(40):
        fine = _random(rng, (3, 3))
        counts = np.vstack([fine, fine[:2].sum(0), fine.sum(0)])
        with complement_rule("knock-on"):
            knock_on = protect(counts, K, h)
        with complement_rule("knock-on-audited"):
            audited = protect(counts, K, h)
        assert (audited >= knock_on).all() and not audited[4].any()
        layout = lp_guard.Layout.of((1, 5, 3), 1, h)
        free = np.ones((1, 5, 3), dtype=bool)
        free[0, 4] = False
        can = lp_guard.reachable(counts[None], audited[None], free, K, layout, layout)
        assert not lp_guard.boxed(counts[None], audited[None], K, 1, h, among=can).any()
        mended += int((audited != knock_on).any())
    assert mended >= 1


def test_tables_of_more_than_two_axes_are_left_to_the_release_audit() -> None:
    """The guard's reach (AUDITED_AXES = 2), and the gap it leaves: a 2 x 4 x 4 table gets
    knock-on's decisions, in which 6 small counts are boxed (README, rule 3)."""
    counts = np.stack([TABLE, TABLE])
    with complement_rule("knock-on"):
        knock_on = protect(counts, K)
    with complement_rule("knock-on-audited"):
        audited = protect(counts, K)
    assert (audited == knock_on).all()
    assert len(_boxed(counts, audited)) == 6
