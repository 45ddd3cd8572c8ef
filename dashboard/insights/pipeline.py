"""The five steps from question to result: where every research question is now.

iConquerMS's "5 steps for patient-driven research": a question is asked,
discussed, prioritized, studied, and its results shared. These are counts of
questions, not of people, so they are exact; the days between steps are
medians over questions, served only where at least MIN_QUESTIONS questions
have both dates, so no single member's action is dated. The context lists the
questions at each step (and the study that took each up), so a reader can follow
a step to what is behind it; question titles are public in every ranking already.
"""

from __future__ import annotations

import statistics
from typing import Any

import pandas as pd

from dashboard.db import Warehouse
from dashboard.filters import Filters
from dashboard.insights.result import ChartResult, new_result

# Each step: its id, the question statuses at it, and the column dating arrival there.
STEPS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("submitted", ("submitted",), "submitted_on"),
    ("in_discussion", ("in_discussion",), "discussed_on"),
    ("prioritized", ("shortlisted",), "prioritized_on"),
    ("in_study", ("in_study",), "studied_on"),
    ("results_shared", ("answered",), ""),
)
STEP_LABELS = {
    "submitted": "Asked",
    "in_discussion": "Discussed",
    "prioritized": "Prioritized",
    "in_study": "Studied",
    "results_shared": "Results shared",
}
SET_APART = ("archived",)
MIN_QUESTIONS = 3


def pipeline(wh: Warehouse, filters: Filters, k: int) -> ChartResult:
    """Questions at each step, how many moved on from it, and the median days to the next."""
    df, snap = wh.run_named("question_steps", {})
    result = new_result("pipeline", "From question to result: the five steps", "questions",
                        filters, snap, k, ["step", "label", "questions", "moved_on",
                                           "median_days_to_next"], set())  # fmt: skip
    at = [int(df["status"].isin(statuses).sum()) for _, statuses, _ in STEPS]
    for i, (step, _, dated) in enumerate(STEPS):
        later = sum(at[i + 1 :]) if i + 1 < len(STEPS) else None
        result.rows.append({
            "step": step, "label": STEP_LABELS[step], "questions": at[i], "moved_on": later,
            "median_days_to_next": _median_days(df, dated, STEPS[i + 1][2])
            if i + 1 < len(STEPS) else None,
        })  # fmt: skip
    result.context["steps"] = {
        step: [{"question_id": q, "title": t, "project_id": p if isinstance(p, str) else None}
               for q, t, p in df.loc[df["status"].isin(statuses),
                                     ["question_id", "title", "project_id"]].itertuples(False)]
        for step, statuses, _ in STEPS
    }  # fmt: skip
    result.context["archived"] = int(df["status"].isin(SET_APART).sum())
    result.context["min_questions_for_a_median"] = MIN_QUESTIONS
    return result


def _median_days(df: pd.DataFrame, start: str, end: str) -> float | None:
    """Median days from one step to the next over questions dated at both (or None)."""
    if not start or not end:
        return None
    both = df[df[start].notna() & df[end].notna()]
    days: list[Any] = [
        (pd.Timestamp(b) - pd.Timestamp(a)).days
        for a, b in zip(both[start], both[end], strict=True)
    ]
    days = [d for d in days if d >= 0]
    return float(statistics.median(days)) if len(days) >= MIN_QUESTIONS else None
