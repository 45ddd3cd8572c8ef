"""Research questions: when members submitted them, on which topic, in whose words.

Titles come from the vocabulary's templates; the awkward titles are given to questions
of their topic once the rounds are known, so most of them are put to a vote.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np
import pandas as pd

from dashboard.warehouse.contract import QUESTION_STATUSES, ROLES
from dashboard.warehouse.synth.common import MONTHS, N_MONTHS, categorical, join_weights
from dashboard.warehouse.synth.vocabulary import SPECIAL_TITLES, TEMPLATES, TOPICS

# Share of questions per topic, in TOPICS order.
TOPIC_WEIGHTS = np.array([0.16, 0.12, 0.14, 0.12, 0.11, 0.11, 0.08, 0.09, 0.07])
CAREGIVING = TOPICS.index("Caregiving & support")


@dataclass
class Questions:
    """Questions in submission order (id Q0001 is the oldest)."""

    submitted: np.ndarray
    topic: np.ndarray
    appeal: np.ndarray
    role: np.ndarray  # index into ROLES, -1 = empty
    titles: list[str]
    status: list[str]
    project: list[str | None]

    @property
    def n(self) -> int:
        return len(self.submitted)

    @property
    def unlinked(self) -> np.ndarray:
        """Questions no project has taken up yet."""
        return np.array([pid is None for pid in self.project])


def question_count(members: int) -> int:
    """About 300 questions for a few thousand members, growing slowly, capped at 400."""
    return int(np.clip(round(200 + 30 * np.log10(max(members, 1))), 120, 400))


def _title_pool(rng: np.random.Generator, topic: int) -> list[str]:
    """Every title a topic's templates can produce, in a seeded random order."""
    titles = [t.format(*combo) for t, slots in TEMPLATES[topic] for combo in product(*slots)]
    return [titles[i] for i in rng.permutation(len(titles))]


def _question_topics(rng: np.random.Generator, n: int, capacity: list[int]) -> np.ndarray:
    """Topics by TOPIC_WEIGHTS, never more questions than a topic has titles."""
    topics = np.empty(n, dtype=np.int64)
    left = np.array(capacity, dtype=np.float64)
    first = rng.permutation(len(TOPICS))  # early questions cover every topic
    for i in range(n):
        if i < len(first):
            t = int(first[i])
        else:
            w = TOPIC_WEIGHTS * (left > 0)
            t = int(rng.choice(len(TOPICS), p=w / w.sum()))
        topics[i] = t
        left[t] -= 1
    return topics


def make_questions(rng: np.random.Generator, members: int) -> Questions:
    n = question_count(members)
    early = 30  # questions from the first months, so the first round has candidates
    month_w = 0.4 + np.cumsum(join_weights())
    month = np.concatenate(
        [rng.integers(0, 6, early), rng.choice(N_MONTHS, n - early, p=month_w / month_w.sum())]
    )
    submitted = np.sort(MONTHS[month] + (rng.random(n) * np.diff(MONTHS)[month]).astype(int))
    pools = [_title_pool(rng, t) for t in range(len(TOPICS))]
    topic = _question_topics(rng, n, [len(p) for p in pools])
    titles = [pools[t].pop() for t in topic]
    # One more choice than ROLES: the last one leaves submitted_by_role empty.
    role = np.where(
        topic == CAREGIVING,
        rng.choice(len(ROLES) + 1, size=n, p=[0.25, 0.7, 0.04, 0.01]),
        rng.choice(len(ROLES) + 1, size=n, p=[0.82, 0.11, 0.05, 0.02]),
    )
    role[role == len(ROLES)] = -1
    appeal = rng.normal(0.0, 0.7, n)
    return Questions(submitted, topic, appeal, role, titles, [""] * n, [None] * n)


def place_special_titles(rng: np.random.Generator, q: Questions, cands: list[np.ndarray]) -> None:
    """Give the awkward titles to questions of their topic, preferably ones put to a vote."""
    in_round = np.zeros(q.n, dtype=bool)
    for c in cands:
        in_round[c] = True
    used: set[int] = set()
    for topic, title in SPECIAL_TITLES:
        same = [i for i in range(q.n) if q.topic[i] == topic and i not in used]
        voted = [i for i in same if in_round[i]]
        i = int(rng.choice(voted or same))
        q.titles[i] = title
        used.add(i)


def questions_frame(q: Questions) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "question_id": [f"Q{i:04d}" for i in range(1, q.n + 1)],
            "submitted": q.submitted.astype(np.int32),
            "submitted_by_role": categorical(q.role, ROLES),
            "topic": categorical(q.topic, TOPICS),
            "title": q.titles,
            "status": categorical(
                np.array([QUESTION_STATUSES.index(s) for s in q.status]), QUESTION_STATUSES
            ),
            "project_id": pd.array(q.project, dtype="str"),
        }
    )
