"""Members per country over every kept release, audited by linear programming.

A country's members are a running total served month after month. Each release protects
its own table (counts and increments since last served, `protect_with_increments`), but
values served later bound earlier withheld cells from above (counts only grow), and a
line's served total turns that into a bound from below on the cell beside them: over ten
monthly releases of small three-country networks, 7 of 40 let a country's 1 to k-1
newcomers be worked out (tests/insights/test_country_release_series.py). So the build
asks, before it serves a release, what an attacker holding every kept release and this
one could work out, and withholds more where that is a new count of 1 to k-1.

The attacker knows, for every release: each served country x role count and each served
country total (a country missing from the listing is 0), each role's total over all
countries and the grand total where the members chart serves them, that counts are not
negative and that a count never went down (where it did not: a withdrawal can lower one).
A withheld count may be a true 0 (a country withheld in all roles is withheld in every
role), so nothing more is known of it. Targets: each withheld count and each country
total of 1 to k-1, and each count's and total's newcomers since the release before (1 to
k-1). A target is found when the largest value the facts allow is at most k-1 and the
smallest at least 1 (rounded inward: a person is whole). The true counts of every kept
release are kept in the warehouse with the publication (never served), so the facts are
those of the real series.

How (issue #14 gap (d): 120 monthly releases of 50 countries are 18,000 unknowns and
about 10,000 targets): a target is not boxed once any point the facts allow puts it at k
or more, or at 0 or less. Points come from programs that push as many targets as they
can to k, and to 0, at once (`lp_ranges.Capped`): first over runs of releases with the
others held at their true counts (a run's point, with the true counts around it, is a
point of the whole series), then over the whole series. A target still open is a leak
where it is boxed over a run's facts alone (fewer facts: boxed there, boxed in the
whole); the whole series' own two solves decide the rest. So the leaks are exactly the
targets the whole series boxes, as when each was solved on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from dashboard.insights.lp_ranges import Capped, Program

TOL = 1e-6
# Rounds of witness points go on while a round settles at least this share of the open
# targets; the rest are solved for one by one.
ROUND_SETTLES = 0.02
# A long series is first settled over runs of WINDOW releases with MARGIN more either side.
WINDOW = 24
MARGIN = 6
# Where more targets than this are left after them, rounds over the whole series.
FEW = 20


@dataclass(frozen=True)
class CountryRelease:
    """One release's members per country and role: the true counts (kept, never served),
    which counts and country totals it served, and which role totals (and the grand total,
    last) the members chart served beside them."""

    names: tuple[str, ...]
    counts: np.ndarray  # countries x roles
    served: np.ndarray  # bool, countries x roles
    total_served: np.ndarray  # bool, per country
    margins_served: np.ndarray  # bool, per role and then all roles

    def encode(self) -> dict[str, Any]:
        """As kept in the publication (JSON)."""
        return {"names": list(self.names), "counts": self.counts.tolist(),
                "served": self.served.astype(int).tolist(),
                "total_served": self.total_served.astype(int).tolist(),
                "margins_served": self.margins_served.astype(int).tolist()}  # fmt: skip

    @classmethod
    def decode(cls, data: dict[str, Any], roles: int) -> CountryRelease:
        """The inverse of `encode`."""
        n = len(data["names"])
        return cls(tuple(data["names"]),
                   np.array(data["counts"], dtype=np.int64).reshape(n, roles),
                   np.array(data["served"], dtype=bool).reshape(n, roles),
                   np.array(data["total_served"], dtype=bool).reshape(n),
                   np.array(data["margins_served"], dtype=bool).reshape(roles + 1))  # fmt: skip


@dataclass(frozen=True)
class Leak:
    """A count of 1 to k-1 the series of releases gives away (within low..high)."""

    release: int  # position in the series
    country: str
    role: int | None  # None: the country's total over roles
    newcomers: bool  # the increment since the release before, not the count
    low: float
    high: float


def _grid(series: Sequence[CountryRelease]) -> tuple[list[str], np.ndarray]:
    """Every country any release lists, and each release's counts over them (0: absent)."""
    names = sorted({n for r in series for n in r.names})
    where = {name: c for c, name in enumerate(names)}
    roles = series[0].counts.shape[1]
    counts = np.zeros((len(series), len(names), roles), dtype=np.int64)
    for t, release in enumerate(series):
        for i, name in enumerate(release.names):
            counts[t, where[name]] = release.counts[i]
    return names, counts


