"""Research projects, the questions they grew from, and the question statuses that follow.

Statuses, kinds and partner types are the contract's values; the dicts below are keyed by
them (a test checks that they cover the contract's enumerations).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.warehouse.contract import PROJECT_KINDS
from dashboard.warehouse.synth.common import LAST, day_of
from dashboard.warehouse.synth.questions import Questions
from dashboard.warehouse.synth.rounds import round_spans
from dashboard.warehouse.synth.vocabulary import PROJECT_IDEAS

# status -> (earliest start, latest start); in_development projects have no dates yet.
WINDOWS = {
    "results_available": (day_of("2017-09-01"), day_of("2022-01-01")),
    "completed": (day_of("2019-06-01"), day_of("2025-03-01")),
    "in_progress": (day_of("2022-09-01"), day_of("2025-12-01")),
    "open_for_participation": (day_of("2025-06-01"), day_of("2026-09-15")),
}
DURATIONS = {  # days from start to close, by kind
    "survey": (120, 300),
    "participant_driven": (200, 540),
    "observational": (400, 1100),
    "clinical_trial": (500, 1300),
}
PARTNERS = {  # kind -> (partner types, their probabilities)
    "survey": (("network", "nonprofit", "academic"), (0.5, 0.3, 0.2)),
    "observational": (("academic", "nonprofit"), (0.7, 0.3)),
    "clinical_trial": (("industry", "academic"), (0.5, 0.5)),
    "participant_driven": (("network", "academic"), (0.8, 0.2)),
}


@dataclass
class Project:
    project_id: str
    title: str
    topic: int
    kind: str
    status: str
    partner: str
    start: int  # -1 = not started
    close: int  # -1 = open-ended (still running, or not started)
    target: int
    origin: int = -1  # 0-based question index, -1 = none


def _status_plan(count: int) -> list[str]:
    """14-18 statuses, every status at least twice; extras go to the busiest statuses."""
    plan = {"results_available": 3, "completed": 3, "in_progress": 3}
    plan |= {"open_for_participation": 3, "in_development": 2}
    extra = ("results_available", "in_progress", "open_for_participation", "completed")
    for status in extra[: count - 14]:
        plan[status] += 1
    return [s for s, k in plan.items() for _ in range(k)]


def _project_dates(rng: np.random.Generator, status: str, kind: str) -> tuple[int, int]:
    """Start and close day: finished projects closed before the as-of date, running ones
    have no close date yet (nothing in an export is dated after its as-of date)."""
    if status == "in_development":
        return -1, -1
    lo, hi = WINDOWS[status]
    if status in ("in_progress", "open_for_participation"):
        return int(rng.integers(lo, hi + 1)), -1
    duration = int(rng.integers(*DURATIONS[kind]))
    latest = min(hi, LAST - 45 - duration)
    if latest < lo:
        duration, latest = LAST - 45 - lo, lo
    start = int(rng.integers(lo, latest + 1))
    return start, start + duration


def _pick_ideas(rng: np.random.Generator, count: int) -> list[int]:
    """Indexes into PROJECT_IDEAS: one of every kind, the rest at random."""
    by_kind = [[i for i, idea in enumerate(PROJECT_IDEAS) if idea[1] == k] for k in PROJECT_KINDS]
    chosen = [int(rng.choice(ids)) for ids in by_kind]
    rest = [i for i in range(len(PROJECT_IDEAS)) if i not in chosen]
    chosen += rng.choice(rest, size=count - len(chosen), replace=False).tolist()
    return [chosen[i] for i in rng.permutation(len(chosen))]


def make_projects(rng: np.random.Generator, members: int) -> list[Project]:
    count = int(rng.integers(14, 19))
    scale = float(np.clip(members / 20_000, 0.05, 1.0))  # 150-2000 from 20k members up
    projects = []
    for status, idea in zip(_status_plan(count), _pick_ideas(rng, count), strict=True):
        topic, kind, title = PROJECT_IDEAS[idea]
        names, p = PARTNERS[kind]
        start, close = _project_dates(rng, status, kind)
        target = max(10, int(round(rng.integers(150, 2001) * scale, -1)))
        partner = str(rng.choice(names, p=p))
        projects.append(Project("", title, topic, kind, status, partner, start, close, target))
    projects.sort(key=lambda p: (p.start < 0, p.start))
    for i, p in enumerate(projects, start=1):
        p.project_id = f"P{i:02d}"
    return projects


def link_questions(
    rng: np.random.Generator, q: Questions, cands: list[np.ndarray], projects: list[Project]
) -> None:
    """Origins are the most appealing questions of a project's topic from rounds that closed
    before it started; a few related questions join them. Sets the questions' project ids."""
    first_open, last_close = round_spans(q, cands)
    for p in projects:
        begins = p.start if p.start >= 0 else LAST
        fits = (q.topic == p.topic) & (q.submitted < begins - 30)
        voted = (last_close >= 0) & (last_close < begins - 30)
        origins = np.flatnonzero(fits & voted & q.unlinked)
        if len(origins) and rng.random() < 0.8:
            p.origin = int(origins[np.argmax(q.appeal[origins])])
            q.project[p.origin] = p.project_id
        related = np.flatnonzero(fits & (first_open > begins) & q.unlinked)
        k = int(rng.integers(1, 3)) if p.status == "results_available" else int(rng.random() < 0.4)
        for i in rng.choice(related, size=min(k, len(related)), replace=False):
            q.project[int(i)] = p.project_id


def set_statuses(
    rng: np.random.Generator, q: Questions, cands: list[np.ndarray], projects: list[Project]
) -> None:
    """Taken up -> in_study/answered; voted on -> shortlisted (stale ones archived);
    the rest submitted, in discussion or archived, older ones archived more often."""
    project_status = {p.project_id: p.status for p in projects}
    _, last_close = round_spans(q, cands)
    for i in range(q.n):
        age = LAST - int(q.submitted[i])
        pid = q.project[i]
        if pid is not None:
            status = "answered" if project_status[pid] == "results_available" else "in_study"
        elif last_close[i] >= 0:
            stale = last_close[i] < LAST - 2 * 365
            status = "archived" if stale and rng.random() < 0.5 else "shortlisted"
        elif age < 120:
            status = "submitted"
        else:
            archived = 0.05 + 0.3 * min(age / 1825, 1.0)
            p = [0.03, 0.3, 0.67 - archived, archived]
            status = str(rng.choice(["shortlisted", "submitted", "in_discussion", "archived"], p=p))
        q.status[i] = status


def projects_frame(projects: list[Project]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "project_id": [p.project_id for p in projects],
            "title": [p.title for p in projects],
            "kind": [p.kind for p in projects],
            "status": [p.status for p in projects],
            "partner_type": [p.partner for p in projects],
            "start": [p.start for p in projects],
            "close": [p.close for p in projects],
            "target_enrollment": [p.target for p in projects],
            "origin": [p.origin for p in projects],
            "results_url": pd.array(
                [
                    f"https://example.org/results/{p.project_id}"
                    if p.status == "results_available"
                    else None
                    for p in projects
                ],
                dtype="str",
            ),
        }
    )
