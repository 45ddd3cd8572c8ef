"""Enrollments: each project's participation funnel, one row per stage a member reached.

The funnel walks the contract's STAGES in order: invited, then one step per FUNNEL entry
up to enrolled, then completed or withdrawn.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.warehouse.contract import STAGES
from dashboard.warehouse.synth.common import LAST, categorical
from dashboard.warehouse.synth.members import CAREGIVER, PERSON_WITH_MS, Members
from dashboard.warehouse.synth.projects import Project
from dashboard.warehouse.synth.questions import CAREGIVING

# invited -> screened -> eligible -> consented -> enrolled: (mean days, pass rate) per step
FUNNEL = ((7.0, 0.72), (10.0, 0.8), (7.0, 0.86), (14.0, 0.92))
FUNNEL_YIELD = float(np.prod([rate for _, rate in FUNNEL]))
RECRUIT = {  # status -> enrolled as a share of target (low, high), completion rate
    "results_available": (0.7, 1.2, 0.8),
    "completed": (0.7, 1.2, 0.8),
    "in_progress": (0.5, 1.0, 0.2),
    "open_for_participation": (0.1, 0.5, 0.03),
}
FOLLOW_UP = {  # typical days from enrolling to completing, by kind
    "survey": 20,
    "participant_driven": 120,
    "observational": 300,
    "clinical_trial": 270,
}


def _invitees(rng: np.random.Generator, m: Members, p: Project) -> np.ndarray:
    """Members invited to a project: joined before it started, of the right role,
    active members likelier; sampled without replacement."""
    n = int(m.joined_by(p.start))
    ok = ~m.withdrawn_before(p.start)[:n]
    if p.topic == CAREGIVING:
        ok &= m.role[:n] == CAREGIVER
    elif p.kind in ("clinical_trial", "observational"):
        ok &= m.role[:n] == PERSON_WITH_MS
    pool = np.flatnonzero(ok)
    low, high, _ = RECRUIT[p.status]
    want = int(p.target * rng.uniform(low, high) / FUNNEL_YIELD)
    count = min(want, int(0.6 * len(pool)))
    if count <= 0:
        return pool[:0]
    keys = rng.exponential(size=len(pool)) / np.maximum(m.activity[pool], 1e-6)
    return np.sort(pool[np.argpartition(keys, count - 1)[:count]])


def _funnel(rng: np.random.Generator, m: Members, p: Project) -> dict[str, np.ndarray]:
    """One project's stage rows: each stage reached on or after the previous one, inside
    the project's window; running projects only have what happened by the as-of date."""
    invited = _invitees(rng, m, p)
    n = len(invited)
    end = p.close if p.close >= 0 else LAST
    recruit = max(30, int((end - p.start) * (0.5 if p.close >= 0 else 1.0)))
    day = p.start + (rng.random(n) ** 1.3 * recruit).astype(np.int64)
    reached = np.ones(n, dtype=bool)
    days, masks = [day], [reached]
    for gap, rate in FUNNEL:
        day = day + rng.exponential(gap, n).astype(np.int64)
        if p.close >= 0:  # a closed project squeezed late steps in; a running one has not yet
            day = np.minimum(day, end)
        reached = reached & (rng.random(n) < rate) & (day <= end)
        days.append(day)
        masks.append(reached)
    enrolled_day, enrolled = days[-1], masks[-1]
    follow = (FOLLOW_UP[p.kind] * rng.uniform(0.5, 1.5, n)).astype(np.int64)
    done_day = enrolled_day + follow
    if p.close >= 0:
        done_day = np.minimum(done_day, end)
    done = enrolled & (rng.random(n) < RECRUIT[p.status][2]) & (done_day <= end)
    quit_day = enrolled_day + (rng.random(n) * (end - enrolled_day + 1)).astype(np.int64)
    quit_day = np.minimum(quit_day, end)
    quit = enrolled & ~done & (rng.random(n) < (0.4 if p.close >= 0 else 0.1))
    days += [done_day, quit_day]
    masks += [done, quit]  # one mask per STAGES entry, in order
    member = np.concatenate([invited[k] for k in masks])
    stage = np.concatenate([np.full(int(k.sum()), s, dtype=np.int8) for s, k in enumerate(masks)])
    when = np.concatenate([d[k] for d, k in zip(days, masks, strict=True)])
    order = np.lexsort((stage, member))
    return {"member": member[order], "stage": stage[order], "day": when[order]}


def enrollments(rng: np.random.Generator, m: Members, projects: list[Project]) -> pd.DataFrame:
    """enrollments.csv rows, project by project; in_development projects have none."""
    parts = []
    for number, p in enumerate(projects):
        if p.start < 0:
            continue
        rows = _funnel(rng, m, p)
        rows["project"] = np.full(len(rows["member"]), number, dtype=np.int16)
        parts.append(rows)
    cols = {k: np.concatenate([r[k] for r in parts]) for k in ("project", "member", "stage", "day")}
    return pd.DataFrame(
        {
            "project": categorical(cols["project"], [p.project_id for p in projects]),
            "member": (cols["member"] + 1).astype(np.int32),
            "stage": categorical(cols["stage"], STAGES),
            "day": cols["day"].astype(np.int32),
        }
    )
