"""Activity: logins and surveys month by month, plus one event per ballot, comment,
enrollment and submitted question, so monthly active members mean something.

Event kinds are positions in the contract's ACTIVITY_KINDS.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.warehouse.contract import ACTIVITY_KINDS, ROLES, STAGES
from dashboard.warehouse.synth.common import LAST, MONTHS, N_MONTHS, START, categorical
from dashboard.warehouse.synth.members import Members
from dashboard.warehouse.synth.projects import Project
from dashboard.warehouse.synth.questions import Questions
from dashboard.warehouse.synth.rounds import ROUNDS

LOGIN, SURVEY_COMPLETED, QUESTION_SUBMITTED, VOTE, COMMENT, ENROLLMENT = (
    ACTIVITY_KINDS.index(k)
    for k in ("login", "survey_completed", "question_submitted", "vote", "comment", "enrollment")
)

# (member index, day, kind) of events another section implies.
Events = tuple[np.ndarray, np.ndarray, int]

_CHUNK = 1 << 16


def _month_boost() -> np.ndarray:
    """Members are more active in months with an open round."""
    boost = np.ones(N_MONTHS)
    for r in ROUNDS:
        first, last = np.searchsorted(MONTHS, [r.opens, r.closes], side="right") - 1
        boost[first : last + 1] = 1.3
    return boost


def _logins(rng: np.random.Generator, m: Members) -> tuple[np.ndarray, ...]:
    """Active months per member: always the join month, then with a chance that decays
    from joining towards a floor (high for the core); 1+ events in each active month."""
    joined_month = np.searchsorted(MONTHS, m.joined, side="right") - 1
    last_day = np.where(m.withdrawn >= 0, m.withdrawn, LAST)
    last_month = np.searchsorted(MONTHS, last_day, side="right") - 1
    floor = np.where(m.core, 0.85, 0.12)
    per_month = np.where(m.core, 2.0, 0.35)
    decay = np.exp(-np.arange(N_MONTHS) / 9.0)
    boost, months = _month_boost(), np.arange(N_MONTHS)
    members, days, kinds = [], [], []
    for s in range(0, m.n, _CHUNK):
        sl = slice(s, s + _CHUNK)
        rel = months[None, :] - joined_month[sl, None]
        valid = (rel >= 0) & (months[None, :] <= last_month[sl, None])
        chance = m.activity[sl, None] * (
            floor[sl, None] + (1 - floor[sl, None]) * decay[np.maximum(rel, 0)]
        )
        chance = np.where(rel == 0, 1.0, chance * boost)
        ii, mm = np.nonzero(valid & (rng.random(chance.shape) < chance))
        ii = ii + s
        repeat = 1 + rng.poisson(per_month[ii])
        ii, mm = np.repeat(ii, repeat), np.repeat(mm, repeat)
        lo = np.maximum(MONTHS[mm], m.joined[ii])
        hi = np.minimum(MONTHS[mm + 1] - 1, last_day[ii])
        members.append(ii)
        days.append(lo + (rng.random(len(ii)) * (hi - lo + 1)).astype(np.int64))
        kinds.append(np.where(rng.random(len(ii)) < 0.88, LOGIN, SURVEY_COMPLETED))
    return np.concatenate(members), np.concatenate(days), np.concatenate(kinds)


def _submitters(rng: np.random.Generator, m: Members, q: Questions) -> Events:
    """question_submitted events: a member of the stated role (else anyone) who had joined
    when the question was submitted; none when nobody had joined yet."""
    by_role = [np.flatnonzero(m.role == r) for r in range(len(ROLES))]
    everyone = np.arange(m.n)
    members, days = [], []
    for i in range(q.n):
        joined = int(m.joined_by(q.submitted[i]))
        pool = by_role[q.role[i]] if q.role[i] >= 0 else everyone
        count = int(np.searchsorted(pool, joined))
        if count == 0:
            pool, count = everyone, joined
        if count > 0:
            members.append(int(pool[int(rng.integers(0, count))]))
            days.append(int(q.submitted[i]))
    return np.array(members, dtype=np.int64), np.array(days, dtype=np.int64), QUESTION_SUBMITTED


def enrollment_events(enrollments: pd.DataFrame, projects: list[Project]) -> list[Events]:
    """Activity rows implied by enrollments: enrolling, and completing a survey project."""
    member = enrollments["member"].to_numpy().astype(np.int64) - 1
    day = enrollments["day"].to_numpy().astype(np.int64)
    stage = enrollments["stage"].cat.codes.to_numpy()
    kind = np.array([p.kind for p in projects])[enrollments["project"].cat.codes.to_numpy()]
    enrolled = stage == STAGES.index("enrolled")
    survey_done = (stage == STAGES.index("completed")) & (kind == "survey")
    return [
        (member[enrolled], day[enrolled], ENROLLMENT),
        (member[survey_done], day[survey_done], SURVEY_COMPLETED),
    ]


def activity(
    rng: np.random.Generator, m: Members, q: Questions, events: list[Events]
) -> pd.DataFrame:
    """activity.csv: logins and surveys, plus one row per ballot, comment, enrollment and
    submitted question; sorted by member and day."""
    member, day, kind = _logins(rng, m)
    events = [*events, _submitters(rng, m, q)]
    member = np.concatenate([member, *[e[0] for e in events]])
    day = np.concatenate([day, *[e[1] for e in events]])
    kind = np.concatenate([kind, *[np.full(len(e[0]), e[2]) for e in events]])
    order = np.argsort((member << 15) | ((day - START) << 3) | kind, kind="stable")
    return pd.DataFrame(
        {
            "member": (member[order] + 1).astype(np.int32),
            "day": day[order].astype(np.int32),
            "kind": categorical(kind[order], ACTIVITY_KINDS),
        }
    )
