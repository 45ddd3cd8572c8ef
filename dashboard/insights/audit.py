"""Audit of disclosure control by linear programming: can a withheld small count be boxed?

Disclosure control (disclosure.py) decides cell by cell what to withhold. This
module checks the result from the attacker's side, over everything one round's
`priorities` chart serves: every filter set the data API accepts is asked
through the Engine (the same rows the API serves), and every served count
becomes an equation over the finest cells (who x age band x years since
diagnosis x sex x country). For each withheld count whose true value is 1..k-1
it then asks scipy's HiGHS for the smallest and largest value consistent with
every served count. Protection holds when the largest is at least k: the
attacker cannot tell the count from a group of k or more.

The attacker knows what the API tells anyone: served counts (a served zero is
zero), that counts are non-negative, that "chose it" is at most the voters (or
raters), and nothing else about a withheld group. `knows_nonempty` and
`knows_empty` add what telling "too few members" from "no members" added
before those messages read the same: which withheld groups have voters.

Simplifications, each of which makes the attacker weaker (so a clean audit is
evidence, not proof): each question is solved on its own (voter counts and
that question's counts together; the voters' choices across questions, e.g.
"at most N picks each", are not linked), group voter counts are bounded by the
voter counts alone, rate rounds' voter counts (never served) are unbounded,
`topic` and `method` are not enumerated (they change no count: questions are
protected one by one), and `priorities-by-group` is not asked separately (it
serves the same protected tables as `priorities` with the compared filter
set). `max_sets` caps how many filter sets are asked; the report says so.
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from dashboard.catalogue import CATALOGUE
from dashboard.config import Settings
from dashboard.engine import Engine
from dashboard.filters import GROUP_DIMS, GROUP_VALUES, WHO_DIMS, FilterError, Filters
from dashboard.insights.cube import WHO_BLOCKS, WHO_FINE, WHO_LABEL
from dashboard.insights.lp_ranges import system
from dashboard.insights.priorities import list_rounds
from dashboard.insights.vote_methods import vote_method, widest_interval

CHART = "priorities"
FINE_DIMS = ("who", "age_band", "duration_band", "sex", "country")
TOL = 1e-6


# ---------------------------------------------------------------------------
# Finest cells and the groups filter sets name.


@dataclass(frozen=True)
class Grid:
    """Every finest cell of a round (who x age x duration x sex x country), by codes."""

    values: dict[str, tuple[str, ...]]
    codes: dict[str, np.ndarray]

    @classmethod
    def build(cls, countries: Sequence[str]) -> Grid:
        values = {"who": WHO_FINE, **{d: GROUP_VALUES[d] for d in FINE_DIMS[1:-1]},
                  "country": tuple(countries)}  # fmt: skip
        shape = tuple(len(values[d]) for d in FINE_DIMS)
        flat = np.unravel_index(np.arange(int(np.prod(shape))), shape)
        return cls(values, dict(zip(FINE_DIMS, flat, strict=True)))

    @property
    def n(self) -> int:
        return len(self.codes["who"])

    def mask(self, group: dict[str, str]) -> np.ndarray:
        """The finest cells inside the group a filter set names."""
        out = np.ones(self.n, dtype=bool)
        for dim, value in group.items():
            if dim in WHO_DIMS:
                category = WHO_LABEL[(dim, value)]
                fine = WHO_BLOCKS.get(category, (category,))
                out &= np.isin(self.codes["who"], [WHO_FINE.index(f) for f in fine])
            elif value in self.values[dim]:
                out &= self.codes[dim] == self.values[dim].index(value)
            else:
                out[:] = False
        return out

    def index(self, who: str, age: str, duration: str, sex: str, country: str) -> int:
        named = (who, age, duration, sex, country)
        pos = [self.values[d].index(v) for d, v in zip(FINE_DIMS, named, strict=True)]
        return int(np.ravel_multi_index(pos, [len(self.values[d]) for d in FINE_DIMS]))


# ---------------------------------------------------------------------------
# What the API serves for one round.


def filter_sets(countries: Sequence[str], dims: Sequence[str] = GROUP_DIMS) -> Iterator[dict]:
    """Every voter filter set the API allows, coarsest first (at most one who dim)."""
    axes: list[list[tuple[str, str]]] = []
    who = [(d, v) for d in WHO_DIMS if d in dims for v in GROUP_VALUES[d]]
    if who:
        axes.append(who)
    for dim in GROUP_DIMS:
        if dim in WHO_DIMS or dim not in dims:
            continue
        axes.append([(dim, v) for v in (countries if dim == "country" else GROUP_VALUES[dim])])
    for size in range(4):
        for combo in itertools.combinations(axes, size):
            for pairs in itertools.product(*combo):
                yield dict(pairs)


@dataclass
class Count:
    """One count the audit follows: served (value) or withheld (true value known here)."""

    filters: dict[str, str]
    question: str | None  # None: the group's voter count
    field: str  # row field, "voters" for a group, or "<base>-<count>" for "did not choose"
    part: str  # "v" (voters/raters), "x" (chose it), "v-x" (did not choose it)
    group: int  # index into Served.groups
    value: int  # served or true value


@dataclass
class Served:
    """Everything one round's enumeration collected."""

    round_id: str
    method: str
    k: int
    grid: Grid
    groups: list[np.ndarray] = field(default_factory=list)
    facts: list[Count] = field(default_factory=list)
    withheld: list[Count] = field(default_factory=list)
    nonempty: list[int] = field(default_factory=list)  # withheld groups with voters
    empty: list[int] = field(default_factory=list)  # withheld groups with no voters
    allowed: int = 0
    asked: int = 0
    skipped_empty: int = 0
    capped: bool = False
    seconds: float = 0.0
    _ids: dict[bytes, int] = field(default_factory=dict)

    def group(self, mask: np.ndarray) -> int:
        key = np.packbits(mask).tobytes()
        if key not in self._ids:
            self._ids[key] = len(self.groups)
            self.groups.append(mask)
        return self._ids[key]


