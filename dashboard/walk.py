"""Filter sets that walk every chart: for comparing releases and measuring what is withheld.

Every chart with no filter, each single value of each of its filters (group values
from the allow-lists; closed rounds, projects, questions and topics from the warehouse:
a round still open is not served, see priorities.list_rounds),
and every round crossed with role, age band and sex. Not every filter set the API
allows (that is millions at scale), but every chart, filter and round is reached.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dashboard.catalogue import CHARTS
from dashboard.filters import GROUP_VALUES

if TYPE_CHECKING:
    from dashboard.engine import Engine

CROSSED = ("role", "age_band", "sex")


def filter_sets(engine: Engine, questions: int = 5) -> list[tuple[str, dict[str, str]]]:
    """(chart id, query args) pairs; a question chart always names a real question."""
    rounds = [r.round_id for r in engine.rounds()]
    trail = engine.run("question-trail", {}).rows
    values = {
        "round": rounds,
        "project": [r["project_id"] for r in engine.run("projects", {}).rows],
        "question": [q["question_id"] for q in trail][:questions],
        "topic": sorted({str(q["topic"]) for q in trail}),
        "compare": list(GROUP_VALUES)[:7],
        "vs": ["all", "role=caregiver", "ms_course=progressive"],
        "method": ["share", "balanced"],
        **{d: list(v) for d, v in GROUP_VALUES.items() if v},
        "country": ["US", "GB", "CA"],
    }
    out: list[tuple[str, dict[str, str]]] = []
    for chart in CHARTS:
        base = {"question": values["question"][0]} if chart.needs_question and trail else {}
        out.append((chart.id, base))
        for name in chart.filters:
            out += [(chart.id, {**base, name: v}) for v in values.get(name, [])]
        if "round" in chart.filters:
            for dim in CROSSED:
                if dim in chart.filters:
                    out += [(chart.id, {"round": r, dim: v}) for r in rounds
                            for v in GROUP_VALUES[dim]]  # fmt: skip
    return out
