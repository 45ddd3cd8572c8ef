"""Votes: who turns out for each round and how they fill in the ballot.

Group preferences make the groups' priorities differ. What depends on a round's method
(pick, rank, rate) lives in `VOTE_METHODS` alone, one entry per contract method.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.warehouse.contract import RATE_SCALE
from dashboard.warehouse.synth.common import DAY_S, years
from dashboard.warehouse.synth.members import Members
from dashboard.warehouse.synth.questions import Questions
from dashboard.warehouse.synth.rounds import ROUNDS, Round

# Preference groups (Members.group): 0 RRMS, 1 progressive (SPMS/PPMS), 2 other
# person_with_ms, 3 caregiver, 4 other. Rows are groups, columns TOPICS; added to a
# question's appeal.
PREFS = np.array(
    [
        [0.9, 0.0, 0.5, 0.3, 0.3, 0.2, 0.1, 0.0, -0.7],
        [0.2, 2.2, 0.0, -0.2, -0.2, 0.2, -0.3, 0.4, -0.3],
        [0.4, 0.0, 0.4, 0.2, 0.4, 0.2, 0.8, 0.1, -0.6],
        [0.0, 0.3, -0.3, 1.3, -0.2, 0.3, -0.3, 0.6, 1.8],
        [0.2, 0.2, 0.1, 0.2, 0.4, 0.2, 0.2, 0.5, 0.3],
    ]
)
YOUNG = np.array([0.0, -0.4, 0.9, 0.8, 0.2, 0.0, 0.0, 0.0, -0.2])  # under 40 when voting
OLDER = np.array([0.1, 0.4, -0.2, -0.4, 0.0, 0.2, 0.0, 0.3, 0.1])  # 60 and over

# How far a Delphi second round's ratings move toward the group's mean for each question.
FEEDBACK = 0.35

# Ballot rows: (voter row, candidate column, position on the ballot, value).
Ballots = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _utilities(
    m: Members, groups: np.ndarray, voters: np.ndarray, q: Questions, cand: np.ndarray, r: Round
) -> np.ndarray:
    """How much each voter (row) cares about each candidate (column), before noise."""
    topics = q.topic[cand]
    util = q.appeal[cand][None, :] + PREFS[groups[voters]][:, topics]
    birth = m.birth_year[voters].astype(np.int64)
    age = np.where(birth > 0, int(years(np.array([r.closes]))[0]) - birth, 50)
    util += (age < 40)[:, None] * YOUNG[topics][None, :]
    util += (age >= 60)[:, None] * OLDER[topics][None, :]
    return util


# ---------------------------------------------------------------------------
# Per-method ballots


def _choose(rng: np.random.Generator, util: np.ndarray, k: int, rank: bool) -> Ballots:
    """pick/rank ballots: each voter's top n <= k candidates (Gumbel noise = logit choice)."""
    voters, width = util.shape
    k = min(k, width)
    util = util + rng.gumbel(size=util.shape)
    n_pick = np.where(rng.random(voters) < 0.6, k, rng.integers(1, max(k, 2), voters))
    order = np.argsort(-util, axis=1)[:, :k]
    vi, pos = np.nonzero(np.arange(k)[None, :] < n_pick[:, None])
    value = pos + 1 if rank else np.ones_like(pos)
    return vi, order[vi, pos], pos, value


def _pick(rng: np.random.Generator, util: np.ndarray, r: Round) -> Ballots:
    return _choose(rng, util, r.max_choices or 1, rank=False)


def _rank(rng: np.random.Generator, util: np.ndarray, r: Round) -> Ballots:
    return _choose(rng, util, r.max_choices or 1, rank=True)


def _rate(rng: np.random.Generator, util: np.ndarray, r: Round) -> Ballots:
    """rate ballots: every candidate rated on RATE_SCALE, a few skipped."""
    low, high = RATE_SCALE
    raw = util + rng.normal(0.0, 0.9, util.shape)
    if r.feedback and raw.size:  # seeing the group's view, ratings move toward it (Delphi)
        raw = (1 - FEEDBACK) * raw + FEEDBACK * raw.mean(axis=0, keepdims=True)
    centre = raw.mean() if raw.size else 0.0
    rating = np.clip(np.rint(3.6 + 0.9 * (raw - centre)), low, high).astype(np.int8)
    skip = 0.02 + 0.1 * rng.beta(0.5, 3.0, util.shape[0])
    vi, ci = np.nonzero(rng.random(util.shape) >= skip[:, None])
    return vi, ci, ci, rating[vi, ci]


def _same_value(rng: np.random.Generator, value: np.ndarray) -> np.ndarray:
    """A pick or rank cast again keeps its value (and draws nothing)."""
    return value