def _truth(engine: Engine, grid: Grid, round_id: str) -> tuple[np.ndarray, dict, dict]:
    """True voters, and per question chosen (or raters) and rated 4-5, per finest cell."""
    cell = ("CASE WHEN role = 'person_with_ms' THEN ms_type ELSE role END, age_band, "
            "duration_band, sex, country")  # fmt: skip
    voters = np.zeros(grid.n, dtype=np.int64)
    df, _ = engine.warehouse.query(
        f"SELECT {cell}, sum(voters) FROM voter_cube WHERE round_id = $r GROUP BY ALL",
        {"r": round_id},
    )
    for row in df.itertuples(index=False):
        voters[grid.index(*row[:5])] += int(row[5])
    chosen: dict[str, np.ndarray] = {}
    top2: dict[str, np.ndarray] = {}
    df, _ = engine.warehouse.query(
        f"SELECT question_id, {cell}, sum(voters), sum(top2) FROM vote_cube "
        "WHERE round_id = $r GROUP BY ALL",
        {"r": round_id},
    )
    for row in df.itertuples(index=False):
        q = str(row[0])
        i = grid.index(*row[1:6])
        chosen.setdefault(q, np.zeros(grid.n, dtype=np.int64))[i] += int(row[6])
        top2.setdefault(q, np.zeros(grid.n, dtype=np.int64))[i] += int(row[7] or 0)
    return voters, chosen, top2


