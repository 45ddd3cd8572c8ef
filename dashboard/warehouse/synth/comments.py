"""Comments: a discussion tail after each question is submitted, bursts while it is voted on.

No text is exported (see the contract), so a comment is a question, a member and a time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.warehouse.synth.common import DAY_S, LAST
from dashboard.warehouse.synth.members import Members
from dashboard.warehouse.synth.questions import Questions
from dashboard.warehouse.synth.rounds import ROUNDS


def _weighted_members(rng: np.random.Generator, m: Members, day: np.ndarray) -> np.ndarray:
    """For each day, a member who had joined by then, active members more likely."""
    cum = np.cumsum(m.activity)
    joined = np.maximum(m.joined_by(day), 1)
    pick = np.searchsorted(cum, rng.random(len(day)) * cum[joined - 1], side="right")
    return np.minimum(pick, joined - 1)


def _comment_days(
    rng: np.random.Generator, q: Questions, cands: list[np.ndarray], scale: float
) -> tuple[np.ndarray, np.ndarray]:
    """(question index, day) of every comment: a discussion tail after submission, and
    bursts while a question is up for a vote."""
    rounds_of: list[list[int]] = [[] for _ in range(q.n)]
    for number, cand in enumerate(cands):
        for i in cand:
            rounds_of[int(i)].append(number)
    questions, days = [], []
    for i in range(q.n):
        age = LAST - int(q.submitted[i])
        base = rng.lognormal(1.6, 0.9) * scale * (3 + len(rounds_of[i]) if rounds_of[i] else 1)
        base *= 1.5 if q.status[i] in ("in_study", "answered") else 1.0
        n = int(rng.poisson(base * (0.3 + 0.7 * min(age / 365, 1.0))))
        day = q.submitted[i] + rng.exponential(90.0, n).astype(np.int64)
        if rounds_of[i]:
            which = rng.choice(rounds_of[i], n)
            opens = np.array([ROUNDS[j].opens for j in rounds_of[i]])[
                np.searchsorted(rounds_of[i], which)
            ]
            closes = np.array([ROUNDS[j].closes for j in rounds_of[i]])[
                np.searchsorted(rounds_of[i], which)
            ]
            during = opens + (rng.random(n) * (closes - opens + 1)).astype(np.int64)
            day = np.where(rng.random(n) < 0.6, during, day)
        questions.append(np.full(n, i, dtype=np.int64))
        days.append(np.minimum(day, LAST))
    return np.concatenate(questions), np.concatenate(days)


def comments(
    rng: np.random.Generator, m: Members, q: Questions, cands: list[np.ndarray]
) -> pd.DataFrame:
    """comments.csv rows in posting order; nobody comments after withdrawing consent."""
    question, day = _comment_days(rng, q, cands, m.n / 6000)
    day = np.maximum(day, m.joined[0])
    member = _weighted_members(rng, m, day)
    keep = ~((m.withdrawn[member] >= 0) & (m.withdrawn[member] < day))
    question, day, member = question[keep], day[keep], member[keep]
    t = day * DAY_S + 7 * 3600 + (rng.random(len(day)) * 16 * 3600).astype(np.int64)
    order = np.argsort(t, kind="stable")
    fmt = np.where(rng.random(len(t)) < 0.005, 1, 0).astype(np.int8)
    return pd.DataFrame(
        {
            "question": (question[order] + 1).astype(np.int16),
            "member": (member[order] + 1).astype(np.int32),
            "t": t[order],
            "fmt": fmt,
        }
    )