def _rerate(rng: np.random.Generator, value: np.ndarray) -> np.ndarray:
    """A rating cast again may move one step either way."""
    low, high = RATE_SCALE
    return np.clip(value + rng.integers(-1, 2, len(value)), low, high)


@dataclass(frozen=True)
class VoteMethod:
    """How one round method fills in ballots, and how a vote cast again changes value."""

    ballots: Callable[[np.random.Generator, np.ndarray, Round], Ballots]
    recast: Callable[[np.random.Generator, np.ndarray], np.ndarray]


VOTE_METHODS: dict[str, VoteMethod] = {
    "pick": VoteMethod(_pick, _same_value),
    "rank": VoteMethod(_rank, _same_value),
    "rate": VoteMethod(_rate, _rerate),
}

# ---------------------------------------------------------------------------
# Rounds


def _round_votes(
    rng: np.random.Generator,
    m: Members,
    groups: np.ndarray,
    q: Questions,
    number: int,
    cand: np.ndarray,
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """One round's vote rows, plus each voter's member index and ballot day."""
    r = ROUNDS[number - 1]
    eligible = int(m.joined_by(r.closes))
    ok = ~m.withdrawn_before(r.opens)[:eligible]  # later withdrawals still voted
    e = m.engagement[:eligible]
    chance = np.clip(r.turnout * e / (e[ok].mean() if ok.any() else 1.0), 0.0, 0.95)
    voters = np.flatnonzero(ok & (rng.random(eligible) < chance))
    lo = np.maximum(m.joined[voters], r.opens)
    day = np.minimum(
        lo + (rng.beta(0.7, 1.6, len(voters)) * (r.closes - lo + 1)).astype(int), r.closes
    )
    at = day * DAY_S + 6 * 3600 + (rng.random(len(voters)) * 17 * 3600).astype(np.int64)
    util = _utilities(m, groups, voters, q, cand, r)
    vi, ci, pos, value = VOTE_METHODS[r.method].ballots(rng, util, r)
    gap = rng.integers(5, 40, len(voters))
    t = at[vi] + (pos + 1) * gap[vi]
    rows = {"question": cand[ci] + 1, "member": voters[vi] + 1, "t": t, "value": value}
    return _with_duplicates(rng, rows, r), voters, day


def _with_duplicates(
    rng: np.random.Generator, rows: dict[str, np.ndarray], r: Round
) -> dict[str, np.ndarray]:
    """About 1% of votes cast again later (the build keeps the latest), rates may change."""
    dup = np.flatnonzero(rng.random(len(rows["t"])) < 0.01)
    again = {k: v[dup] for k, v in rows.items()}
    again["t"] = np.minimum(
        again["t"] + rng.integers(600, 3 * DAY_S, len(dup)), r.closes * DAY_S + DAY_S - 1
    )
    again["value"] = VOTE_METHODS[r.method].recast(rng, again["value"])
    return {k: np.concatenate([rows[k], again[k]]) for k in rows}


def time_formats(rng: np.random.Generator, t: np.ndarray) -> np.ndarray:
    """Mostly naive UTC; a few `Z`, `+02:00` (same instant) and fractional seconds."""
    u = rng.random(len(t))
    fmt = np.zeros(len(t), dtype=np.int8)
    fmt[u < 0.003] = 1
    fmt[(u >= 0.003) & (u < 0.005) & (t % DAY_S < 21 * 3600)] = 2
    fmt[(u >= 0.005) & (u < 0.008)] = 3
    return fmt


def votes(
    rng: np.random.Generator, m: Members, q: Questions, cands: list[np.ndarray]
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """votes.csv rows for every round, and (member, day) of every ballot for activity."""
    groups = m.group()
    parts, ballot_members, ballot_days = [], [], []
    for number, cand in enumerate(cands, start=1):
        rows, voters, days = _round_votes(rng, m, groups, q, number, cand)
        rows["round"] = np.full(len(rows["t"]), number, dtype=np.int8)
        parts.append(rows)
        ballot_members.append(voters)
        ballot_days.append(days)
    t = np.concatenate([p["t"] for p in parts]).astype(np.int64)
    frame = pd.DataFrame(
        {
            "round": np.concatenate([p["round"] for p in parts]),
            "question": np.concatenate([p["question"] for p in parts]).astype(np.int16),
            "member": np.concatenate([p["member"] for p in parts]).astype(np.int32),
            "t": t,
            "fmt": time_formats(rng, t),
            "value": np.concatenate([p["value"] for p in parts]).astype(np.int8),
        }
    )
    return frame, np.concatenate(ballot_members), np.concatenate(ballot_days)