def collect(
    engine: Engine,
    round_id: str,
    max_sets: int | None = None,
    dims: Sequence[str] = GROUP_DIMS,
) -> Served:
    """Ask the priorities chart for every allowed filter set of a round; keep its counts.

    A filter set one filter finer than an empty group is empty too and is not
    asked: its answer (the group is withheld) is implied by the coarser one's.
    Whether a withheld group is empty comes from the warehouse: the API no
    longer tells (see `audit`'s `knows_nonempty` and `knows_empty`).
    """
    start = time.perf_counter()
    rnd = next(r for r in list_rounds(engine.warehouse) if r.round_id == round_id)
    vote = vote_method(rnd.method)
    df, _ = engine.warehouse.query("SELECT DISTINCT country FROM voter_cube ORDER BY 1")
    countries = [str(c) for c in df["country"]]
    grid = Grid.build(countries)
    voters, chosen, top2 = _truth(engine, grid, round_id)
    # True values by the row fields a method serves: v is the base, x the support count.
    truth_v = dict.fromkeys(chosen, voters) if vote.serves_voters else chosen
    truth_x = chosen if vote.serves_voters else top2
    base, count = vote.support_base, vote.support_count
    out = Served(round_id, rnd.method, engine.k, grid)
    allowed = CATALOGUE[CHART].filters
    empty: set[frozenset] = set()
    for group in filter_sets(countries, dims):
        out.allowed += 1
        try:
            Filters.parse({"round": round_id, **group}, allowed=allowed)
        except FilterError:  # pragma: no cover - filter_sets yields only allowed sets
            continue
        key = frozenset(group.items())
        mask = grid.mask(group)
        true_voters = int(voters[mask].sum())
        if true_voters == 0 and any(key - {p} in empty for p in key):
            empty.add(key)  # inside an empty group: asked, it says what the coarser one said
            out.skipped_empty += 1
            continue
        if max_sets is not None and out.asked >= max_sets:
            out.capped = True
            continue
        out.asked += 1
        result = engine.run(CHART, {"round": round_id, **group})
        g = out.group(mask)
        if result.message:  # the group is withheld: empty and small groups read the same
            if true_voters == 0:
                empty.add(key)
                out.empty.append(g)
            else:
                out.nonempty.append(g)
                out.withheld.append(Count(group, None, "voters", "v", g, true_voters))
            continue
        for row in result.rows:
            q = row["question_id"]
            gone = set(row.get("suppressed", ()))
            true_v, true_x = int(truth_v[q][mask].sum()), int(truth_x[q][mask].sum())
            qv = None if vote.serves_voters else q  # whose v: the round's voters, or q's raters
            for name, part, true in ((base, "v", true_v), (count, "x", true_x)):
                if name in gone:
                    out.withheld.append(Count(group, q if part == "x" else qv, name, part, g,
                                              true))  # fmt: skip
                else:
                    if row[name] != true:
                        raise AssertionError(f"{group} {q} {name}: served {row[name]} != {true}")
                    out.facts.append(Count(group, q if part == "x" else qv, name, part, g, true))
            if count in gone and base not in gone:
                out.withheld.append(Count(group, q, f"{base}-{count}", "v-x", g, true_v - true_x))
    out.seconds = time.perf_counter() - start
    return out


# ---------------------------------------------------------------------------
# The audit.


@dataclass
class Finding:
    """A withheld small count and the range an attacker can narrow it to."""

    count: Count
    low: float
    high: float

    def describe(self) -> str:
        where = ", ".join(f"{d}={v}" for d, v in self.count.filters.items()) or "everyone"
        q = f" {self.count.question}" if self.count.question else ""
        return (f"[{where}]{q} {self.count.field} = {self.count.value}: "
                f"attacker range [{self.low:g}, {self.high:g}]")  # fmt: skip


@dataclass
class Report:
    """Figures of one audit (one round, one attacker model)."""

    round_id: str
    method: str
    k: int
    knows_nonempty: bool
    knows_empty: bool
    allowed: int
    asked: int
    skipped_empty: int
    capped: bool
    findings: list[Finding]
    variables: int
    lps: int
    collect_seconds: float
    solve_seconds: float

    @property
    def boxed(self) -> list[Finding]:
        """Withheld small counts the attacker can prove are below k."""
        return [f for f in self.findings if f.high < self.k - TOL]

    @property
    def pinned(self) -> list[Finding]:
        """Withheld small counts the attacker can work out exactly."""
        return [f for f in self.findings if f.high - f.low < 1 - TOL and f.high < np.inf]

    @property
    def known_nonzero(self) -> list[Finding]:
        """Withheld small counts the attacker can prove are not zero."""
        return [f for f in self.findings if f.low > TOL]

    def summary(self) -> str:
        knows = [w for w, on in (("non-empty", self.knows_nonempty), ("empty",
                 self.knows_empty)) if on]  # fmt: skip
        model = f"knows which withheld groups are {' or '.join(knows)}" if knows else "base"
        cap = " (capped)" if self.capped else ""
        return (f"round {self.round_id} ({self.method}), attacker: {model}: "
                f"{self.asked} of {self.allowed} filter sets asked{cap}, "
                f"{self.skipped_empty} implied empty; {len(self.findings)} withheld counts "
                f"of 1..{self.k - 1}; boxed below k: {len(self.boxed)}; pinned: "
                f"{len(self.pinned)}; known non-zero: {len(self.known_nonzero)}; "
                f"at most {self.variables} LP variables, {self.lps} LPs; "
                f"{self.collect_seconds:.1f} s asking, "
                f"{self.solve_seconds:.1f} s solving")  # fmt: skip


