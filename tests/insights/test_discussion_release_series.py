"""Comments per question, per topic and in all over monthly releases, attacked by LP.

The members-per-country table leaked over ten monthly releases (values served later bound
earlier withheld cells from above, counts only grow; line totals then bound the neighbour
from below: tests/insights/test_country_release_series.py, fixed by release_audit.py).
The discussion comments are running totals protected the same way (`compute_discussion`:
counts and their increments since last served, `protect_with_increments` on the
question/topic/total hierarchy), so this asks whether they leak too.

Simulated (`simulate`, seeded): Q questions (6-12, or 16-24) in 2-4 topics, topic A
always with one question; comments start at 0..30 per question, grow by 0..15 a month,
one question-month in ten by 10..49 more, and never go down (withdrawals do not lower
them either: `comment_cube` is kept per month as published, so a withdrawn member's
comments stay counted in months already published; simulated in
tests/insights/test_withdrawal_release_series.py); a question in five is asked
later (0 comments, so no `comment_cells` row, before a random release). Each of 10
releases runs the real `topics.discussion` (computing, as the build does) and the real
question trail over a fake warehouse (`Release`): `comment_cells` (one row per question
with comments), `questions`, `topic_commenters`, and `previous_result` for "discussion"
answering the release before's `encode_discussion` body with its `previous_as_of`.
Commenters are made-up values the attacker ignores (they add up to nothing).

The attacker (`attack`, scipy `linprog`, HiGHS) has one unknown per release x question
and every comment count served: each question as the question trail serves it (a
question without comments is served as 0), each topic as the topics chart serves it from
`Discussion.topic` (the sum of its questions; 0 for a topic without comments; a topic
whose only commented question is that question's cell), and the total where the rule did
not withhold it (no chart serves it alone, but the rule protects it as served and served
topics add up to it; without it the 40 and 15 networks below give the same figures).
x >= 0 and x[t] <= x[t+1] per question. The attacker does not use the rule, only what
was served. Targets: per release, each question, each topic of two or more questions and
the total, as a value and as its increment since the release before; a leak is a target
whose true value is 1..k-1 and whose LP bounds, rounded inward, lie within 1..k-1.

Measured on main at 50afac4 (topics.py and disclosure.py as committed), with
`PYTHONPATH=. .venv/bin/python tests/insights/test_discussion_release_series.py`
(or LOW-HIGH NETWORKS [LATE] for one variant):

- 6-12 questions: 1 of 40 networks leaks, 1 target (seed 35); over 200 seeds, 5 of 200,
  5 targets (seeds 35, 47, 176, 181, 196), each a topic's increment, pinned exactly.
- 16-24 questions: 0 of 15 networks; over 60 seeds, 0 of 60 (a topic of many questions
  rarely has only one commented question when another gets its first comments).
- No question asked later (`late=0`): 0 of 200 (6-12 questions), 0 of 60 (16-24): the
  country table's mechanism (bounds from later releases) was not found here.

Every leak is the same, and needs no LP: a topic whose only commented question is Q is
served as Q's cell (and its other questions as 0); when a second question gets its first
comments, the topic becomes a cell of its own, compared with the sum of its questions'
last served counts "where they all have one", but the new question was never kept in
`last` (it had no row, though the trail served it as 0), so the topic is compared with 0,
its whole count is an "increment" of k or more, and it is served. Seed 35, release 6
(`test_no_served_count_moved_by_1_to_k_minus_1_since_the_release_before`): topic C holds
Q00 and Q05. Release 5 serves Q00 0 and C = Q05 = 118. Release 6: Q00 1, Q05 121, both
withheld (small, and 3 more), but C 122 is served: 4 new comments in C, by subtraction
(and Q00 at most 4). `protect_with_increments` is not at fault: the topic's base is
(`base` in `compute_discussion`; a question served as 0 could count as last served 0).

Fixed in `compute_discussion`: a question or topic nobody has commented on is kept as
last served at 0, and a topic served as its one commented question's cell is kept at that
question's last served count, so the topic is compared with Q's count plus 0 and withheld
(with a complement) where it moved by 1 to k-1. (Keeping the topic at 0 from before it had
comments, the first attempt, left seed 196: topic B served 66 as Q01's cell, then 76 as a
cell of its own compared with 0.) After the fix: 0 of 40 and 0 of 15 networks leak, and 0
of 200 with 6-12 questions.

Runtime: about 32 s for the module on 2 CPUs (41 s with pytest's start-up); the harness
check and the seed-35 subtraction are the fast tier, under 1 s.
Run: .venv/bin/pytest tests/insights/test_discussion_release_series.py -q \
    -m "slow or not slow" -p no:cacheprovider
"""

