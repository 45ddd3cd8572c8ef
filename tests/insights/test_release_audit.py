"""The audit over releases (release_audit.py) on a hand-countable series.

Three countries, three roles (person with MS, caregiver, other), three monthly releases;
the numbers are those of the leak the reviewer's attack found (seed 26 of
test_country_release_series.py). Release 2 (the middle one) withholds FR's and GB's
person-with-MS and other counts and serves everything around them: GB's total 80 and
caregivers 36 (so GB pwms + other = 44), FR's total 56 and caregivers 22, the role totals
74 (pwms) and 68 (other) with DE's 39 and 25. Release 3 serves FR pwms 22 and GB pwms 15:
counts only grow, so in release 2 GB pwms is 13..15 and GB other 29..31; release 1 served
GB other 23, so 6..8 people joined GB as "other" (truly 8).
"""

from __future__ import annotations

import numpy as np

from dashboard.insights.release_audit import CountryRelease, leaks

K = 11
NAMES = ("DE", "FR", "GB")
ALL_MARGINS = np.ones(4, dtype=bool)


def release(counts: list[list[int]], withheld: list[tuple[int, int]],
            margins: bool = True) -> CountryRelease:  # fmt: skip
    table = np.array(counts, dtype=np.int64)
    served = np.ones(table.shape, dtype=bool)
    for cell in withheld:
        served[cell] = False
    return CountryRelease(NAMES, table, served, np.ones(3, dtype=bool),
                          ALL_MARGINS if margins else ~ALL_MARGINS)  # fmt: skip


FIRST = release([[30, 20, 20], [15, 15, 8], [10, 30, 23]], [(1, 0), (1, 2)], margins=False)
SECOND = release([[39, 30, 25], [22, 22, 12], [13, 36, 31]], [(1, 0), (1, 2), (2, 0), (2, 2)])


def test_values_served_later_give_away_earlier_newcomers() -> None:
    third = release([[40, 31, 26], [22, 25, 14], [15, 40, 35]], [])
    found = {(x.release, x.country, x.role, x.newcomers): (x.low, x.high)
             for x in leaks([FIRST, SECOND, third], K)}  # fmt: skip
    low, high = found[(1, "GB", 2, True)]
    assert (round(low), round(high)) == (6, 8)


def test_the_two_releases_alone_give_nothing_away() -> None:
    assert leaks([FIRST, SECOND], K) == []


def test_withholding_the_later_values_gives_nothing_away() -> None:
    """The third release withholds what capped the second's cells (both countries' pwms and
    other, with their totals), as the build does when the audit finds the leak."""
    third = release([[40, 31, 26], [22, 25, 14], [15, 40, 35]],
                    [(1, 0), (1, 2), (2, 0), (2, 2)])  # fmt: skip
    third = CountryRelease(NAMES, third.counts, third.served,
                           np.array([True, False, False]), ALL_MARGINS)  # fmt: skip
    assert leaks([FIRST, SECOND, third], K) == []


def test_a_release_kept_in_the_publication_reads_back_the_same() -> None:
    again = CountryRelease.decode(SECOND.encode(), roles=3)
    assert again.names == SECOND.names
    assert (again.counts == SECOND.counts).all() and (again.served == SECOND.served).all()
    assert (again.margins_served == SECOND.margins_served).all()