def _classes(masks: Sequence[np.ndarray]) -> sparse.csr_array:
    """Merge finest cells no group of one system tells apart: an exact reduction.

    Cells in exactly the same groups enter every fact and objective together, so
    their sums are the only unknowns that matter (any split of a feasible sum is
    feasible, and "chose it <= voters" holds for a sum if it does cell by cell).
    Returns each group's incidence over the merged cells.
    """
    m = np.vstack(masks)  # groups x cells
    _, first = np.unique(np.packbits(m.T, axis=1), axis=0, return_index=True)
    return sparse.csr_array(m[:, np.sort(first)].astype(float))


def audit(served: Served, knows_nonempty: bool = False, knows_empty: bool = False) -> Report:
    """Range of every withheld count of 1..k-1 given everything served.

    One system for the round's voter counts (pick, rank), one per question for
    its voters (or raters) and support counts together; each over the cells its
    own groups tell apart.
    """
    start = time.perf_counter()
    k = served.k
    shared = vote_method(served.method).serves_voters
    # Served facts, once each, by whose counts they are: (None, "v") the round's voters;
    # (q, "v") a rate question's raters; (q, "x") a question's support count.
    facts: dict[tuple[str | None, str], dict[int, float]] = {}
    for fact in served.facts:
        facts.setdefault((fact.question, fact.part), {})[fact.group] = fact.value
    empty = dict.fromkeys(served.empty, 0.0) if knows_empty else {}
    # A group's voter count bounds raters only from above: "non-empty" adds nothing there.
    nonempty = sorted(set(served.nonempty)) if knows_nonempty and shared else []
    small: dict[str | None, list[Count]] = {}
    findings: list[Finding] = []
    for c in served.withheld:
        if not 0 < c.value < k:
            continue
        if c.question is None and not shared:  # a rate round's voters: never served at all
            findings.append(Finding(c, 0.0, np.inf))
        else:
            small.setdefault(c.question, []).append(c)
    variables = lps = 0
    for q, counts in small.items():
        v = {**facts.get((None if shared else q, "v"), {}), **empty}
        x = facts.get((q, "x"), {}) if q is not None else {}
        goals = sorted({c.group for c in counts})
        groups = [*v, *x, *nonempty, *goals]
        inc = _classes([served.groups[g] for g in groups])
        m = inc.shape[1]
        at = {g: i for i, g in enumerate(groups)}  # any row of the group: all are equal
        width = 1 if q is None else 2
        z = sparse.csr_array((1, m))

        def row(
            g: int,
            part: str,
            inc: sparse.csr_array = inc,
            z: sparse.csr_array = z,
            at: dict[int, int] = at,
            width: int = width,
        ) -> sparse.csr_array:
            r = inc[[at[g]], :]
            if width == 1:
                return r
            return sparse.hstack({"v": [r, z], "x": [z, r], "v-x": [r, -r]}[part]).tocsr()

        eq = [(row(g, "v"), val) for g, val in v.items()]
        eq += [(row(g, "x"), val) for g, val in x.items()]
        ub = [(-row(g, "v"), -1.0) for g in nonempty]
        if width == 2:  # chose it (or rated it 4-5) <= voters (raters), cell by cell
            le = sparse.hstack([-sparse.eye_array(m), sparse.eye_array(m)]).tocsr()
            ub += [(le[[i]], 0.0) for i in range(m)]
        sys_ = system(m * width, eq, ub)  # the facts are loaded into HiGHS at first use
        for c in counts:
            low, high = sys_.range(row(c.group, c.part).toarray().ravel())
            findings.append(Finding(c, low, high))
        variables = max(variables, m * width)
        lps += sys_.solved
    return Report(served.round_id, served.method, k, knows_nonempty, knows_empty, served.allowed,
                  served.asked, served.skipped_empty, served.capped, findings, variables,
                  lps, served.seconds, time.perf_counter() - start)  # fmt: skip


