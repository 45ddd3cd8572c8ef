"""Summaries in plain language (#15 item 3): what a researcher reads, and a screen reader
hears, names questions by their words and groups by their names, never by codes."""

from __future__ import annotations

import re

from dashboard.catalogue import CHARTS
from dashboard.engine import Engine
from dashboard.filters import FilterError

CODES = re.compile(r"\bQ\d+\b|person_with_ms|ms_course|voter_group|\bcaregiver\b")
VIEWS = ({}, {"round": "R1"}, {"round": "R2"}, {"compare": "role"},
         {"round": "R1", "compare": "role"}, {"method": "balanced", "compare": "role"},
         {"method": "bridging", "compare": "role"}, {"question": "Q1"},
         {"question": "Q2", "round": "R1"}, {"consensus_rule": "median_iqr"})  # fmt: skip


def test_no_summary_speaks_in_codes(engine: Engine) -> None:
    said: dict[str, int] = {}
    for chart in CHARTS:
        for args in VIEWS:
            try:
                result = engine.run(chart.id, args)
            except FilterError:
                continue  # not a view of this chart
            text = chart.summary(result)
            assert not CODES.search(text), (chart.id, args, text)
            said[chart.id] = said.get(chart.id, 0) + 1
    # The summaries that used to list codes were all said, in some view.
    assert {"round-shifts", "group-top", "consensus", "consensus-change",
            "priorities-balanced", "question-trail", "question-trend"} <= set(said)  # fmt: skip


def test_groups_are_named_as_people_in_every_dimension() -> None:
    from dashboard.figures import summaries
    from dashboard.filters import Filters
    from dashboard.insights.result import ChartResult

    def result(chart: str, rows: list[dict], **context) -> ChartResult:
        return ChartResult(chart, "t", "m", Filters(), "b", "2026-01-01", 11, [], frozenset(),
                           rows, context=context)  # fmt: skip

    top = result("group-top",
                 [{"group": "combined", "question_id": "Q1", "title": "Is heat bad?"},
                  {"group": "caregiver", "question_id": "Q1", "title": "Is heat bad?"}],
                 groups=["person_with_ms", "caregiver"], compare="role",
                 left_out={"person_with_ms": ["Q1"], "caregiver": ["Q1"]})  # fmt: skip
    assert summaries.group_top(top) == (
        "Left out of the combined top 10 but in a group's top 10: “Is heat bad?” (top 10 of "
        "people with MS, caregivers)."
    )
    ages = result("priorities-balanced",
                  [{"balanced_rank": 1, "question_id": "Q1", "title": "Is heat bad?"}],
                  groups=["30-39", "40-49"], compare="age_band")  # fmt: skip
    assert summaries.balanced(ages) == (
        "Balanced across voters aged 30-39, voters aged 40-49; first: “Is heat bad?”."
    )
