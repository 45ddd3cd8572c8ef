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