# ---------------------------------------------------------------------------
# Rate rounds: the count of each rating value (consensus, median rule).

# What a served or withheld field says about the counts of ratings 1..5 of one group.
RATING_PARTS: dict[str, tuple[int, ...]] = {
    "raters": (1, 1, 1, 1, 1),
    "rated_4_or_5": (0, 0, 0, 1, 1),
    "rated_1_or_2": (1, 1, 0, 0, 0),
    "rated_3": (0, 0, 1, 0, 0),  # raters minus the two above, when all three are served
    **{f"rated_{j}": tuple(int(i == j) for i in range(1, 6)) for j in (1, 2, 4, 5)},
}
# What `priorities` serves beside the raters: the mean (sum of ratings) and its
# t-interval (with the mean, the sum of squared ratings).
MEAN_PARTS: dict[str, tuple[int, ...]] = {"value_sum": (1, 2, 3, 4, 5),
                                          "value_sq_sum": (1, 4, 9, 16, 25)}  # fmt: skip


@dataclass
class RatingCount:
    """One linear function of a group's rating counts the audit follows."""

    filters: dict[str, str]
    question: str
    field: str
    coef: tuple[int, ...]  # over ratings 1..5
    group: int
    value: int


def mean_facts(row: dict[str, Any], bottom2: int | None) -> tuple[str, ...]:
    """Which of MEAN_PARTS a served `priorities` row's mean rating and interval give.

    The mean gives the sum of ratings. Its interval gives the sum of squares, unless it
    is the widest interval (`widest_interval`) of values anyone can read: raters, rated
    4-5, rated 1-2 (`bottom2`, from `consensus`; None where withheld) and that sum. Then
    it says nothing more and only the sum is given.
    """
    n = int(row["raters"])
    value_sum = round(row["mean_rating"] * n)
    if bottom2 is not None and n >= 2:
        low, high = widest_interval(n, value_sum, int(row["rated_4_or_5"]), bottom2)
        if (low, high) == (row["mean_low"], row["mean_high"]):
            return ("value_sum",)
    return ("value_sum", "value_sq_sum")


def _groups_to_ask(
    out: Served, round_id: str, chart: str, dims: Sequence[str], countries: Sequence[str],
    truth: dict[str, np.ndarray], max_sets: int | None,
) -> Iterator[tuple[dict[str, str], np.ndarray]]:  # fmt: skip
    """Every allowed filter set of the round with someone in it, up to `max_sets` asked,
    with its mask over the finest cells; counted in `out` (allowed, skipped, asked)."""
    allowed = CATALOGUE[chart].filters
    for group in filter_sets(countries, dims):
        out.allowed += 1
        Filters.parse({"round": round_id, **group}, allowed=allowed)
        mask = out.grid.mask(group)
        if not any(truth[q][..., mask].any() for q in truth) and group:
            out.skipped_empty += 1  # nobody answered anything: every value is 0 or withheld
            continue
        if max_sets is not None and out.asked >= max_sets:
            out.capped = True
            continue
        out.asked += 1
        yield group, mask


def _record(
    out: Served, group: dict[str, str], q: str, parts: dict[str, tuple[int, ...]],
    true: np.ndarray, row: dict[str, Any] | None, served: set[str], g: int,
    withheld: Callable[[str], bool] = lambda name: True,
) -> None:  # fmt: skip
    """Each linear count of `parts` of one question in one group: a fact where served
    (checked against the true value), else withheld where `withheld(name)`."""
    for name, coef in parts.items():
        value = int(np.dot(coef, true))
        fact = RatingCount(group, q, name, coef, g, value)
        if name in served:
            if row and name in row and row[name] != value:
                raise AssertionError(f"{group} {q} {name}: served {row[name]} != {value}")
            out.facts.append(fact)  # type: ignore[arg-type]
        elif withheld(name):
            out.withheld.append(fact)  # type: ignore[arg-type]


