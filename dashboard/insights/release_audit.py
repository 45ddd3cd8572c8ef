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
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from dashboard.insights.lp_ranges import Program

TOL = 1e-6


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
    roles = series[0].counts.shape[1]
    counts = np.zeros((len(series), len(names), roles), dtype=np.int64)
    for t, release in enumerate(series):
        for i, name in enumerate(release.names):
            counts[t, names.index(name)] = release.counts[i]
    return names, counts


def _facts(series: Sequence[CountryRelease], names: list[str], counts: np.ndarray) -> Program:
    shape = counts.shape
    n = counts.size

    def row(cells: Iterator[tuple[int, int, int]], sign: float = 1.0) -> np.ndarray:
        out = np.zeros(n)
        for cell in cells:
            out[np.ravel_multi_index(cell, shape)] += sign
        return out

    eq: list[tuple[np.ndarray, float]] = []
    ub: list[tuple[np.ndarray, float]] = []
    roles = range(shape[2])
    for t, release in enumerate(series):
        listed = {name: i for i, name in enumerate(release.names)}
        for c, name in enumerate(names):
            i = listed.get(name)
            for r in roles:
                if i is None or release.served[i, r]:
                    eq.append((row(iter([(t, c, r)])), float(counts[t, c, r])))
            if i is not None and release.total_served[i]:
                eq.append((row((t, c, r) for r in roles), float(counts[t, c].sum())))
        for r in roles:
            if release.margins_served[r]:
                eq.append((row((t, c, r) for c in range(shape[1])), float(counts[t, :, r].sum())))
        if release.margins_served[-1]:
            eq.append((row((t, c, r) for c in range(shape[1]) for r in roles),
                       float(counts[t].sum())))  # fmt: skip
        if t:
            for c in range(shape[1]):
                for r in roles:
                    if counts[t - 1, c, r] <= counts[t, c, r]:
                        ub.append((row(iter([(t - 1, c, r)])) - row(iter([(t, c, r)])), 0.0))
    return Program(n, eq, ub)


def _targets(series: Sequence[CountryRelease], names: list[str], counts: np.ndarray,
             k: int) -> Iterator[tuple[Leak, np.ndarray]]:  # fmt: skip
    """Every count, total and newcomers of 1 to k-1 that no release served exactly."""
    shape = counts.shape
    roles = shape[2]

    def cells(t: int, c: int, role: int | None) -> np.ndarray:
        out = np.zeros(counts.size)
        for r in range(roles) if role is None else (role,):
            out[np.ravel_multi_index((t, c, r), shape)] = 1.0
        return out

    def is_served(t: int, c: int, role: int | None) -> bool:
        release = series[t]
        if names[c] not in release.names:
            return True
        i = release.names.index(names[c])
        return bool(release.total_served[i] if role is None else release.served[i, role])

    for t in range(shape[0]):
        for c in range(shape[1]):
            for role in [*range(roles), None]:
                value = int(counts[t, c].sum() if role is None else counts[t, c, role])
                here = cells(t, c, role)
                if 0 < value < k and not is_served(t, c, role):
                    yield Leak(t, names[c], role, False, 0, 0), here
                if not t:
                    continue
                before = int(counts[t - 1, c].sum() if role is None else counts[t - 1, c, role])
                both = is_served(t, c, role) and is_served(t - 1, c, role)
                if 0 < value - before < k and not both:
                    yield Leak(t, names[c], role, True, 0, 0), here - cells(t - 1, c, role)


def leaks(series: Sequence[CountryRelease], k: int) -> list[Leak]:
    """What the series gives away: every target boxed within 1..k-1 (see the module)."""
    if not series:
        return []
    names, counts = _grid(series)
    facts = _facts(series, names, counts)
    # Points the facts allow (the truth, then each optimum found): a target one of them
    # puts at k or more (or at 0) is not boxed, without solving for it.
    points = [counts.ravel().astype(float)]
    targets = list(_targets(series, names, counts, k))
    if not targets:
        return []
    # Two programs that usually settle most targets at once: every target as large, and
    # as small, as the facts allow together.
    together = np.sum([objective for _, objective in targets], axis=0)
    for sign in (-1.0, 1.0):
        facts.minimum(sign * together)
        if facts.last_point is not None:
            points.append(facts.last_point)
    found = []
    for target, objective in targets:
        if max(float(p @ objective) for p in points) >= k - TOL:
            continue
        high = facts.maximum(objective)
        if facts.last_point is not None:
            points.append(facts.last_point)
        if np.floor(high + TOL) >= k:
            continue
        if min(float(p @ objective) for p in points) <= TOL:
            continue
        low = facts.minimum(objective)
        if facts.last_point is not None:
            points.append(facts.last_point)
        if np.ceil(low - TOL) >= 1:
            found.append(Leak(target.release, target.country, target.role, target.newcomers,
                              low, high))  # fmt: skip
    return found


def key(leak: Leak) -> tuple[int, str, int | None, bool]:
    """A leak's identity, whatever its bounds."""
    return leak.release, leak.country, leak.role, leak.newcomers
