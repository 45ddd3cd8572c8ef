"""Comment counts across releases: an earlier release's values must not pin a withheld one.

Hand-counted (from an independent review): topic A holds Q1-Q3, topic B holds Q4. The
release before served Q2 40, Q3 30, A 75, Q4 50 and the total 125, and withheld Q1 (5).
Now Q1 5, Q2 44, Q3 45, Q4 50: A 94, total 144. Served as counted, Q2 (4 more) is
withheld; were Q3 and A served, Q1 + Q2 = 49 with Q2 at least 40 would pin Q1 to at most
9. The withheld comments of A must hide at least k new ones: Q3 or A is withheld too.
"""

from __future__ import annotations

import numpy as np

from dashboard.insights.disclosure import Hierarchy
from dashboard.insights.topics import _protect_comments

K = 11
KEYS = ["q|Q1", "q|Q2", "q|Q3", "q|Q4", "t|A", "all"]
SETS = (frozenset({0}), frozenset({1}), frozenset({2}), frozenset({3}), frozenset({0, 1, 2}),
        frozenset({0, 1, 2, 3}))  # fmt: skip
HIERARCHY = Hierarchy(axis=0, sets=SETS, levels=((0, 1, 2, 3), (4, 3), (5,)))
LAST = {"q|Q2": 40, "q|Q3": 30, "q|Q4": 50, "t|A": 75, "all": 125}


def withheld(counts: list[int], last: dict[str, int]) -> dict[str, bool]:
    mask = _protect_comments(np.array(counts), KEYS, last, K, HIERARCHY)
    return dict(zip(KEYS, mask.tolist(), strict=True))


def test_an_earlier_release_does_not_pin_a_withheld_count() -> None:
    now = withheld([5, 44, 45, 50, 94, 144], LAST)
    assert now["q|Q1"] and now["q|Q2"]
    assert now["q|Q3"] or now["t|A"], now


def test_counts_that_did_not_move_by_1_to_k_minus_1_are_served() -> None:
    now = withheld([40, 51, 30, 50, 121, 171], {**LAST, "q|Q1": 40, "t|A": 110, "all": 160})
    assert not any(now.values()), now  # Q2 11 more, A 11 more, the total 11 more


def test_a_first_release_withholds_what_is_small_and_its_partners() -> None:
    now = withheld([5, 44, 45, 50, 94, 144], {})
    assert now["q|Q1"] and sum(now.values()) >= 2 and not now["q|Q4"]