def _rating_truth(engine: Engine, grid: Grid, round_id: str) -> dict[str, np.ndarray]:
    """Per question, how many rated it 1, 2, 3, 4, 5 in each finest cell: (5, cells)."""
    cell = ("CASE WHEN role = 'person_with_ms' THEN ms_type ELSE role END, age_band, "
            "duration_band, sex, country")  # fmt: skip
    df, _ = engine.warehouse.query(
        f"SELECT question_id, {cell}, sum(bottom1), sum(bottom2) - sum(bottom1), "
        "sum(voters) - sum(top2) - sum(bottom2), sum(top2) - sum(top1), sum(top1) "
        "FROM vote_cube WHERE round_id = $r GROUP BY ALL",
        {"r": round_id},
    )
    out: dict[str, np.ndarray] = {}
    for row in df.itertuples(index=False):
        counts = out.setdefault(str(row[0]), np.zeros((5, grid.n), dtype=np.int64))
        counts[:, grid.index(*row[1:6])] += [int(v or 0) for v in row[6:11]]
    return out


def collect_ratings(
    engine: Engine,
    round_id: str,
    max_sets: int | None = None,
    dims: Sequence[str] = GROUP_DIMS,
    means: bool = False,
    medians: bool = True,
) -> Served:
    """Ask `consensus` under the median rule for every allowed filter set of a rate round.

    Served facts: raters, rated 4-5 and rated 1-2 where served (rated 3 where all
    three are), and where the median is served all five rating counts: the median
    and quartiles are functions of them, so the attacker is given more than they
    say. `means`: also the sum and sum of squares of ratings wherever `priorities`
    serves the mean rating and its interval (they follow from it). Withheld: every
    other of these counts, in served and in withheld groups. `Served.facts` and
    `withheld` hold `RatingCount`s. `medians=False` leaves the medians out (to
    measure what they add).
    """
    from dashboard.insights.consensus import quantile

    start = time.perf_counter()
    df, _ = engine.warehouse.query("SELECT DISTINCT country FROM voter_cube ORDER BY 1")
    countries = [str(c) for c in df["country"]]
    grid = Grid.build(countries)
    truth = _rating_truth(engine, grid, round_id)
    rnd = next(r for r in list_rounds(engine.warehouse) if r.round_id == round_id)
    out = Served(round_id, rnd.method, engine.k, grid)
    for group, mask in _groups_to_ask(out, round_id, "consensus", dims, countries, truth,
                                      max_sets):  # fmt: skip
        args = {"round": round_id, "consensus_rule": "median_iqr", **group}
        result = engine.run("consensus", args)
        g = out.group(mask)
        rows = {r["question_id"]: r for r in result.rows}
        mean_rows = ({r["question_id"]: r for r in engine.run("priorities", {
            "round": round_id, **group}).rows} if means and not result.message else {})  # fmt: skip
        for q, counts in truth.items():
            true = counts[:, mask].sum(axis=1)
            row = rows.get(q)
            gone = set(row.get("suppressed", ())) if row else set(RATING_PARTS)
            served = {f for f in ("raters", "rated_4_or_5", "rated_1_or_2") if f not in gone}
            if len(served) == 3:
                served.add("rated_3")
            if row and medians and "median" not in gone:
                served |= {f"rated_{j}" for j in (1, 2, 4, 5)} | {"rated_3"}
                if true.sum() and row["median"] != quantile(tuple(true), 0.5):
                    raise AssertionError(f"{group} {q}: served median {row['median']}")
            _record(out, group, q, RATING_PARTS, true, row, served, g)
            ranked = mean_rows.get(q)
            if ranked and ranked.get("mean_rating") is not None:
                bottom2 = None if "rated_1_or_2" in gone else int(np.dot(RATING_PARTS[
                    "rated_1_or_2"], true))  # fmt: skip
                if round(ranked["mean_rating"] * int(ranked["raters"])) != np.dot(
                        MEAN_PARTS["value_sum"], true):  # fmt: skip
                    raise AssertionError(f"{group} {q}: served mean {ranked['mean_rating']}")
                for name in mean_facts(ranked, bottom2):
                    coef = MEAN_PARTS[name]
                    out.facts.append(RatingCount(group, q, name, coef, g,  # type: ignore[arg-type]
                                                 int(np.dot(coef, true))))  # fmt: skip
    out.seconds = time.perf_counter() - start
    return out


