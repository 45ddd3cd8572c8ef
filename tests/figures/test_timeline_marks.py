"""Rounds and events on the monthly time series: bands, dotted lines, labels, on every size."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from dashboard.engine import Engine
from dashboard.figures import chart_figures as cf
from dashboard.figures import summaries
from dashboard.filters import Filters
from dashboard.insights.result import ChartResult

SIZES = ("page", "embed", "slide")
D = dt.date


def mark(kind: str, label: str, start: dt.date, end: dt.date | None = None,
         round_id: str | None = None) -> dict[str, Any]:  # fmt: skip
    return {"kind": kind, "label": label, "round_id": round_id, "starts_on": start,
            "ends_on": end}  # fmt: skip


def result(chart: str, field: str, months: list[dt.date], events: list[dict]) -> ChartResult:
    out = ChartResult(chart, "Monthly active members, by role", "m", Filters(), "b",
                      "2026-11-01", 11, [], frozenset())  # fmt: skip
    out.rows = [{"month": m, "role": "all", field: 100 + 10 * i} for i, m in enumerate(months)]
    out.context["events"] = events
    return out


MONTHS = [D(2026, m, 1) for m in range(1, 7)]  # January to June 2026
EVENTS = [
    mark("round", "2025 priorities: rate", D(2025, 3, 1), D(2025, 3, 31), "R7"),  # before
    mark("campaign", "Winter drive", D(2025, 12, 15), D(2026, 1, 10)),  # started before
    mark("newsletter", "February newsletter", D(2026, 2, 5)),
    mark("round", "2026 priorities: rate again", D(2026, 3, 1), D(2026, 4, 30), "R8"),
    mark("webinar", "Results webinar", D(2026, 6, 20)),  # in June: inside
    mark("newsletter", "July newsletter", D(2026, 7, 3)),  # after
]


def shapes(fig, prefix: str) -> list:
    return [s for s in fig.layout.shapes if (s.name or "").startswith(prefix)]


def annotations(fig, name: str) -> list:
    return [a for a in fig.layout.annotations if a.name == name]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(("builder", "chart", "field"), [
    (cf.active_members, "active-members", "active"),
    (cf.members, "members", "members"),
    (cf.new_members, "members", "new_members"),
])  # fmt: skip
def test_rounds_are_bands_and_events_dotted_lines_within_the_window(
    builder, chart: str, field: str, size: str
) -> None:
    fig = builder(result(chart, field, MONTHS, EVENTS), size)
    bands = shapes(fig, "round")
    assert [(b.type, b.x0, b.x1, b.yref, b.layer) for b in bands] == [
        ("rect", "2026-03-01", "2026-05-01", "paper", "below")  # open to close, behind the line
    ]
    lines = shapes(fig, "event")
    assert [(s.type, s.x0, s.x1, s.line.dash) for s in lines] == [
        ("line", "2026-02-05", "2026-02-05", "dot"),
        ("line", "2026-06-20", "2026-06-20", "dot"),
    ]
    rounds = annotations(fig, "round label")
    assert [(a.text, a.x, a.yref, a.y) for a in rounds] == [("2026 priorities", "2026-03-01",
                                                             "paper", 1)]  # fmt: skip
    assert rounds[0].hovertext == ("2026 priorities: rate again (prioritization round): "
                                   "1 Mar–30 Apr 2026")  # fmt: skip
    events = {a.text: a for a in annotations(fig, "event label")}
    assert set(events) == {"February newsletter", "Results webinar"}
    assert events["February newsletter"].hovertext == "Newsletter: February newsletter, 5 Feb 2026"
    text = json.dumps(fig.to_plotly_json(), default=str)
    for outside in ("Winter drive", "July newsletter", "2025 priorities"):
        assert outside not in text


@pytest.mark.parametrize("size", SIZES)
def test_a_round_open_across_the_window_edge_is_cut_to_it(size: str) -> None:
    events = [mark("round", "Long round", D(2025, 11, 1), D(2026, 2, 14), "R9")]
    fig = cf.active_members(result("active-members", "active", MONTHS, events), size)
    assert [(s.x0, s.x1) for s in shapes(fig, "round")] == [("2026-01-01", "2026-02-15")]


@pytest.mark.parametrize("size", SIZES)
def test_labels_are_text_never_markup(size: str) -> None:
    hostile = '<img src=x onerror="alert(1)"> & <b>bold</b>'
    events = [mark("other", hostile, D(2026, 2, 1)),
              mark("round", f"{hostile}: a round", D(2026, 4, 1), D(2026, 4, 30), "R1")]  # fmt: skip
    fig = cf.active_members(result("active-members", "active", MONTHS, events), size)
    labels = annotations(fig, "event label") + annotations(fig, "round label")
    assert len(labels) == 2
    for a in labels:
        assert "&lt;" in a.text or "&lt;" in a.hovertext
        assert len(a.text) <= 60  # cut on the chart (entities included), whole in the hover
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in (
        annotations(fig, "event label")[0].hovertext
    )
    serialized = fig.to_json()
    assert "<img" not in serialized and "<b>" not in serialized


def test_the_y_axis_leaves_room_for_the_labels() -> None:
    fig = cf.active_members(result("active-members", "active", MONTHS, EVENTS), "page")
    top = max(r for t in fig.data for r in t.y)
    assert fig.layout.yaxis.range[0] == 0 and fig.layout.yaxis.range[1] > top * 1.05
    plain = cf.active_members(result("active-members", "active", MONTHS, []), "page")
    assert plain.layout.yaxis.range is None and not plain.layout.shapes


def test_close_rounds_are_staggered_then_left_out_and_the_chart_says_so() -> None:
    months = [D(2026, m, 1) for m in range(1, 13)]
    close = [mark("round", f"Round number {i}: x", D(2026, 3, 1 + 3 * i), D(2026, 3, 2 + 3 * i),
                  f"R{i}") for i in range(5)]  # fmt: skip
    fig = cf.active_members(result("active-members", "active", months, close), "embed")
    assert len(shapes(fig, "round")) == 5  # every round is shaded
    labelled = annotations(fig, "round label")
    assert {a.yshift for a in labelled} == {-3, -18}  # two rows
    assert 2 <= len(labelled) < 5
    note = annotations(fig, "events note")
    assert [a.text for a in note] == [f"Not labelled where marks are close: {5 - len(labelled)} "
                                      f"round{'s' if 5 - len(labelled) > 1 else ''}."]  # fmt: skip
    assert note[0].yref == "paper" and note[0].y == 0 and note[0].yanchor == "top"
    spread = cf.active_members(result("active-members", "active", months, close[:1]), "embed")
    assert not annotations(spread, "events note")


def test_a_label_near_the_right_edge_ends_at_its_mark() -> None:
    events = [mark("campaign", "A late campaign", D(2026, 6, 28))]
    fig = cf.active_members(result("active-members", "active", MONTHS, events), "embed")
    assert annotations(fig, "event label")[0].xanchor == "right"
    events = [mark("campaign", "An early campaign", D(2026, 1, 2))]
    fig = cf.active_members(result("active-members", "active", MONTHS, events), "embed")
    assert annotations(fig, "event label")[0].xanchor == "left"


def test_a_monthly_newsletter_over_years_is_left_out_and_said() -> None:
    months = [D(y, m, 1) for y in range(2020, 2026) for m in range(1, 13)]
    letters = [mark("newsletter", f"{m:%B} newsletter", m + dt.timedelta(days=4)) for m in months]
    campaigns = [mark("campaign", "Spring drive", D(2022, 3, 1), D(2022, 3, 31))]
    fig = cf.members(result("members", "members", months, letters + campaigns), "page")
    assert [s.name for s in shapes(fig, "event")] == ["event campaign"]
    assert [a.text for a in annotations(fig, "events note")] == [
        "Not marked over this span: 72 newsletters."
    ]
    year = [m for m in months if m.year == 2023]
    fig = cf.members(result("members", "members", year, letters + campaigns), "page")
    assert len(shapes(fig, "event")) == 12  # one year: every newsletter is drawn


def test_a_long_note_wraps_to_the_embed_and_the_margin_grows() -> None:
    months = [D(y, m, 1) for y in range(2016, 2026) for m in range(1, 13)]
    many = [mark(kind, f"{kind} {i}", D(2016 + i // 4, 1 + 3 * (i % 4), 2))
            for kind in ("newsletter", "webinar", "other") for i in range(40)]  # fmt: skip
    rounds = [mark("round", f"Round {i}", D(2016 + i, 6, 1), D(2016 + i, 6, 9), f"R{i}")
              for i in range(10)]  # fmt: skip
    fig = cf.members(result("members", "members", months, many + rounds), "embed")
    note = annotations(fig, "events note")[0].text
    assert "<br>" in note and "40 newsletters" in note
    assert all(len(line) <= 520 / (0.6 * 11) for line in note.split("<br>"))
    assert fig.layout.margin.b >= 46 + 16 * (note.count("<br>") + 1)


def test_the_summary_names_the_latest_round_shown() -> None:
    active = result("active-members", "active", MONTHS, EVENTS)
    assert summaries.active_members(active) == (
        "150 members active in 2026-06-01. Rounds are shaded; the latest shown, "
        "2026 priorities, ran 1 Mar–30 Apr 2026."
    )
    assert "Rounds" not in summaries.active_members(
        result("active-members", "active", MONTHS, EVENTS[1:3])
    )


def test_date_spans_read_naturally() -> None:
    assert cf.date_span(D(2026, 3, 5), None) == "5 Mar 2026"
    assert cf.date_span(D(2026, 4, 1), D(2026, 4, 30)) == "1–30 Apr 2026"
    assert cf.date_span(D(2025, 12, 1), D(2026, 1, 31)) == "1 Dec 2025–31 Jan 2026"
    assert cf.month_end(D(2024, 2, 1)) == D(2024, 2, 29)


# --- the fixture network, through the engine (published results) ---------------------


@pytest.mark.parametrize("size", SIZES)
def test_fixture_activity_chart_marks_its_two_autumn_events(engine: Engine, size: str) -> None:
    """Active members cover Sep-Oct 2026: the September newsletter and the webinar show;
    the 2019 campaign, the 2023 newsletter and every round (2024-2026 January) do not."""
    fig = cf.active_members(engine.run("active-members", {}), size)
    assert [s.x0 for s in shapes(fig, "event")] == ["2026-09-15", "2026-10-01"]
    assert not shapes(fig, "round")
    texts = [a.text for a in annotations(fig, "event label")]
    assert texts == ["September newsletter", "Q&amp;A webinar: &lt;b&gt;ask&lt;/b&gt; us"]


def test_fixture_members_chart_marks_the_2019_campaign(engine: Engine) -> None:
    fig = cf.members(engine.run("members", {}), "page")  # joins 2017-03 to 2020-06
    assert [s.x0 for s in shapes(fig, "event")] == ["2019-03-01"]
    assert [a.hovertext for a in annotations(fig, "event label")] == [
        "Campaign: MS awareness month campaign, 1–31 Mar 2019"
    ]
