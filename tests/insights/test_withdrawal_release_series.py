"""Consent withdrawals in the monthly release series, attacked by linear programming.

Issue #14, known gap (c): the two release-series harnesses
(tests/insights/test_country_release_series.py, members per country x role;
tests/insights/test_discussion_release_series.py, comments per question and topic)
simulated counts that only grow. Here 1 to 3 people of a cell withdraw consent in some
months, and the releases are made the way the product makes them.

What the product does with a withdrawal (found in the code, and checked against it here
by `test_the_build_keeps_published_months_after_withdrawals`, which runs the real SQL
steps and `release.carry_over` over DuckDB files): the withdrawn member's rows leave
the export (`01_members.sql`: `consent_withdrawn_on IS NULL`; their comments go with
them), so the rollups `member_cube` and `comment_cube` are rebuilt without them; but both
are FROZEN per month (`dashboard/warehouse/release.py`: `joined_month < $month`,
`month < $month`, $month being the month of the previous release's as-of date), so the
build replaces every month the previous release had complete by that release's rows.
Members per country (`country_members.sql`), the members chart (`member_months.sql`)
and comments per question (`comment_cells.sql`) are sums over those months. So:

- someone who joined (or commented) in a month already published and withdraws later
  stays counted in every later release: their withdrawal changes no served count;
- someone who joins (comments) and withdraws in the same month, before the release that
  first counts that month is built, is never counted: that month simply has fewer
  newcomers (comments).

Served counts therefore never go down, and the members chart's past months are not
rewritten (the country harness's docstring assumed they would be). Counts that include a
withdrawal are counted afresh only when a release follows none (`--first-release`) or
when a frozen table changed shape (the build warns); neither is a series.

Simulated (`withdraw`, seeded apart from the network): the networks of the two harnesses
(the same seeds give the same joins / comments as their grow-only variants), and in each
month each cell (country x role; question) loses, with probability 0.3, 1 to 3 members
(for comments, each takes 1 to 3 of its comments on the question). Half the time they
are taken from the cell's newcomers of the month (people who just joined leave more
often), otherwise uniformly from everyone still there, over all months (`Withdrawals`).
What each release counts is `published` (the month's newcomers less those who left that
month, summed), not `consenting` (everyone still there).

The attacker (the harnesses' own `attack`) holds everything every release served and
may use what the product tells anyone: counts are never negative, and the README says
complete months are kept as published. It assumes a count never went down except where a
served value about it did go down (`falls`: then not for the cells of that value between
the two releases). None does (`check` asserts it for every network attacked), so the
attacker is the harnesses' monotone one; targets are the counts each release made
(`published`), as values and as increments since the release before. What the
withdrawals themselves were is not a target: every fact served is a function of
`published` alone (the charts read nothing else, and the real SQL gives `published`), the
same whoever withdrew from a month already published.

Measured at a52de53 (and 1c1b2c2: the same), dashboard/ as committed, with
`PYTHONPATH=. .venv/bin/python tests/insights/test_withdrawal_release_series.py [P]`:

- 3 countries, 10 releases: 0 of 40 networks leak, 0 targets (2,038 people withdrawn,
  761 of them from months already published); 54.8% of country cells withheld, against
  51.4% without withdrawals (`P` 0: the country harness's networks), and 3 releases in
  which the audit withheld every count (2 without);
- 4 countries: 0 of 20 (1,334 withdrawn; 49.2% withheld, 48.0% without; 1 release, 1);
- 5 countries: 0 of 15 (1,343 withdrawn; 46.1% withheld, 45.4% without; 1 release, 2);
- comments, 6-12 questions: 0 of 40 (3,629 comments withdrawn, 1,418 from published
  months); 16-24 questions: 0 of 15 (3,302, 1,311).

No served value went down in any of them. Withdrawals within the month make more
increments small (1 to k-1), which is what the build's audit over kept releases is for:
with it switched off (`participation.leaks` answering nothing), 17 of the 40 three-country
networks leak with withdrawals (29 targets, every one an increment but one value), 7 of
40 without (11 targets, the country harness's figure from before the audit); 9 of 20
four-country networks (19 targets) against 6 (9), and 5 of 15 five-country (8) against
6 (7);
`test_the_attack_finds_what_withdrawals_give_away_without_the_audit` keeps one of them
(seed 9, release 1: FR's 9 "other" newcomers boxed within 1..9).

Runtime: the slow tests attack the first half of each variant's networks (`IN_TESTS`):
about 40 s of CPU on 2 CPUs (66 s of wall time at a load of 4-5); every network, about
60 s of CPU. The fast tier (the simulation, `falls`, the real SQL over four releases, the
attack without the audit) takes about 3 s.
Run: .venv/bin/pytest tests/insights/test_withdrawal_release_series.py -q \
    -m "slow or not slow" -p no:cacheprovider
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest

from dashboard.config import QUERIES_DIR
from dashboard.db import load_query
from dashboard.insights import participation
from dashboard.insights.disclosure import CURRENT_RULE
from dashboard.warehouse import release
from tests.insights import test_country_release_series as countries
from tests.insights import test_discussion_release_series as discussion

P_WITHDRAW = 0.3  # per cell and month


# --- withdrawals ------------------------------------------------------------------------


@dataclass(frozen=True)
class Withdrawals:
    """Newcomers per month x cell (`joins`) and who left: `out[s, t]`, per cell, the
    people (for comments: comments) who arrived in month s and left in month t (s <= t)."""

    joins: np.ndarray  # months x *cells
    out: np.ndarray  # months (arrived) x months (left) x *cells

    @property
    def published(self) -> np.ndarray:
        """What release t counts (months 0..t, each as the release after it counted it:
        its newcomers less those who left within it)."""
        same_month = np.einsum("ss...->s...", self.out)
        return np.cumsum(self.joins - same_month, axis=0)

    @property
    def consenting(self) -> np.ndarray:
        """Everyone still there at the end of month t."""
        gone = np.cumsum(self.out.sum(axis=0), axis=0)
        return np.cumsum(self.joins, axis=0) - gone


def withdraw(joins: np.ndarray, rng: np.random.Generator, each: int = 1,
             p: float = P_WITHDRAW) -> Withdrawals:  # fmt: skip
    """In each month, each cell loses 1..3 people with probability `p`, each taking 1 to
    `each` units (1: a member; comments: up to `each` of theirs). Half the time from the
    month's newcomers, otherwise from everyone still there (any month so far)."""
    n = joins.shape[0]
    cells = joins.shape[1:]
    out = np.zeros((n, n, *cells), dtype=np.int64)
    left = np.zeros_like(joins)
    for t in range(n):
        left[t] = joins[t]
        for cell in np.ndindex(*cells):
            if rng.random() >= p:
                continue
            units = int(rng.integers(1, each + 1, int(rng.integers(1, 4))).sum())
            pool = left[(slice(0, t + 1), *cell)].copy()
            if rng.random() < 0.5:
                pool[:t] = 0  # the month's newcomers only
            units = min(units, int(pool.sum()))
            if not units:
                continue
            taken = rng.multivariate_hypergeometric(pool, units)
            left[(slice(0, t + 1), *cell)] -= taken
            out[(slice(0, t + 1), t, *cell)] = taken
    return Withdrawals(joins, out)


