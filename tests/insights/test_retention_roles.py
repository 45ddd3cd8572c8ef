"""Retention's roles across releases: the same counts keep at least the cells withheld before.

Hand-counted table, one cohort year and year since joining; roles x (active, not active):
person with MS 1 / 36, caregiver 23 / 27, other 30 / 12. The 1 is withheld; its row and
column need a partner. `smallest-first` takes the caregivers' 23 and 27 and then the
others' row as well (every cell withheld); `knock-on` takes the others' 30 and 12 and
serves the caregivers. A series that moves from the first rule to the second would serve
the caregivers' 23 and 27 that the release before withheld as complements.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from dashboard.insights import retention_roles
from dashboard.insights.disclosure import complement_rule

K = 11
CELL = (2024, 1)
TABLE = np.array([[1, 36], [23, 27], [30, 12]])
ALL = [[True, True]] * 3
KNOCK_ON = [[True, True], [False, False], [True, True]]


def _rows(table: np.ndarray) -> pd.DataFrame:
    """retention_cells for one yearly cohort (one quarter) seen in year 1's first quarter."""
    roles = ("person_with_ms", "caregiver", "other")
    return pd.DataFrame(
        [
            ("2024-01-01", role, 4, int(a + b), int(a))
            for role, (a, b) in zip(roles, table, strict=True)
        ],
        columns=["cohort", "role", "quarters_since_join", "cohort_size", "active"],
    )


class Release:
    """Just what retention_roles reads: this release's cells and what the one before kept."""

    building = True

    def __init__(self, table: np.ndarray, before: str | None) -> None:
        self.table, self.before = table, before
        self.asked: list[str] = []

    def run_named(self, name: str, params: dict[str, Any]) -> tuple[pd.DataFrame, None]:
        self.asked.append(name)
        if name == "retention_cells":
            return _rows(self.table), None
        assert name == "previous_result" and params == {"chart": "retention-roles", "k": K}
        if self.before is None:
            return pd.DataFrame(columns=["body", "previous_as_of"]), None
        return pd.DataFrame({"body": [self.before], "previous_as_of": ["2026-10-01"]}), None

    def remember(self, key: Any, compute: Any) -> Any:
        return compute()

    def snapshot(self) -> SimpleNamespace:
        return SimpleNamespace(build_id="b", as_of="2026-11-01", network="")


def test_the_table_is_read_as_counted() -> None:
    counts = retention_roles.tables(retention_roles.cohorts(Release(TABLE, None))[0])
    assert list(counts) == [CELL]
    assert counts[CELL].tolist() == TABLE.tolist()


def test_the_two_rules_decide_this_table_differently() -> None:
    with complement_rule("smallest-first"):
        old = retention_roles.withheld({CELL: TABLE}, K, {})[CELL]
    with complement_rule("knock-on"):
        new = retention_roles.withheld({CELL: TABLE}, K, {})[CELL]
    assert old.tolist() == ALL
    assert new.tolist() == KNOCK_ON


def test_a_release_that_moves_rule_keeps_what_the_one_before_withheld() -> None:
    with complement_rule("smallest-first"):
        first = retention_roles.encode(Release(TABLE, None), K)
    assert json.loads(first) == {"2024|1": {"counts": TABLE.tolist(), "withheld": [[1, 1]] * 3}}
    with complement_rule("knock-on"):
        moved = Release(TABLE, first)
        masks = retention_roles.role_masks(moved, K)
        kept = retention_roles.encode(moved, K)
    assert "previous_result" in moved.asked
    assert masks == {CELL: {"person_with_ms": True, "caregiver": True, "other": True}}
    assert json.loads(kept) == json.loads(first)  # and so does the release after it


def test_changed_counts_are_decided_afresh() -> None:
    with complement_rule("smallest-first"):
        first = retention_roles.encode(Release(TABLE, None), K)
    grown = TABLE + np.array([[0, 0], [0, 1], [0, 0]])  # one more caregiver in the cohort
    with complement_rule("knock-on"):
        masks = retention_roles.withheld({CELL: grown}, K, {CELL: (TABLE, np.array(ALL))})
        assert masks[CELL].tolist() == KNOCK_ON
        assert retention_roles.role_masks(Release(grown, first), K)[CELL]["caregiver"] is False


def _largest(table: np.ndarray, mask: np.ndarray, cell: tuple[int, int]) -> float:
    """The largest value an attacker can give a withheld cell, knowing the served cells,
    each role's cohort where it is served (not 1..k-1: the members chart's running totals
    move by 0 or at least k), the columns over roles where the all-roles view serves its
    active (every role's cohort served, and neither active nor not active 1..k-1 over all
    roles: that view protects them as a line), counts >= 0."""
    free = list(zip(*np.nonzero(mask), strict=True))
    roles = [[(i, j) for j in range(2)] for i in range(3)]
    columns = [[(i, j) for i in range(3)] for j in range(2)]
    sizes = table.sum(axis=1)
    lines = [r for r, n in zip(roles, sizes, strict=True) if not 0 < n < K]
    over_roles = table.sum(axis=0)
    if len(lines) == len(roles) and not any(0 < n < K for n in over_roles):
        lines += columns
    a_eq = [[1.0 if c in line else 0.0 for c in free] for line in lines]
    b_eq = [sum(int(table[c]) for c in line if mask[c]) for line in lines]
    goal = [-1.0 if c == cell else 0.0 for c in free]
    found = linprog(goal, A_eq=a_eq or None, b_eq=b_eq or None, bounds=(0, None), method="highs")
    assert found.status in (0, 3)  # 3: unbounded (no served line holds the cell)
    return float("inf") if found.status == 3 else -found.fun


@pytest.mark.parametrize("rule", ["smallest-first", "knock-on", "knock-on-pruned"])
def test_no_small_count_can_be_narrowed_below_k(rule: str) -> None:
    rng = np.random.default_rng(5)
    with complement_rule(rule):
        for _ in range(200):
            table = rng.integers(0, 40, size=(3, 2))
            before = rng.integers(0, 2, size=(3, 2)).astype(bool)
            mask = retention_roles.withheld({CELL: table}, K, {CELL: (table, before)})[CELL]
            assert (mask | ~before).all()  # at least what the release before withheld
            small = (table > 0) & (table < K)
            assert mask[small].all()
            for cell in zip(*np.nonzero(small), strict=True):
                assert _largest(table, mask, cell) >= K, (table.tolist(), mask.tolist(), cell)