from __future__ import annotations

import itertools
import json
import sys
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from dashboard.filters import Filters
from dashboard.insights import topics

K = 11
EPS = 1e-6


# --- the simulated discussion -----------------------------------------------------------


@dataclass(frozen=True)
class Network:
    """Questions ("Q00", ...) in topics ("A", ...) and their comments per release x
    question (running totals to the end of the month, never down)."""

    topic_of: tuple[str, ...]  # per question
    counts: np.ndarray  # releases x questions

    @property
    def qids(self) -> list[str]:
        return [f"Q{i:02d}" for i in range(len(self.topic_of))]

    @property
    def names(self) -> list[str]:
        return sorted(set(self.topic_of))

    def members(self, topic: str) -> list[int]:
        return [i for i, t in enumerate(self.topic_of) if t == topic]


def simulate(seed: int, questions: tuple[int, int], releases: int, late: float = 0.2) -> Network:
    """Q questions (drawn in `questions`, inclusive) in 2..4 topics, topic A always with
    one question (others may have one too). Comments start at 0..30 per question, grow by
    0..15 a month, one question-month in ten by 10..49 more; a question in five (`late`) is
    asked later (no comments, so no row, before a random release)."""
    rng = np.random.default_rng(seed)
    n_q = int(rng.integers(questions[0], questions[1] + 1))
    n_t = int(rng.integers(2, 5))
    labels = "ABCD"
    topic_of = [labels[0]] + [labels[1 + i % (n_t - 1)] for i in range(n_q - 1)]
    topic_of = [topic_of[0], *rng.permutation(topic_of[1:]).tolist()]
    steps = [rng.integers(0, 31, n_q)]
    for _ in range(releases - 1):
        step = rng.integers(0, 16, n_q)
        step += np.where(rng.random(n_q) < 0.1, rng.integers(10, 50, n_q), 0)
        steps.append(step)
    counts = np.cumsum(np.array(steps, dtype=np.int64), axis=0)
    for i in range(n_q):
        if rng.random() < late:  # asked later: nothing before release `start`
            start = int(rng.integers(1, releases))
            since = counts[:, i] - counts[start - 1, i]
            counts[:, i] = np.where(np.arange(releases) < start, 0, since)
    order = rng.permutation(n_q)  # question ids not in topic order
    return Network(tuple(topic_of[i] for i in order), counts[:, order])


def month(t: int) -> str:
    return f"{2025 + t // 12}-{1 + t % 12:02d}-01"


