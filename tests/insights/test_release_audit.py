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
import pytest
from scipy.optimize import linprog

from dashboard.insights import release_audit
from dashboard.insights.release_audit import CountryRelease, key, leaks

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


# --- a long series: the audit against every target solved on its own -------------------


def random_series(seed: int, releases: int, countries: int = 3) -> list[CountryRelease]:
    """Small counts that grow, served at random (half withheld): masks no protection
    chose, so the series gives counts away."""
    rng = np.random.default_rng(seed)
    joins = rng.integers(0, 6, (releases, countries, 3))
    joins[0] += rng.integers(0, 15, (countries, 3))
    counts = np.cumsum(joins, axis=0)
    names = tuple(f"C{c}" for c in range(countries))
    return [CountryRelease(names, counts[t], rng.random((countries, 3)) < 0.5,
                           rng.random(countries) < 0.5, rng.random(4) < 0.8)
            for t in range(releases)]  # fmt: skip


def reference(series: list[CountryRelease]) -> dict[tuple, tuple[float, float]]:
    """Every target's range, each solved on its own (scipy) over the facts written out one
    row each (the module's docstring): the leaks by definition."""
    counts = np.array([r.counts for r in series], dtype=float)
    n_t, n_c, n_r = counts.shape
    cell = np.arange(counts.size).reshape(counts.shape)

    def row(cells: np.ndarray, signs: np.ndarray | float = 1.0) -> np.ndarray:
        out = np.zeros(counts.size)
        np.add.at(out, np.ravel(cells), signs)
        return out

    eq, ub = [], []
    for t, r in enumerate(series):
        eq += [row(cell[t, c, j]) for c in range(n_c) for j in range(n_r) if r.served[c, j]]
        eq += [row(cell[t, c]) for c in range(n_c) if r.total_served[c]]
        eq += [row(cell[t, :, j]) for j in range(n_r) if r.margins_served[j]]
        eq += [row(cell[t])] if r.margins_served[-1] else []
        if t:
            ub += [row(np.array([cell[t - 1, c, j], cell[t, c, j]]), np.array([1.0, -1.0]))
                   for c in range(n_c) for j in range(n_r)]  # fmt: skip
    a_eq = np.array(eq)
    truth = counts.ravel()
    found = {}
    for t in range(n_t):
        for c in range(n_c):
            for role in (0, 1, 2, None):
                roles = range(n_r) if role is None else [role]
                shown = [series[s].total_served[c] if role is None else series[s].served[c, role]
                         for s in (t - 1, t)]  # fmt: skip
                for newcomers in (False, True) if t else (False,):
                    objective = row(cell[t, c, roles])
                    if newcomers:
                        objective -= row(cell[t - 1, c, roles])
                    if not 0 < objective @ truth < K or (all(shown) if newcomers else shown[1]):
                        continue
                    ends = [linprog(sign * objective, A_ub=np.array(ub), b_ub=np.zeros(len(ub)),
                                    A_eq=a_eq, b_eq=a_eq @ truth, method="highs")
                            for sign in (1.0, -1.0)]  # fmt: skip
                    if all(e.status == 0 for e in ends):
                        low, high = ends[0].fun, -ends[1].fun
                        if np.ceil(low - 1e-6) >= 1 and np.floor(high + 1e-6) < K:
                            found[(t, f"C{c}", role, newcomers)] = (low, high)
    return found


@pytest.mark.parametrize("few", [0, 1000])
def test_a_long_series_finds_what_each_target_solved_alone_finds(
    monkeypatch: pytest.MonkeyPatch, few: int
) -> None:
    """Runs of 3 releases (1 more either side) settle most targets first, with the rest of
    the series held at its true counts; what they leave goes through the whole series'
    rounds (few=0) or, left with few, straight to runs' loose facts and to one solve each.
    Either way the leaks are the ones each target solved alone gives, with bounds that
    hold (the loose facts' may be wider)."""
    monkeypatch.setattr(release_audit, "WINDOW", 3)
    monkeypatch.setattr(release_audit, "MARGIN", 1)
    monkeypatch.setattr(release_audit, "FEW", few)
    checked = 0
    for seed in range(3):
        series = random_series(seed, 10)
        want = reference(series)
        got = {key(x): (x.low, x.high) for x in leaks(series, K)}
        assert got.keys() == want.keys(), seed
        for target, (low, high) in got.items():
            assert np.ceil(low - 1e-6) >= 1 and np.floor(high + 1e-6) <= K - 1
            assert low <= want[target][0] + 1e-6 and high >= want[target][1] - 1e-6
        checked += len(want)
    assert checked  # the random masks give counts away


def test_a_run_held_at_the_truth_keeps_the_releases_around_it() -> None:
    """A run's program bounds its first counts by the release before it and its last by
    the release after (counts grow): the run's points are points of the whole series."""
    series = random_series(1, 6)
    names, counts = release_audit._grid(series)
    served, totals = release_audit._served(series, names, 3)
    run = range(2, 4)
    held = release_audit._facts(series, counts, served, totals, run)
    loose = release_audit._facts(series, counts, served, totals, run, held=False)
    first = np.zeros(held.n)
    first[0] = 1.0  # C0's first role in release 2
    assert held.minimum(first) >= counts[1, 0, 0] - 1e-6
    assert loose.minimum(first) <= held.minimum(first)
    last = np.zeros(held.n)
    last[-1] = 1.0  # C2's last role in release 3
    assert held.maximum(last) <= counts[4, 2, 2] + 1e-6