def country_withdrawals(seed: int, n_countries: int, releases: int,
                        p: float = P_WITHDRAW) -> Withdrawals:  # fmt: skip
    """The country harness's network of `seed` (same joins), with withdrawals."""
    grown = countries.simulate(seed, n_countries, releases)
    joins = np.diff(grown, axis=0, prepend=0)
    return withdraw(joins, np.random.default_rng([seed, 14]), p=p)


def discussion_withdrawals(seed: int, questions: tuple[int, int], releases: int,
                           p: float = P_WITHDRAW) -> tuple[discussion.Network, Withdrawals]:  # fmt: skip
    """The discussion harness's network of `seed` (same comments), with withdrawals: the
    network as released (`published`) and the withdrawals."""
    grown = discussion.simulate(seed, questions, releases)
    joins = np.diff(grown.counts, axis=0, prepend=0)
    found = withdraw(joins, np.random.default_rng([seed, 14]), each=3, p=p)
    return discussion.Network(grown.topic_of, found.published), found


# --- what the attacker may assume -------------------------------------------------------


def falls(facts: Iterable[tuple[tuple[int, ...], int]],
          shape: tuple[int, ...]) -> frozenset[tuple[int, ...]]:  # fmt: skip
    """Steps (t, *cell) at which a count is not assumed not to go down: for each value
    served about the same cells in releases t < u that went down, every step t..u-1 of
    those cells."""
    served: dict[tuple[tuple[int, ...], ...], dict[int, int]] = defaultdict(dict)
    for cells, value in facts:
        where = [np.unravel_index(c, shape) for c in cells]
        (t,) = {int(w[0]) for w in where}
        group = tuple(sorted(tuple(int(i) for i in w[1:]) for w in where))
        served[group][t] = value
    out = set()
    for group, values in served.items():
        for t, before in values.items():
            for u, after in values.items():
                if t < u and after < before:
                    out.update((s, *cell) for s in range(t, u) for cell in group)
    return frozenset(out)