class Release:
    """Just what `compute_discussion` (and the question trail) read in release `t`: each
    question with comments and its count (GROUP BY: no row for a question without any),
    the questions, the topics' commenters, and the previous release's
    `encode_discussion` body (none in a first release). Commenters are made-up running
    totals that add up to nothing; the attacker ignores them."""

    building = True  # compute, never read a published result

    def __init__(self, net: Network, t: int, previous: str | None) -> None:
        self.net, self.t, self.previous = net, t, previous
        self.memo: dict[Any, Any] = {}
        self.snap = SimpleNamespace(build_id=f"b{t}", as_of=month(t + 1), network="")

    def run_named(self, name: str, params: dict[str, Any]) -> tuple[pd.DataFrame, Any]:
        if name == "comment_cells":
            assert params["topic"] is None and not any(v for p, v in params.items() if p != "topic")
            now = self.net.counts[self.t]
            rows = [(q, int(n), int(-(-n // 3)))  # commenters: made up
                    for q, n in zip(self.net.qids, now, strict=True) if n]  # fmt: skip
            return pd.DataFrame(rows, columns=["question_id", "comments", "commenters"]), self.snap
        assert name == "previous_result", name
        if params["chart"] != topics.PUBLISHED_AS or self.previous is None:
            return pd.DataFrame(columns=["body", "previous_as_of"]), self.snap
        frame = pd.DataFrame({"body": [self.previous], "previous_as_of": [month(self.t)]})
        return frame, self.snap

    def run_static(self, name: str, params: dict[str, Any]) -> pd.DataFrame:
        if name == "questions":
            assert params["topic"] is None
            return pd.DataFrame({"question_id": self.net.qids, "topic": list(self.net.topic_of),
                                 "status": "submitted"})  # fmt: skip
        assert name == "topic_commenters", name
        now = self.net.counts[self.t]
        rows = [(t, int(-(-now[self.net.members(t)].sum() // 4))) for t in self.net.names]
        return pd.DataFrame(rows, columns=["topic", "commenters"])

    def remember(self, key: Any, compute: Any) -> Any:
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]

    def snapshot(self) -> SimpleNamespace:
        return self.snap


# --- what the releases serve ------------------------------------------------------------

# One served fact: the sum of x over `cells` (flat indices into release x question) is
# `value`.
Fact = tuple[tuple[int, ...], int]


def served_facts(net: Network, with_total: bool = True) -> tuple[list[Fact], list[dict[str, Any]]]:
    """Run every release through the real `compute_discussion` (each reading the one
    before's `encode_discussion`); every comment count served, as a fact.

    Questions: as the real question trail serves them (a question without comments is
    served as 0). Topics: as the topics chart serves them from `Discussion.topic` (a topic
    without comments is 0; a one-question topic is its question's cell). The total: where
    the rule did not withhold it (`with_total`; no chart serves it on its own, but the
    rule protects it as if served, and served topics add up to it)."""
    n_t, n_q = net.counts.shape
    facts: list[Fact] = []
    log: list[dict[str, Any]] = []
    previous: str | None = None
    for t in range(n_t):
        wh = Release(net, t, previous)
        decided: dict[str, bool] = {}
        real = topics._protect_comments

        def spy(*args: Any, decided: dict[str, bool] = decided, real: Any = real) -> Any:
            mask = real(*args)
            keys = args[1]  # (comments, keys, last, k, hierarchy)
            decided.update(zip(keys, mask.tolist(), strict=True))
            return mask

        with mock.patch.object(topics, "_protect_comments", spy):
            # The chart's own entry point (memoised, so the trail reads the same result);
            # the build computes it so too (`building`: never a published one).
            found = topics.discussion(wh, K)  # type: ignore[arg-type]
        trail = topics.question_trail(wh, Filters(), K).rows  # type: ignore[arg-type]
        served: dict[str, int | None] = {}
        for row in trail:
            i = net.qids.index(row["question_id"])
            served[f"q|{row['question_id']}"] = row["comments"]
            if row["comments"] is not None:
                facts.append(((t * n_q + i,), int(row["comments"])))
        for name in net.names:
            comments, _, hidden, _ = found.topic.get(name, (0, 0, False, False))
            served[f"t|{name}"] = None if hidden else comments
            if not hidden:
                facts.append((tuple(t * n_q + i for i in net.members(name)), int(comments)))
        total_hidden = decided.get("all", False)  # no row at all: nothing to withhold
        served["all"] = None if total_hidden else int(net.counts[t].sum())
        if with_total and not total_hidden:
            facts.append((tuple(t * n_q + i for i in range(n_q)), int(net.counts[t].sum())))
        log.append({"t": t, "served": served, "found": found})
        previous = topics.encode_discussion(found)
        json.loads(previous)  # what the next release reads is JSON
    return facts, log


# --- the attacker -----------------------------------------------------------------------


@dataclass(frozen=True)
class Leak:
    seed: int
    t: int
    what: str  # "q|Q03", "t|B", "all"
    kind: str  # "value" or "increment"
    true: int
    low: float
    high: float

    def __str__(self) -> str:
        return (f"seed {self.seed} release {self.t} {self.what} {self.kind}: true {self.true}, "
                f"bounds [{self.low:.2f}, {self.high:.2f}]")  # fmt: skip


def targets(net: Network) -> list[tuple[int, str, str, dict[int, float]]]:
    """(release, label, kind, coefficients): each question, each topic of two or more
    questions and the total, as a value and as its increment since the release before."""
    n_t, n_q = net.counts.shape
    groups = [(f"q|{q}", [i]) for i, q in enumerate(net.qids)]
    groups += [(f"t|{t}", net.members(t)) for t in net.names if len(net.members(t)) > 1]
    groups.append(("all", list(range(n_q))))
    out = []
    for t in range(n_t):
        for label, cells in groups:
            now = {t * n_q + i: 1.0 for i in cells}
            out.append((t, label, "value", now))
            if t:
                out.append((t, label, "increment", now | {(t - 1) * n_q + i: -1.0 for i in cells}))
    return out


def attack(
    seed: int, net: Network, facts: list[Fact], falls: frozenset[tuple[int, int]] = frozenset()
) -> list[Leak]:
    """Bounds on every target over x >= 0, x[t] <= x[t+1] per question, meeting every
    served fact: a leak where the true value is 1..k-1 and the bounds, rounded inward, lie
    within 1..k-1. Cells served on their own are substituted as constants first. `falls`:
    steps (t, question) where x[t] <= x[t+1] is not assumed (a served value about the
    question went down: tests/insights/test_withdrawal_release_series.py)."""
    n_t, n_q = net.counts.shape
    truth = net.counts.ravel().astype(float)
    assert all(truth[list(cells)].sum() == value for cells, value in facts), "not the truth"
    known = {cells[0]: float(value) for cells, value in facts if len(cells) == 1}
    free = [i for i in range(truth.size) if i not in known]
    pos = {cell: j for j, cell in enumerate(free)}
    low_bound = np.zeros(len(free))
    high_bound = np.full(len(free), np.inf)
    eq_rows, b_eq = [], []
    for cells, value in facts:
        rest = [pos[c] for c in cells if c in pos]
        if rest:
            row = np.zeros(len(free))
            row[rest] = 1.0
            eq_rows.append(row)
            b_eq.append(value - sum(known.get(c, 0.0) for c in cells))
    ub_rows = []
    for t in range(n_t - 1):
        for q in range(n_q):
            if (t, q) in falls:
                continue
            a, b = t * n_q + q, (t + 1) * n_q + q  # x[a] <= x[b]
            if a in pos and b in pos:
                row = np.zeros(len(free))
                row[pos[a]], row[pos[b]] = 1.0, -1.0
                ub_rows.append(row)
            elif a in pos:
                high_bound[pos[a]] = min(high_bound[pos[a]], known[b])
            elif b in pos:
                low_bound[pos[b]] = max(low_bound[pos[b]], known[a])
    a_eq = np.array(eq_rows) if eq_rows else None
    a_ub = np.array(ub_rows) if ub_rows else None
    b_ub = np.zeros(len(ub_rows)) if ub_rows else None
    box = [(lo, None if np.isinf(hi) else hi) for lo, hi in zip(low_bound, high_bound, strict=True)]
    # Points the facts allow (the truth, then each optimum found): a target one of them
    # puts at k or more, or at 0 or less, is not boxed within 1..k-1, without solving.
    points = [truth[free]]
    leaks = []
    for t, label, kind, coef in targets(net):
        true = round(sum(truth[i] * v for i, v in coef.items()))
        if not 0 < true < K:
            continue
        constant = sum(known[i] * v for i, v in coef.items() if i in known)
        objective = np.zeros(len(free))
        for i, v in coef.items():
            if i in pos:
                objective[pos[i]] = v
        bounds = []
        for sign in (-1.0, 1.0):  # the upper bound first: most are k or more, no leak
            if not objective.any():
                bounds.append(constant)
                continue
            seen = [constant + float(p @ objective) for p in points]
            if (max(seen) >= K - EPS) if sign < 0 else (min(seen) <= EPS):
                break
            res = linprog(sign * objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq,
                          b_eq=b_eq if eq_rows else None, bounds=box,
                          method="highs")  # fmt: skip
            assert res.status in (0, 3), res.message  # 3: unbounded (no upper bound)
            if res.status == 0:
                points.append(res.x)
            bounds.append(constant + (sign * res.fun if res.status == 0 else -sign * np.inf))
            if sign < 0 and np.floor(bounds[0] + EPS) > K - 1:
                break
        if len(bounds) < 2:
            continue
        high, low = bounds
        if np.ceil(low - EPS) >= 1 and np.floor(high + EPS) <= K - 1:
            leaks.append(Leak(seed, t, label, kind, true, low, high))
    return leaks


def audit(seeds: range, questions: tuple[int, int], releases: int, late: float = 0.2,
          with_total: bool = True) -> dict[int, list[Leak]]:  # fmt: skip
    """Per leaking seed, its leaks."""
    found = {}
    for seed in seeds:
        net = simulate(seed, questions, releases, late)
        facts, _ = served_facts(net, with_total)
        leaks = attack(seed, net, facts)
        if leaks:
            found[seed] = leaks
    return found


def report(found: dict[int, list[Leak]], networks: int) -> str:
    lines = [f"{len(found)} of {networks} networks leak, "
             f"{sum(map(len, found.values()))} targets"]  # fmt: skip
    lines += [f"  {leak}" for leaks in found.values() for leak in leaks]
    return "\n".join(lines)


# --- the tests --------------------------------------------------------------------------

VARIANTS = {  # (questions, releases, networks)
    "6-12 questions, 10 releases": ((6, 12), 10, 40),
    "16-24 questions, 10 releases": ((16, 24), 10, 15),
}


def test_the_harness_serves_what_the_rule_decides() -> None:
    """Fast check of the harness: every served value is the truth, each release withholds
    some counts and serves others, a question without comments is served as 0, and the
    release after reads the `last` the one before encoded."""
    net = simulate(35, (6, 12), 10)
    facts, log = served_facts(net)
    truth = net.counts.ravel()
    assert all(truth[list(cells)].sum() == value for cells, value in facts)
    for entry in log:
        values = entry["served"].values()
        assert any(v is None for v in values) and any(v is not None for v in values)
    assert net.counts[5, net.qids.index("Q00")] == 0 and log[5]["served"]["q|Q00"] == 0
    assert log[5]["found"].last["q|Q00"] == 0  # no row, served as 0: kept as 0
    for before, after in itertools.pairwise(log):
        for key, value in after["found"].last.items():
            if after["served"].get(key) is None:  # withheld now: kept as last served
                assert before["found"].last[key] == value, key


@pytest.mark.parametrize("seed", [35, 196])
def test_no_served_count_moved_by_1_to_k_minus_1_since_the_release_before(seed: int) -> None:
    """Seed 35 (fast, no LP): topic C (Q00, Q05) is Q05 alone while Q00 has no comments;
    release 5 serves Q00 0 and C (= Q05) 118; in release 6 Q00 has 1 comment and Q05 121,
    both withheld, and C 122 was served: 4 new comments in the topic, by subtraction.
    Seed 196: topic B, served as Q01's cell at 66 in release 3, then at 76 as a cell of
    its own compared with a 0 kept from before it had comments."""
    net = simulate(seed, (6, 12), 10)
    _, log = served_facts(net)
    moved = []
    for before, after in itertools.pairwise(log):
        for key, value in after["served"].items():
            old = before["served"].get(key)
            if value is not None and old is not None and 0 < value - old < K:
                moved.append((after["t"], key, old, value))
    assert not moved, moved


@pytest.mark.slow
@pytest.mark.parametrize("variant", [
    "6-12 questions, 10 releases",
    "16-24 questions, 10 releases",
])  # fmt: skip
def test_no_new_comments_worked_out_over_ten_releases(variant: str) -> None:
    questions, releases, networks = VARIANTS[variant]
    found = audit(range(networks), questions, releases)
    print(report(found, networks))
    assert not found, report(found, networks)


@pytest.mark.slow
def test_without_new_questions_no_comment_count_is_worked_out() -> None:
    """The country table's mechanism (later values bound earlier withheld cells from
    above, line totals bound the neighbour from below) over the same hierarchy, every
    question commented on from the first release (`late=0`)."""
    questions, releases, networks = VARIANTS["6-12 questions, 10 releases"]
    found = audit(range(networks), questions, releases, late=0.0)
    assert not found, report(found, networks)


if __name__ == "__main__":
    # Figures per variant (from the repository's root): PYTHONPATH=. python
    # tests/insights/test_discussion_release_series.py [LOW-HIGH NETWORKS [LATE]]
    chosen = {name: (*v, 0.2) for name, v in VARIANTS.items()}
    if len(sys.argv) >= 3:
        low, high = map(int, sys.argv[1].split("-"))
        late = float(sys.argv[3]) if len(sys.argv) > 3 else 0.2
        chosen = {f"{low}-{high} questions, 10 releases": ((low, high), 10, int(sys.argv[2]), late)}
    for name, (questions, releases, networks, late) in chosen.items():
        found = audit(range(networks), questions, releases, late)
        print(name, f"late {late}", "->", report(found, networks))
        sys.stdout.flush()