def _served(series: Sequence[CountryRelease], names: list[str],
            roles: int) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Which counts (release x country x role) and country totals (release x country) the
    attacker knows: served, or 0 where a release does not list the country."""
    served = np.ones((len(series), len(names), roles), dtype=bool)
    totals = np.ones((len(series), len(names)), dtype=bool)
    where = {name: c for c, name in enumerate(names)}
    for t, release in enumerate(series):
        for i, name in enumerate(release.names):
            served[t, where[name]] = release.served[i]
            totals[t, where[name]] = release.total_served[i]
    return served, totals


def _facts(series: Sequence[CountryRelease], counts: np.ndarray, served: np.ndarray,
           totals: np.ndarray, releases: range | None = None,
           held: bool = True) -> Program:  # fmt: skip
    """What the attacker knows, as a Program over every count (release x country x role,
    flattened). A known count is fixed as its column's bounds, a count that never went
    down beside a known one gets that one as a bound, and a sum whose counts are all known
    is left out: the same set of points as the facts written out one row each (the true
    counts meet every fact), in a smaller program.

    Over some `releases` only (a run of them), the counts of the others are held at their
    true values: a smaller program whose points, with the true counts around them, are
    points of the whole (the facts within the run hold, those outside hold for the truth,
    and the releases either side bound the run's first and last counts as they would).
    Not `held`, the others are unknown and the facts about them left out: a larger set of
    points, within which a target boxed is boxed in the whole too."""
    whole = counts
    releases = releases or range(len(series))
    series = series[releases.start : releases.stop]
    counts, served = counts[releases.start : releases.stop], served[releases.start : releases.stop]
    totals = totals[releases.start : releases.stop]
    shape, n = counts.shape, counts.size
    cell = np.arange(n).reshape(shape)
    value = counts.astype(float).ravel()
    known = served.ravel()
    lower = np.where(known, value, 0.0)
    upper = np.where(known, value, np.inf)
    sums: list[np.ndarray] = []  # each a set of cells whose sum is served
    for t, release in enumerate(series):
        sums += [cell[t, c] for c in np.flatnonzero(totals[t])]
        sums += [cell[t, :, r] for r in np.flatnonzero(release.margins_served[:-1])]
        if release.margins_served[-1]:
            sums.append(cell[t].ravel())
    sums = [s for s in sums if not known[s].all()]
    # Counts only grow (where they did: a withdrawal can lower one): earlier <= later.
    earlier, later = cell[:-1].ravel(), cell[1:].ravel()
    grew = counts[:-1].ravel() <= counts[1:].ravel()
    earlier, later = earlier[grew], later[grew]
    both = ~known[earlier] & ~known[later]
    np.minimum.at(upper, earlier[~both & known[later]], value[later[~both & known[later]]])
    np.maximum.at(lower, later[~both & known[earlier]], value[earlier[~both & known[earlier]]])
    earlier, later = earlier[both], later[both]
    if held and releases.start:  # at least the count before the run, where it grew from it
        grew = (whole[releases.start - 1] <= counts[0]).ravel()
        lower[: grew.size][grew] = np.maximum(lower[: grew.size],
                                              whole[releases.start - 1].ravel())[grew]  # fmt: skip
    if held and releases.stop < len(whole):  # at most the count after it, where it grew to that
        grew = (counts[-1] <= whole[releases.stop]).ravel()
        upper[-grew.size :][grew] = np.minimum(upper[-grew.size :],
                                               whole[releases.stop].ravel())[grew]  # fmt: skip
    m = len(sums) + len(earlier)
    row_of = np.concatenate([np.repeat(np.arange(len(sums)), [len(s) for s in sums]),
                             np.repeat(np.arange(len(sums), m), 2)])  # fmt: skip
    cols = np.concatenate([*sums, np.column_stack([earlier, later]).ravel()])
    data = np.concatenate([np.ones(sum(len(s) for s in sums)),
                           np.tile([1.0, -1.0], len(earlier))])  # fmt: skip
    rows = sparse.csr_array((data, (row_of, cols)), shape=(m, n))
    sums_of = np.array([value[s].sum() for s in sums])
    return Program(rows, np.concatenate([sums_of, np.full(len(earlier), -np.inf)]),
                   np.concatenate([sums_of, np.zeros(len(earlier))]), lower, upper)  # fmt: skip


def _targets(counts: np.ndarray, served: np.ndarray, totals: np.ndarray, names: list[str],
             k: int) -> tuple[list[Leak], sparse.csr_array]:  # fmt: skip
    """Every count, total and newcomers of 1 to k-1 that no release served exactly, and
    each one's objective (a row over the flattened counts)."""
    shape = counts.shape
    n_t, n_c, roles = shape
    cell = np.arange(counts.size).reshape(shape)
    found: list[Leak] = []
    rows: list[tuple[np.ndarray, np.ndarray]] = []
    for t in range(n_t):
        for c in range(n_c):
            for role in [*range(roles), None]:
                which = slice(None) if role is None else [role]
                value = int(counts[t, c, which].sum())
                here = served[t, c, role] if role is not None else totals[t, c]
                if 0 < value < k and not here:
                    found.append(Leak(t, names[c], role, False, 0, 0))
                    rows.append((cell[t, c, which], np.ones(len(cell[t, c, which]))))
                if not t:
                    continue
                before = int(counts[t - 1, c, which].sum())
                there = served[t - 1, c, role] if role is not None else totals[t - 1, c]
                if 0 < value - before < k and not (here and there):
                    found.append(Leak(t, names[c], role, True, 0, 0))
                    width = len(cell[t, c, which])
                    rows.append((np.concatenate([cell[t, c, which], cell[t - 1, c, which]]),
                                 np.repeat([1.0, -1.0], width)))  # fmt: skip
    if not rows:
        return [], sparse.csr_array((0, counts.size))
    row_of = np.repeat(np.arange(len(rows)), [len(i) for i, _ in rows])
    matrix = sparse.csr_array((np.concatenate([v for _, v in rows]),
                               (row_of, np.concatenate([i for i, _ in rows]))),
                              shape=(len(rows), counts.size))  # fmt: skip
    return found, matrix


def leaks(series: Sequence[CountryRelease], k: int) -> list[Leak]:
    """What the series gives away: every target boxed within 1..k-1 (see the module)."""
    if not series:
        return []
    names, counts = _grid(series)
    served, totals = _served(series, names, counts.shape[2])
    targets, matrix = _targets(counts, served, totals, names, k)
    if not targets:
        return []
    # Points the facts allow (the truth, then each optimum found): a target one of them
    # puts at k or more (or at 0) is not boxed, without solving for it. Only the largest
    # and smallest value any point gave each target is kept.
    truth = counts.ravel().astype(float)
    high = matrix @ truth
    low = high.copy()
    released = np.array([target.release for target in targets])
    per_release = counts[0].size

    def open_now() -> np.ndarray:
        return (high < k - TOL) & (low > TOL)

    def settle(facts: Program, releases: range, chosen: np.ndarray) -> None:
        """Points that take as many chosen targets as they can to k at once, and as many
        as they can to 0, while a round settles enough. One solve settles many: a count
        withheld over a year between two served values has a newcomers target per month,
        each needing its own point at k (all the year's growth that month) but all but
        one settled by one point at 0 (all of it in the first month)."""
        columns = slice(releases.start * per_release, releases.stop * per_release)
        rows = matrix[chosen][:, columns]
        up, down = Capped(facts, rows, k), Capped(facts, -rows, 0.0)
        while True:
            before = open_now()[chosen]
            if not before.any():
                break
            for program in (up, down):
                point = program.point(open_now()[chosen])
                if point is not None:
                    whole = truth.copy()  # the true counts outside the run
                    whole[columns] = point
                    values = matrix @ whole
                    np.maximum(high, values, out=high)
                    np.minimum(low, values, out=low)
            if (before & ~open_now()[chosen]).sum() < ROUND_SETTLES * before.sum():
                break
        nonlocal solves
        solves += up.solved + down.solved

    # First over runs of releases (the others held at their true values), each a far
    # smaller program, settling the targets in its middle.
    solves = 0
    runs: list[tuple[range, np.ndarray]] = []
    if len(series) > WINDOW + 2 * MARGIN:
        for start in range(0, len(series), WINDOW):
            run = range(max(0, start - MARGIN), min(len(series), start + WINDOW + MARGIN))
            middle = (released >= start) & (released < start + WINDOW)
            runs.append((run, middle))
            if (middle & open_now()).any():
                settle(_facts(series, counts, served, totals, run), run, middle & open_now())
    # Then over the whole series, where more than a few are left (a count that stays
    # below k for years is settled only by moving every month of it).
    facts = _facts(series, counts, served, totals)
    if open_now().sum() > FEW or not runs:
        settle(facts, range(len(series)), open_now())
    # What is left is boxed within 1..k-1 where it is so over a run's facts alone (the
    # others' facts left out: a target boxed there is boxed in the whole, and found with
    # the run's bounds, which hold in the whole too); the whole series decides the rest.
    found: list[tuple[int, Leak]] = []
    for run, middle in runs:
        left = np.flatnonzero(middle & open_now())
        if not len(left):
            continue
        loose = _facts(series, counts, served, totals, run, held=False)
        columns = slice(run.start * per_release, run.stop * per_release)
        for i in left:
            objective = matrix[[i]][:, columns].toarray()[0]
            top = loose.maximum(objective)
            if np.floor(top + TOL) >= k:
                continue
            bottom = loose.minimum(objective)
            if np.ceil(bottom - TOL) >= 1:
                found.append((i, _found(targets[i], bottom, top)))
                high[i] = k  # decided
        solves += loose.solved

    def seen(point: np.ndarray | None) -> None:
        if point is not None:
            values = matrix @ point
            np.maximum(high, values, out=high)
            np.minimum(low, values, out=low)

    for i in np.flatnonzero(open_now()):
        if high[i] >= k - TOL or low[i] <= TOL:
            continue
        top = facts.maximum(matrix[[i]].toarray()[0])
        seen(facts.last_point)
        if np.floor(top + TOL) >= k or low[i] <= TOL:
            continue
        bottom = facts.minimum(matrix[[i]].toarray()[0])
        seen(facts.last_point)
        if np.ceil(bottom - TOL) >= 1:
            found.append((i, _found(targets[i], bottom, top)))
    facts.solved += solves
    return [leak for _, leak in sorted(found, key=lambda x: x[0])]


def _found(target: Leak, low: float, high: float) -> Leak:
    return Leak(target.release, target.country, target.role, target.newcomers, low, high)


def key(leak: Leak) -> tuple[int, str, int | None, bool]:
    """A leak's identity, whatever its bounds."""
    return leak.release, leak.country, leak.role, leak.newcomers