# --- the attacks ------------------------------------------------------------------------


@dataclass
class Outcome:
    leaks: dict[int, list[Any]]
    networks: int
    withdrawn: int = 0  # people (comments) who left, over every network
    unseen: int = 0  # of them, counted by an earlier release (no served count changes)
    fell: int = 0  # networks where a served value went down
    cells: int = 0  # countries: listed country x role (and all roles) cells, every release
    withheld: int = 0  # of them, withheld
    everything: int = 0  # releases whose audit withheld every non-zero count

    def __str__(self) -> str:
        head = (f"{len(self.leaks)} of {self.networks} networks leak, "
                f"{sum(map(len, self.leaks.values()))} targets; {self.withdrawn} withdrawn "
                f"({self.unseen} from months already published); served values went down "
                f"in {self.fell} networks")  # fmt: skip
        if self.cells:
            head += (f"; {self.withheld / self.cells:.1%} of country cells withheld, "
                     f"{self.everything} releases withheld every count")  # fmt: skip
        return "\n".join([head, *(f"  {leak}" for leaks in self.leaks.values()
                                  for leak in leaks)])  # fmt: skip


def tally(outcome: Outcome, found: Withdrawals) -> None:
    outcome.withdrawn += int(found.out.sum())
    outcome.unseen += int(found.out.sum() - np.einsum("ss...->s...", found.out).sum())


