"""Slides from the Engine: the default deck renders, trends carry their uncertainty."""

from __future__ import annotations

import datetime as dt

import pytest
from dash import Dash

from dashboard.engine import Engine
from dashboard.filters import Filters
from dashboard.insights.result import ChartResult
from dashboard.insights.stats import newcombe_difference
from dashboard.present.default_deck import STATE_OF_THE_NETWORK
from dashboard.present.render import deck_status, render_slide
from dashboard.present.slides import change_rows, quarter_rows
from dashboard.present.store import DeckStore, make_slide


@pytest.mark.parametrize("index", range(len(STATE_OF_THE_NETWORK.slides)))
def test_every_default_slide_renders(engine: Engine, index: int) -> None:
    slide = STATE_OF_THE_NETWORK.slides[index]
    content = render_slide(engine, slide)
    assert content.error is None, content.error
    assert content.title == slide.title
    assert content.headline
    assert content.as_of == "2026-11-01"
    assert content.build_id == engine.warehouse.snapshot().build_id
    assert content.charts, "every default slide comes from Engine charts"
    fig = content.figure
    assert fig.data or fig.layout.annotations


def test_change_since_previous_round_has_newcombe_intervals(engine: Engine) -> None:
    meta, rows = change_rows(engine, {})
    assert (meta["latest"].round_id, meta["previous"].round_id) == ("R3", "R2")
    q1 = next(r for r in rows if r["question_id"] == "Q1")
    # R3 (rate): 24 of 24 raters rated Q1 4-5; R2 (rank): 12 of 24 voters ranked it.
    assert q1["share"] == 1.0 and q1["share_before"] == 0.5
    d, low, high = newcombe_difference(24, 24, 12, 24)
    assert (q1["difference"], q1["difference_low"], q1["difference_high"]) == (d, low, high)
    assert low > 0


def test_first_round_has_nothing_to_compare(engine: Engine) -> None:
    meta, rows = change_rows(engine, {"round": "R1"})
    assert meta["previous"] is None and rows == []
    content = render_slide(engine, make_slide("/priorities?round=R1", focus="change"))
    assert "no earlier round" in content.headline


def test_member_written_titles_are_escaped_in_figures(engine: Engine) -> None:
    content = render_slide(engine, make_slide("/priorities?round=R2"))
    fig = content.figure
    labels = " ".join([*(a.text for a in fig.layout.annotations),
                       *(str(h) for t in fig.data for h in (t.hovertext or ()))])  # fmt: skip
    assert "&lt;img" in labels and "<img" not in labels  # the text above the dot and in hover
    assert "<img" not in content.figure.to_json()


def test_a_view_that_no_longer_works_says_why(engine: Engine) -> None:
    content = render_slide(engine, make_slide("/priorities?round=R9"))
    assert content.error and "R9" in content.headline


def _members(rows: list[tuple[str, int | None]]) -> ChartResult:
    result = ChartResult("members", "m", "m", Filters(), "b", "2026-11-01", 11, [], frozenset())
    result.rows = [{"month": dt.date.fromisoformat(m), "role": "all", "members": v}
                   for m, v in rows]  # fmt: skip
    return result


def test_new_members_per_quarter_are_differences_of_served_totals() -> None:
    rows = quarter_rows(
        _members([("2026-01-01", 20), ("2026-05-01", 40), ("2026-08-01", None),
                  ("2026-09-01", 75), ("2026-10-01", 90)]),
        "all", "2026-11-01",
    )  # fmt: skip
    assert [(r["quarter"], r["new_members"], r["complete"]) for r in rows] == [
        ("2026 Q1", 20, True),
        ("2026 Q2", 20, True),
        ("2026 Q3", 35, True),
        ("2026 Q4", 15, False),
    ]
    withheld = quarter_rows(_members([("2026-01-01", 20), ("2026-09-01", None)]), "all",
                            "2026-11-01")  # fmt: skip
    assert [r["new_members"] for r in withheld] == [20, 0, None, None]


def test_pinned_deck_on_a_replaced_snapshot_says_so(engine: Engine) -> None:
    label, stale = deck_status("19990101-gone", "1999-01-01", engine)
    assert "no longer published" in label
    assert "19990101-gone" in stale and "not kept" in stale
    current = engine.warehouse.snapshot()
    assert deck_status(current.build_id, current.as_of, engine)[1] is None
    assert deck_status(None, None, engine)[1] is None


def test_every_slide_of_a_stale_deck_carries_the_warning(present_app: Dash,
                                                         store: DeckStore) -> None:  # fmt: skip
    for view in ("/", "/priorities", "/participation?role=caregiver"):
        store.add_slide("Old", make_slide(view, note="<b>not bold</b>"),
                        pin=("19990101-gone", "1999-01-01"))  # fmt: skip
    from dashboard.pages.present import deck_layout  # registers pages: only after the app

    with present_app.server.test_request_context("/present/old"):
        tree = deck_layout(deck="old")
    text = tree.to_plotly_json().__repr__()
    assert text.count("present-stale") == 3
    assert text.count("not kept") == 3
    assert "Speaker note: <b>not bold</b>" in text  # a text child: Dash renders it literally


def test_unknown_deck_page(present_app: Dash) -> None:
    from dashboard.pages.present import deck_layout

    with present_app.server.test_request_context("/present/nope"):
        tree = deck_layout(deck="nope")
    assert "present-missing" in repr(tree.to_plotly_json())
