"""What the audit of the country counts over every kept release costs as the history grows
(issue #14, known gap (d)): `release_audit.leaks` at a release with R - 1 kept before it.

A big network (`simulate`): a few large countries (thousands per role, growing about 1% a
month), many small ones (0..30 per role, a few joins a month), some listed only from a
later month (a country's first member), monthly joins drawn per country x role. Each
release goes through the real protection (`participation.country_table` with a fake
warehouse, as tests/insights/test_country_release_series.py drives it): the members
chart's role totals, the increments since the previous release's served values, and the
audit itself (which forces countries where it finds a leak), each release reading the
previous one's stored body. So the masks in the kept history are the ones the build
would have served.

For each R asked for, the audit at release R (R releases: R - 1 kept and this one) is then
timed on its own, with its peak of Python/numpy allocations (tracemalloc; HiGHS's own
memory is not in it, the process's peak RSS is printed at the end), the LP's size and
the number of LP solves.

    python -m benchmarks.release_audit_cost [--releases 12 24 60 120]
        [--countries 15 50] [--seed 0] [--k 11] [--no-audit-while-building]

`--no-audit-while-building` builds the history without the audit (the masks of the
protection alone): for timing an audit too slow to run at every release.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from dashboard.insights import participation, release_audit
from dashboard.insights.lp_ranges import Program
from dashboard.insights.release_audit import CountryRelease, leaks
from dashboard.warehouse.contract import ROLES


def simulate(seed: int, countries: int, releases: int) -> np.ndarray:
    """Members per release x country x role: running totals of monthly joins.

    Country sizes fall off like a power law (300,000 members, 37,500, 11,000, ...: 14 of
    90 or more) and grow about 1% of that a month, with now and then an event's 10..49
    more in a role; countries smaller than 90 start with 0..30 per role and gain 0.1..2 a
    month in all (most months bring a role nobody); one in five of those has nobody until
    a month drawn at random."""
    rng = np.random.default_rng(seed)
    shape = (countries, len(ROLES))
    share = np.array([0.5, 0.3, 0.2])  # people with MS, caregivers, others
    size = 300_000 / (1 + np.arange(countries)) ** 3.0  # members at the start
    start = np.where(size[:, None] >= 90, rng.poisson(size[:, None] * share, shape),
                     rng.integers(0, 31, shape))  # fmt: skip
    rate = np.maximum(size * 0.01, rng.uniform(0.1, 2.0, countries))  # joins a month
    late = (size < 90) & (rng.random(countries) < 0.2)
    first = np.where(late, rng.integers(1, max(releases, 2), countries), 0)
    joins = [start]
    for _ in range(releases - 1):
        step = rng.poisson(rate[:, None] * share, shape)
        burst = (size[:, None] >= 90) & (rng.random(shape) < 0.03)  # an event: 10..49 more
        joins.append(step + np.where(burst, rng.integers(10, 50, shape), 0))
    months = np.arange(releases)[:, None, None]
    joined = np.where(months >= first[None, :, None], np.array(joins, dtype=np.int64), 0)
    return np.cumsum(joined, axis=0)


def month(t: int) -> dt.date:
    return dt.date(2020 + t // 12, 1 + t % 12, 1)


class Release:
    """What `country_table` reads in release t: that month's counts per country x role,
    every month's joins per role (the members chart), the previous release's body."""

    building = False

    def __init__(self, counts: np.ndarray, names: list[str], t: int,
                 previous: str | None) -> None:  # fmt: skip
        self.counts, self.names, self.t, self.previous = counts, names, t, previous
        self.memo: dict[Any, Any] = {}
        self.snap = SimpleNamespace(build_id=f"b{t}", as_of=str(month(t + 1)), network="")

    def run_named(self, name: str, params: dict[str, Any]) -> tuple[pd.DataFrame, Any]:
        if name == "country_members":  # GROUP BY: no row where nobody is
            rows = [(c, role, int(self.counts[self.t, i, j]))
                    for i, c in enumerate(self.names) for j, role in enumerate(ROLES)
                    if self.counts[self.t, i, j]]  # fmt: skip
            return pd.DataFrame(rows, columns=["country", "role", "members"]), self.snap
        if name == "member_months":
            column = self.counts[: self.t + 1].sum(axis=1)
            new = np.diff(column, axis=0, prepend=0)
            rows = [(month(s), role, int(new[s, j]))
                    for s in range(self.t + 1) for j, role in enumerate(ROLES)
                    if new[s, j]]  # fmt: skip
            return pd.DataFrame(rows, columns=["month", "role", "members"]), self.snap
        assert name == "previous_result", name
        empty = pd.DataFrame(columns=["body", "previous_as_of"])
        if params["chart"] != participation.COUNTRY_TABLE or self.previous is None:
            return empty, self.snap  # the members chart decides each month from before it
        body = {"body": [self.previous], "previous_as_of": [str(month(self.t))]}
        return pd.DataFrame(body), self.snap

    def run_static(self, name: str, params: dict[str, Any]) -> pd.DataFrame:
        return pd.DataFrame(columns=["kind", "label", "round_id", "starts_on", "ends_on"])

    def remember(self, key: Any, compute: Callable[[], Any]) -> Any:
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]

    def snapshot(self) -> SimpleNamespace:
        return self.snap


@contextmanager
def patched(module: Any, name: str, value: Any) -> Iterator[None]:
    old = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, old)


def history(counts: np.ndarray, k: int, audit: bool) -> tuple[list[CountryRelease], list[float]]:
    """Every release through the real protection; the kept releases and each build's time
    in `country_table` (audit included)."""
    names = [f"C{i:02d}" for i in range(counts.shape[1])]
    previous: str | None = None
    found = None
    seconds = []
    with patched(participation, "leaks", participation.leaks if audit else lambda *_: []):
        for t in range(counts.shape[0]):
            wh = Release(counts, names, t, previous)
            start = time.perf_counter()
            found = participation.country_table(wh, k)  # type: ignore[arg-type]
            seconds.append(time.perf_counter() - start)
            previous = participation.encode_country_table(found)
    assert found is not None
    return found.history, seconds


class Counted(Program):
    """The audit's Program, counting its LPs and solves."""

    made: ClassVar[list[Counted]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        Counted.made.append(self)


def measure(series: list[CountryRelease], k: int) -> dict[str, float]:
    """One audit of the whole series: seconds, LP size, solves; then the same audit again
    for its peak of Python/numpy allocations (tracemalloc slows Python code, so not
    timed)."""
    Counted.made = []
    with patched(release_audit, "Program", Counted):
        start = time.perf_counter()
        found = leaks(series, k)
        seconds = time.perf_counter() - start
        lp = max(Counted.made, key=lambda p: p.n) if Counted.made else None  # the whole
        solves = sum(p.solved for p in Counted.made)
        tracemalloc.start()
        leaks(series, k)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return {"seconds": seconds, "peak_mb": peak,
            "variables": lp.n if lp else 0, "rows": lp._lp.num_row_ if lp else 0,
            "solves": solves, "leaks": len(found)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, nargs="+", default=[12, 24, 60, 120])
    parser.add_argument("--countries", type=int, nargs="+", default=[15, 50])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--k", type=int, default=11)
    parser.add_argument("--no-audit-while-building", action="store_true")
    args = parser.parse_args()
    audit = not args.no_audit_while_building
    print("countries releases  seconds  peak_MB  variables  rows  solves  leaks  build_s")
    for countries in args.countries:
        counts = simulate(args.seed, countries, max(args.releases))
        start = time.perf_counter()
        series, build = history(counts, args.k, audit)
        built = time.perf_counter() - start
        withheld = np.mean(np.concatenate([~r.served.ravel() for r in series]))
        sizes = counts[-1].sum(axis=1)
        print(f"# {countries} countries: {max(args.releases)} releases built in {built:.1f} s "
              f"(audit {'on' if audit else 'off'}), {withheld:.1%} of role cells withheld, "
              f"{sizes.sum():,} members at the end, {(sizes < 100).sum()} countries under "
              f"100, the largest {sizes.max():,}")  # fmt: skip
        for releases in args.releases:
            m = measure(series[:releases], args.k)
            print(f"{countries:9d} {releases:8d} {m['seconds']:8.2f} {m['peak_mb']:8.1f} "
                  f"{m['variables']:10d} {m['rows']:5d} {m['solves']:7d} {m['leaks']:6d} "
                  f"{build[releases - 1]:8.2f}", flush=True)  # fmt: skip
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"# process peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