class Fallbacks(logging.Handler):
    """Counts the build's warnings that the audit withheld every count of a release."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += "every non-zero count" in record.getMessage()


def audit_countries(seeds: range, n_countries: int, releases: int,
                    p: float = P_WITHDRAW) -> Outcome:  # fmt: skip
    """`p` 0: the grow-only networks of the country harness, for comparison."""
    outcome = Outcome({}, len(seeds))
    fallbacks = Fallbacks()
    logging.getLogger(participation.__name__).addHandler(fallbacks)
    try:
        for seed in seeds:
            audit_country(seed, n_countries, releases, p, outcome)
    finally:
        logging.getLogger(participation.__name__).removeHandler(fallbacks)
    outcome.everything = fallbacks.count
    return outcome


def audit_country(seed: int, n_countries: int, releases: int, p: float, outcome: Outcome) -> None:
    found = country_withdrawals(seed, n_countries, releases, p)
    tally(outcome, found)
    counts = found.published
    facts, log = countries.served_facts(counts)
    for entry in log:
        for view in entry["served"].values():
            outcome.cells += len(view)
            outcome.withheld += sum(v is None for v in view.values())
    down = falls(facts, counts.shape)
    outcome.fell += bool(down)
    leaks = countries.attack(seed, counts, facts, falls=down)  # type: ignore[arg-type]
    if leaks:
        outcome.leaks[seed] = leaks


def audit_discussion(seeds: range, questions: tuple[int, int], releases: int,
                     p: float = P_WITHDRAW) -> Outcome:  # fmt: skip
    outcome = Outcome({}, len(seeds))
    for seed in seeds:
        net, found = discussion_withdrawals(seed, questions, releases, p)
        tally(outcome, found)
        facts, _ = discussion.served_facts(net)
        down = falls(facts, net.counts.shape)
        outcome.fell += bool(down)
        leaks = discussion.attack(seed, net, facts, falls=down)  # type: ignore[arg-type]
        if leaks:
            outcome.leaks[seed] = leaks
    return outcome


# --- the real build steps, for the check ----------------------------------------------


def month(t: int) -> dt.date:
    return dt.date(2025 + t // 12, 1 + t % 12, 1)


PROFILE = {"ms_type": "RRMS", "ms_course": "relapsing", "age_band": "40-49",
           "duration_band": "5-9", "sex": "female"}  # fmt: skip


def build_release(path: Path, previous: Path | None, t: int, members: pd.DataFrame,
                  comments: pd.DataFrame, questions: pd.DataFrame) -> release.Comparison:  # fmt: skip
    """A warehouse as of the first day of month t+1 holding just what the real rollup
    steps need (members and comments of those who have not withdrawn), the rollups
    `member_cube` and `comment_cube` built by their real SQL, and the real `carry_over`
    from the release before (attached the way the build attaches it)."""
    con = duckdb.connect(str(path))
    try:
        for name, frame in (("members", members), ("comments", comments),
                            ("questions", questions)):  # fmt: skip
            con.register("frame", frame)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
            con.unregister("frame")
        con.execute("CREATE TABLE rounds (round_id VARCHAR, method VARCHAR, "
                    "max_choices INTEGER, opens_on DATE, closes_on DATE)")  # fmt: skip
        con.execute("CREATE TABLE build_info AS SELECT CAST($id AS VARCHAR) AS build_id, "
                    "CAST($as_of AS DATE) AS as_of, CAST($rule AS VARCHAR) AS complement_rule",
                    {"id": f"b{t}", "as_of": month(t + 1), "rule": CURRENT_RULE})  # fmt: skip
        for step in ("12_comment_cube", "13_member_cube"):
            con.execute((QUERIES_DIR / "build" / f"{step}.sql").read_text(encoding="utf-8"))
        with release.attached(con, previous) as attached:
            found = release.carry_over(con, attached)
    finally:
        con.close()
    return found


def run_query(path: Path, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    query = load_query(name)
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(query.text, query.bind(params or {})).df()
    finally:
        con.close()


def people(found: Withdrawals, t: int) -> list[tuple[tuple[int, ...], int, int | None]]:
    """Person-level: (cell, arrival month, month left or None) of everyone who arrived by
    month t, per cell and month the first `out` of them leaving."""
    rows = []
    for s in range(t + 1):
        for cell in np.ndindex(*found.joins.shape[1:]):
            leaving = [u for u in range(s, found.out.shape[1])
                       for _ in range(int(found.out[(s, u, *cell)]))]  # fmt: skip
            for j in range(int(found.joins[(s, *cell)])):
                rows.append((cell, s, leaving[j] if j < len(leaving) else None))
    return rows


def country_export(found: Withdrawals, t: int, names: list[str]) -> pd.DataFrame:
    """The members table at release t: who joined by month t and has not withdrawn."""
    rows = []
    for key, ((c, r), s, gone) in enumerate(people(found, t)):
        if gone is None or gone > t:
            rows.append({"member_key": f"m{key}", "joined_month": month(s),
                         "role": countries.ROLES[r], "country": names[c], **PROFILE})  # fmt: skip
    return pd.DataFrame(rows)


def comment_export(found: Withdrawals, t: int, qids: list[str],
                   each: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """Members and comments at release t: a comment that stays has an author of its own;
    those that leave from one question in one month are grouped into authors of up to
    `each` comments (so a withdrawal takes a member's comments of several months). The
    commenters join in 2099, so no members count counts them."""
    comments = []
    seen: dict[tuple[int, int], int] = defaultdict(int)
    for key, ((q,), s, gone) in enumerate(people(found, t)):
        if gone is not None and gone <= t:
            continue  # withdrawn: neither the member nor their comments are exported
        if gone is None:
            author = f"c{key}"
        else:
            author = f"w{q}-{gone}-{seen[(q, gone)] // each}"
            seen[(q, gone)] += 1
        comments.append({"question_id": qids[q], "member_key": author,
                         "posted_on": month(s) + dt.timedelta(days=9)})  # fmt: skip
    members = [{"member_key": author, "joined_month": dt.date(2099, 1, 1),
                "role": "caregiver", "country": "DE", **PROFILE}
               for author in sorted({c["member_key"] for c in comments})]  # fmt: skip
    columns = ["member_key", "joined_month", "role", "country", *PROFILE]
    return (pd.DataFrame(members, columns=columns),
            pd.DataFrame(comments, columns=["question_id", "member_key", "posted_on"]))  # fmt: skip


# --- the tests --------------------------------------------------------------------------

COUNTRY_VARIANTS = countries.VARIANTS
DISCUSSION_VARIANTS = discussion.VARIANTS
# The slow tests attack the first half of each variant's networks (about 40 s of CPU;
# every network: about 60 s, `__main__` below, whose figures the docstring gives).
IN_TESTS = 0.5


def seeds_in_tests(networks: int) -> range:
    return range(round(networks * IN_TESTS))


def test_the_simulation_withdraws_in_both_ways() -> None:
    """Fast check of the simulation: people leave from the month they arrived and from
    months already published; the latter make what is counted differ from who is still
    there, and nobody leaves twice or before arriving."""
    found = country_withdrawals(0, 3, 10)
    same = np.einsum("ss...->s...", found.out)
    assert same.sum() > 0 and found.out.sum() > same.sum()
    assert (found.published >= found.consenting).all()
    assert (found.published > found.consenting).any()
    assert (found.out.sum(axis=1) <= found.joins).all()
    for s in range(found.out.shape[0]):
        assert not found.out[s, :s].any()  # nobody leaves before arriving


def test_the_build_keeps_published_months_after_withdrawals(tmp_path: Path) -> None:
    """The harness against the product: four monthly releases built by the real rollup SQL
    and `release.carry_over`, each following the one before. Members per country x role
    (`country_members.sql`), new members per month (`member_months.sql`) and comments per
    question (`comment_cells.sql`) are what the harness releases (`published`), not who is
    still there; a first release of the last month counts only who is still there."""
    releases = 4
    found = country_withdrawals(3, 3, releases)
    net, said = discussion_withdrawals(35, (6, 12), releases)
    names = list(countries.CODES[:3])
    assert (found.published[-1] != found.consenting[-1]).any()
    assert (said.published[-1] != said.consenting[-1]).any()
    questions = pd.DataFrame({"question_id": net.qids, "topic": list(net.topic_of)})
    previous = None
    for t in range(releases):
        path = tmp_path / f"release-{t}.duckdb"
        members = country_export(found, t, names)
        commenters, comments = comment_export(said, t, net.qids)
        compared = build_release(path, previous, t, pd.concat([members, commenters]),
                                 comments, questions)  # fmt: skip
        assert compared.previous_build_id == (None if t == 0 else f"b{t - 1}")
        got = np.zeros(found.published.shape[1:], dtype=np.int64)
        for row in run_query(path, "country_members").itertuples():
            got[names.index(row.country), countries.ROLES.index(row.role)] = row.members
        assert (got == found.published[t]).all(), (t, got, found.published[t])
        joined = run_query(path, "member_months")
        by_month = joined.groupby(pd.to_datetime(joined["month"]).dt.date)["members"].sum()
        per_month = np.diff(found.published[: t + 1].sum(axis=(1, 2)), prepend=0)
        assert [int(by_month.get(month(s), 0)) for s in range(t + 1)] == per_month.tolist()
        flags = dict.fromkeys(load_query("comment_cells").parameters, False)
        cells = run_query(path, "comment_cells", {**flags, "topic": None})
        per_q = cells.groupby("question_id")["comments"].sum()
        assert [int(per_q.get(q, 0)) for q in net.qids] == said.published[t].tolist(), t
        previous = path
    first = tmp_path / "first.duckdb"
    commenters, comments = comment_export(said, releases - 1, net.qids)
    build_release(first, None, releases - 1,
                  pd.concat([country_export(found, releases - 1, names), commenters]),
                  comments, questions)  # fmt: skip
    fresh = np.zeros_like(found.consenting[-1])
    for row in run_query(first, "country_members").itertuples():
        fresh[names.index(row.country), countries.ROLES.index(row.role)] = row.members
    assert (fresh == found.consenting[-1]).all()


def test_a_value_that_went_down_is_not_assumed_to_grow() -> None:
    """The attacker's `falls`: a served value that went down frees exactly the steps of
    its cells between the two releases, and nothing else."""
    shape = (4, 2, 3)

    def flat(t: int, *cells: tuple[int, int]) -> tuple[int, ...]:
        return tuple(int(np.ravel_multi_index((t, *c), shape)) for c in cells)

    facts = [(flat(0, (0, 0), (0, 1)), 20), (flat(2, (0, 0), (0, 1)), 17),
             (flat(1, (1, 2)), 5), (flat(3, (1, 2)), 30)]  # fmt: skip
    assert falls(facts, shape) == {(0, 0, 0), (0, 0, 1), (1, 0, 0), (1, 0, 1)}
    assert not falls(facts[2:], shape)


def test_the_attack_finds_what_withdrawals_give_away_without_the_audit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The attack has the power to find a withdrawal's trace: with the build's audit over
    kept releases switched off, seed 9 (3 countries) leaks FR's "other" newcomers of
    release 1 (9, boxed within 1..9) once 1 to 3 people leave some cells within their
    month, and not in the grow-only network; with the audit on, nothing (the slow tests)."""
    monkeypatch.setattr(participation, "leaks", lambda *args, **kwargs: [])
    grown, left = Outcome({}, 1), Outcome({}, 1)
    audit_country(9, 3, 3, 0.0, grown)
    audit_country(9, 3, 3, P_WITHDRAW, left)
    assert not grown.leaks, grown
    assert [(x.t, x.what, x.kind, x.true) for x in left.leaks.get(9, [])] == [
        (1, "FR|other", "increment", 9)
    ], left


def check(outcome: Outcome) -> None:
    """Withdrawals were simulated, from months already published too; no served value
    went down; nothing was worked out."""
    print(outcome)
    assert outcome.withdrawn > outcome.unseen > 0, outcome
    assert not outcome.fell, outcome
    assert not outcome.leaks, outcome


@pytest.mark.slow
@pytest.mark.parametrize("variant", list(COUNTRY_VARIANTS))
def test_no_country_count_worked_out_with_withdrawals(variant: str) -> None:
    n_countries, releases, networks = COUNTRY_VARIANTS[variant]
    check(audit_countries(seeds_in_tests(networks), n_countries, releases))


@pytest.mark.slow
@pytest.mark.parametrize("variant", list(DISCUSSION_VARIANTS))
def test_no_comment_count_worked_out_with_withdrawals(variant: str) -> None:
    questions, releases, networks = DISCUSSION_VARIANTS[variant]
    check(audit_discussion(seeds_in_tests(networks), questions, releases))


if __name__ == "__main__":
    # Figures per variant (from the repository's root): PYTHONPATH=. python
    # tests/insights/test_withdrawal_release_series.py [P]  (P: withdrawal probability per
    # cell and month, 0.3; 0 for the grow-only networks of the two harnesses)
    chance = float(sys.argv[1]) if len(sys.argv) > 1 else P_WITHDRAW
    for name, (n_countries, releases, networks) in COUNTRY_VARIANTS.items():
        print(name, "->", audit_countries(range(networks), n_countries, releases, chance))
        sys.stdout.flush()
    for name, (questions, releases, networks) in DISCUSSION_VARIANTS.items():
        print(
            "comments,", name, "->", audit_discussion(range(networks), questions, releases, chance)
        )
        sys.stdout.flush()
