"""The time series' rounds and events travel in the result's context, published ones too."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dashboard.catalogue import CATALOGUE
from dashboard.config import Settings
from dashboard.db import Warehouse
from dashboard.engine import Engine
from dashboard.filters import Filters
from dashboard.insights import participation
from dashboard.insights.publication import decode_result

K = 11
FIXTURE_EVENTS = {("campaign", dt.date(2019, 3, 1)), ("newsletter", dt.date(2023, 5, 10)),
                  ("round", dt.date(2024, 1, 1)), ("round", dt.date(2025, 1, 1)),
                  ("round", dt.date(2026, 1, 1)), ("newsletter", dt.date(2026, 9, 15)),
                  ("webinar", dt.date(2026, 10, 1))}  # fmt: skip


@pytest.mark.parametrize("chart", ["members", "active-members"])
def test_the_build_publishes_the_events_with_the_result(fixture_warehouse: Path,
                                                        chart: str) -> None:  # fmt: skip
    assert CATALOGUE[chart].published is not None  # otherwise this test proves nothing
    wh = Warehouse(fixture_warehouse, timeout_s=5)
    found, _ = wh.run_named("published_result", {"chart": chart, "key": "none", "k": K})
    stored = decode_result(str(found["body"].iloc[0]), Filters())
    events = stored.context["events"]
    assert {(e["kind"], e["starts_on"]) for e in events} == FIXTURE_EVENTS
    assert events == participation.timeline_events(wh)  # dates come back as dates


@pytest.mark.parametrize("chart", ["members", "active-members"])
def test_a_request_reads_the_events_from_the_publication(fixture_warehouse: Path, monkeypatch,
                                                         chart: str) -> None:  # fmt: skip
    def forbidden(*a, **kw):
        raise AssertionError("a request computed the chart instead of reading it")

    monkeypatch.setattr(participation, "timeline_events", forbidden)
    engine = Engine(Settings(warehouse=fixture_warehouse, k=K, query_timeout_s=5,
                             network_name=""), shared=None)  # fmt: skip
    result = engine.run(chart, {"role": "caregiver", "from": "2017-01-01", "to": "2026-12-31"})
    assert {(e["kind"], e["starts_on"]) for e in result.context["events"]} == FIXTURE_EVENTS
    fig = CATALOGUE[chart].figure(result, "embed")
    assert any((s.name or "").startswith("event") for s in fig.layout.shapes)
