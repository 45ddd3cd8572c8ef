"""Prioritization rounds: a hand-written history, and which questions each one put to a vote."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.warehouse.synth.common import LAST, day_of
from dashboard.warehouse.synth.questions import Questions
from dashboard.warehouse.synth.vocabulary import TOPICS


@dataclass(frozen=True)
class Round:
    """One prioritization round as planned; turnout is a share of eligible members."""

    round_id: str
    name: str
    opens: int
    closes: int
    method: str  # one of contract.ROUND_METHODS
    max_choices: int | None
    size: int
    turnout: float
    # The previous round's strongest non-winners put to the vote again; a Delphi second
    # round carries most of them and shows voters the first round's results (`feedback`).
    carry: int = 3
    feedback: bool = False


ROUNDS: tuple[Round, ...] = (
    Round("R1", "2017 priorities: pick your top 3", day_of("2017-06-01"), day_of("2017-06-30"),
          "pick", 3, 12, 0.32),
    Round("R2", "2018 priorities: rank your top 5", day_of("2018-05-01"), day_of("2018-05-31"),
          "rank", 5, 15, 0.25),
    Round("R3", "Spring 2019: rate, discuss & decide", day_of("2019-04-01"), day_of("2019-04-30"),
          "rate", None, 25, 0.32),
    Round("R4", "2020 priorities: pick your top 5", day_of("2020-05-01"), day_of("2020-06-15"),
          "pick", 5, 18, 0.24),
    Round("R5", "2021 priorities: rank your top 5", day_of("2021-10-01"), day_of("2021-10-31"),
          "rank", 5, 20, 0.28),
    Round("R6", "2023 priorities: rate every question", day_of("2023-03-01"),
          day_of("2023-03-31"), "rate", None, 25, 0.35),
    Round("R7", "2024 priorities: rate every question", day_of("2024-10-01"),
          day_of("2024-10-31"), "rate", None, 25, 0.35),
    Round("R8", "2026 priorities: rate again, seeing 2024's results", day_of("2026-04-01"),
          day_of("2026-04-30"), "rate", None, 25, 0.35, carry=20, feedback=True),
)  # fmt: skip


def round_candidates(rng: np.random.Generator, q: Questions) -> list[np.ndarray]:
    """Each round's question ids (0-based): every topic when possible, fresher ones likelier,
    and the strongest non-winners of the previous round carried over."""
    rounds: list[np.ndarray] = []
    previous: np.ndarray = np.empty(0, dtype=np.int64)
    for r in ROUNDS:
        available = np.flatnonzero(q.submitted <= r.opens - 14)
        carried = (previous[np.argsort(-q.appeal[previous])][1 : 1 + r.carry] if len(previous)
                   else previous)  # fmt: skip
        chosen = set(carried.tolist())
        recency = np.exp(-(r.opens - q.submitted) / 730.0)
        for t in rng.permutation(len(TOPICS)):
            options = [i for i in available[q.topic[available] == t] if i not in chosen]
            if options and len(chosen) < r.size:
                w = recency[options] / recency[options].sum()
                chosen.add(int(rng.choice(options, p=w)))
        rest = np.array([i for i in available if i not in chosen], dtype=np.int64)
        extra = min(r.size - len(chosen), len(rest))
        if extra > 0:
            w = recency[rest] / recency[rest].sum()
            chosen.update(rng.choice(rest, size=extra, replace=False, p=w).tolist())
        rounds.append(np.array(sorted(chosen), dtype=np.int64))
        previous = rounds[-1]
    return rounds


def round_spans(q: Questions, cands: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Per question: the first day it was put to a vote and the last round's close (-1: never)."""
    first_open = np.full(q.n, LAST + 1, dtype=np.int64)
    last_close = np.full(q.n, -1, dtype=np.int64)
    for r, c in zip(ROUNDS, cands, strict=True):
        first_open[c] = np.minimum(first_open[c], r.opens)
        last_close[c] = np.maximum(last_close[c], r.closes)
    return first_open, last_close


def rounds_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "round_id": [r.round_id for r in ROUNDS],
            "name": [r.name for r in ROUNDS],
            "opens": [r.opens for r in ROUNDS],
            "closes": [r.closes for r in ROUNDS],
            "method": [r.method for r in ROUNDS],
            "max_choices": pd.array([r.max_choices for r in ROUNDS], dtype="Int64"),
        }
    )