def _position_truth(engine: Engine, grid: Grid, round_id: str) -> dict[str, np.ndarray]:
    """Per question, how many ranked it 1st, 2nd, ... in each finest cell: (m, cells)."""
    cell = ("CASE WHEN role = 'person_with_ms' THEN ms_type ELSE role END, age_band, "
            "duration_band, sex, country")  # fmt: skip
    df, _ = engine.warehouse.query(
        f"SELECT question_id, {cell}, position, sum(ranked) FROM rank_position_cube "
        "WHERE round_id = $r GROUP BY ALL",
        {"r": round_id},
    )
    m = int(df["position"].max()) if not df.empty else 1
    out: dict[str, np.ndarray] = {}
    for row in df.itertuples(index=False):
        counts = out.setdefault(str(row[0]), np.zeros((m, grid.n), dtype=np.int64))
        counts[int(row[6]) - 1, grid.index(*row[1:6])] += int(row[7])
    return out


def collect_positions(
    engine: Engine, round_id: str, max_sets: int | None = None,
    dims: Sequence[str] = GROUP_DIMS,
) -> Served:  # fmt: skip
    """Ask `priorities` for every allowed filter set of a rank round: the per-position
    counts (how many ranked a question 1st, 2nd, ...) are the unknowns.

    Served facts: the rankers where served, and wherever the Borda points are served,
    the points and the sum of squared points (from their mean and t-interval), all
    linear in the position counts. Withheld: the rankers where withheld, and every
    position count (none is served). `Served.facts` and `withheld` hold `RatingCount`s
    whose `coef` runs over positions 1..m.
    """
    start = time.perf_counter()
    df, _ = engine.warehouse.query("SELECT DISTINCT country FROM voter_cube ORDER BY 1")
    countries = [str(c) for c in df["country"]]
    grid = Grid.build(countries)
    truth = _position_truth(engine, grid, round_id)
    rnd = next(r for r in list_rounds(engine.warehouse) if r.round_id == round_id)
    m = next(iter(truth.values())).shape[0] if truth else 1
    top = int(rnd.max_choices or m)
    points = tuple(top + 1 - p for p in range(1, m + 1))
    parts: dict[str, tuple[int, ...]] = {
        "ranked": (1,) * m, "points": points, "points_sq": tuple(w * w for w in points),
        **{f"ranked_{p}": tuple(int(i == p) for i in range(1, m + 1)) for p in range(1, m + 1)},
    }  # fmt: skip
    out = Served(round_id, rnd.method, engine.k, grid)
    for group, mask in _groups_to_ask(out, round_id, CHART, dims, countries, truth, max_sets):
        rows = {r["question_id"]: r for r in engine.run(CHART, {"round": round_id,
                                                                 **group}).rows}  # fmt: skip
        g = out.group(mask)
        for q, counts in truth.items():
            true = counts[:, mask].sum(axis=1)
            row = rows.get(q) or {}
            gone = set(row.get("suppressed", ())) if row else {"ranked", "points"}
            served = {f for f in ("ranked", "points") if f not in gone and row.get(f) is not None}
            if "points" in served:
                served.add("points_sq")
            _record(out, group, q, parts, true, row, served, g,
                    withheld=lambda name: name != "points_sq")  # fmt: skip
    out.seconds = time.perf_counter() - start
    return out


def audit_ratings(served: Served) -> Report:
    """Range of every withheld rating count of 1..k-1 (`collect_ratings`), per question.

    Unknowns: how many in each merged cell gave each rating (5 per cell, non-negative),
    or, from `collect_positions`, ranked it at each position (m per cell).
    """
    start = time.perf_counter()
    k = served.k
    facts: dict[str, list[RatingCount]] = {}
    for fact in served.facts:
        facts.setdefault(fact.question, []).append(fact)  # type: ignore[arg-type]
    small: dict[str, list[RatingCount]] = {}
    for c in served.withheld:
        if 0 < c.value < k:
            small.setdefault(c.question, []).append(c)  # type: ignore[arg-type]
    findings: list[Finding] = []
    variables = lps = 0
    for q, counts in small.items():
        known = facts.get(q, [])
        groups = list(dict.fromkeys([*(f.group for f in known), *(c.group for c in counts)]))
        inc = _classes([served.groups[g] for g in groups])
        at = {g: i for i, g in enumerate(groups)}
        m = inc.shape[1]

        def row(c: RatingCount, inc: sparse.csr_array = inc,
                at: dict[int, int] = at) -> sparse.csr_array:  # fmt: skip
            r = inc[[at[c.group]], :]
            return sparse.hstack([r * float(w) for w in c.coef]).tocsr()

        width = len(counts[0].coef)  # values per cell: 5 ratings, or m positions
        sys_ = system(m * width, [(row(f), f.value) for f in known])
        for c in counts:
            low, high = sys_.range(row(c).toarray().ravel())
            findings.append(Finding(c, low, high))  # type: ignore[arg-type]
        variables = max(variables, m * width)
        lps += sys_.solved
    return Report(served.round_id, served.method, k, False, False, served.allowed,
                  served.asked, served.skipped_empty, served.capped, findings, variables,
                  lps, served.seconds, time.perf_counter() - start)  # fmt: skip


def engine_for(warehouse: Path, k: int = 11) -> Engine:
    """An Engine over a warehouse file, as tests/conftest.py builds one (no shared cache)."""
    settings = Settings(warehouse=Path(warehouse), k=k, query_timeout_s=30, network_name="")
    return Engine(settings, shared=None)


def main(argv: Sequence[str] | None = None) -> None:
    """Print the audit's figures for one round (both attacker models)."""
    parser = argparse.ArgumentParser(prog="python -m dashboard.insights.audit",
                                     description=__doc__.splitlines()[0])  # fmt: skip
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--round", required=True, dest="round_id")
    parser.add_argument("--max-sets", type=int, default=None, help="cap the filter sets asked")
    parser.add_argument("--k", type=int, default=11)
    parser.add_argument("--examples", type=int, default=10)
    parser.add_argument("--ratings", action="store_true",
                        help="a rate round's rating counts (consensus, median rule)")  # fmt: skip
    parser.add_argument("--positions", action="store_true",
                        help="a rank round's counts per rank position (priorities)")  # fmt: skip
    args = parser.parse_args(argv)
    engine = engine_for(args.warehouse, args.k)
    if args.positions:
        report = audit_ratings(collect_positions(engine, args.round_id, args.max_sets))
        print("rank positions: " + report.summary())
        for label, found in (("boxed", report.boxed), ("pinned", report.pinned)):
            for f in found[: args.examples]:
                print(f"  {label}: {f.describe()}")
        return
    if args.ratings:
        for means in (False, True):
            report = audit_ratings(collect_ratings(engine, args.round_id, args.max_sets,
                                                   means=means))  # fmt: skip
            print(("with" if means else "without") + " the mean rating's facts: "
                  + report.summary())  # fmt: skip
            for label, found in (("boxed", report.boxed), ("pinned", report.pinned)):
                for f in found[: args.examples]:
                    print(f"  {label}: {f.describe()}")
        return
    served = collect(engine, args.round_id, args.max_sets)
    for nonempty, empty in ((False, False), (True, False), (True, True)):
        report = audit(served, knows_nonempty=nonempty, knows_empty=empty)
        print(report.summary())
        for label, found in (("boxed", report.boxed), ("pinned", report.pinned)):
            for f in found[: args.examples]:
                print(f"  {label}: {f.describe()}")


if __name__ == "__main__":
    main()
