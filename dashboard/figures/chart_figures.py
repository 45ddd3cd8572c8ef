"""One figure builder per chart id: protected rows in, a figure out, at a surface's size.

The page, the embed and the slide all call the same builder, so a fix to a
chart reaches every surface. `size` only decides how much of the chart fits:
a page shows every row, an embed or a slide the first ten.
"""

from __future__ import annotations

from typing import Any, Literal

import plotly.graph_objects as go

from dashboard.figures.charts import (
    make_bar_figure,
    make_group_figure,
    make_line_figure,
    make_priorities_figure,
)
from dashboard.figures.geo import make_country_map_figure
from dashboard.figures.tables import numbers_figure, table_figure
from dashboard.figures.theme import PALETTE, base_layout, empty_figure, safe_text
from dashboard.insights.result import WITHHELD, ChartResult, show_count

Size = Literal["page", "embed", "slide"]
TOP = 10
STATUS_LABELS = {
    "in_development": "In development",
    "open_for_participation": "Open for participation",
    "in_progress": "In progress",
    "completed": "Completed",
    "results_available": "Results available",
}
HEADLINE_MEASURES = ("members", "active_90_days", "votes_latest_round", "projects_open")


def count_text(value: Any) -> str:
    """A served count with thousands separators, or WITHHELD when withheld."""
    return show_count(value)


def headlines(result: ChartResult, size: Size) -> go.Figure:
    by = {r["measure"]: r for r in result.rows}
    items = [(by[m]["label"], count_text(by[m]["value"]))
             for m in HEADLINE_MEASURES if m in by]  # fmt: skip
    return numbers_figure(items)


def priorities(result: ChartResult, size: Size) -> go.Figure:
    if result.message:
        return empty_figure(result.message)
    rows = result.rows
    if size != "page":
        ranked = [r for r in rows if r.get("rank")][:TOP]
        rows = ranked + [r for r in rows if not r.get("rank")][: TOP - len(ranked)]
    return make_priorities_figure(rows, result.method, result.title)


def by_group(result: ChartResult, size: Size) -> go.Figure:
    if result.message:
        return empty_figure(result.message)
    rows = result.rows
    if size != "page":
        keep = list(dict.fromkeys(r["question_id"] for r in rows))[:TOP]
        rows = [r for r in rows if r["question_id"] in keep]
    return make_group_figure(rows, result.title)


def balanced(result: ChartResult, size: Size) -> go.Figure:
    """Questions in balanced order: mean rank within groups, or the lowest support (bridging)."""
    rows = [r for r in result.rows if r.get("balanced_rank")]
    if result.message or not rows:
        return empty_figure(result.message or "No question can be ranked across every group.")
    rows = rows if size == "page" else rows[:TOP]
    bridging = result.method == "bridging"
    key = "bridging_score" if bridging else "mean_group_rank"
    fig = go.Figure(go.Bar(
        x=[r[key] for r in rows], orientation="h", marker={"color": PALETTE[0]},
        y=[f"{safe_text(r['question_id'])} · {safe_text(r['title'], 60)}" for r in rows],
    ))  # fmt: skip
    base_layout(fig, result.title, max(360, 80 + 34 * len(rows)))
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(title="Lowest support across groups" if bridging
                     else "Mean rank within groups (lower is better)")  # fmt: skip
    return fig


def topics(result: ChartResult, size: Size) -> go.Figure:
    fig = make_bar_figure(result.rows, "topic", "votes", result.title)
    if size == "page":
        fig.update_layout(clickmode="event")  # a click on a topic filters the questions
    return fig


def question_trail(result: ChartResult, size: Size) -> go.Figure:
    rows = result.rows[:TOP] if size != "page" else result.rows

    def count(row: dict, name: str) -> str:
        return WITHHELD if name in row.get("suppressed", ()) else f"{row.get(name) or 0:,}"

    return table_figure(
        ["Question", "Topic", "Status", "Project", "Comments"],
        [[r["title"] for r in rows], [r.get("topic") for r in rows],
         [str(r.get("status") or "").replace("_", " ") for r in rows],
         [r.get("project_title") or "—" for r in rows], [count(r, "comments") for r in rows]],
        "No such question.",
    )  # fmt: skip


def question_trend(result: ChartResult, size: Size) -> go.Figure:
    rows = [{**r, "series": "support"} for r in result.rows]
    return make_line_figure(rows, "round_id", "support", "series", result.title,
                            "Share who chose it / rated it 4-5")  # fmt: skip


def projects(result: ChartResult, size: Size) -> go.Figure:
    counts = {s: sum(1 for r in result.rows if r["status"] == s) for s in STATUS_LABELS}
    fig = go.Figure(go.Bar(x=list(STATUS_LABELS.values()), y=list(counts.values()),
                           text=list(counts.values()), textposition="outside",
                           marker={"color": PALETTE[0]}))  # fmt: skip
    base_layout(fig, result.title)
    fig.update_yaxes(title="Projects", rangemode="tozero")
    return fig


def enrollment(result: ChartResult, size: Size) -> go.Figure:
    if result.filters.project:
        return make_bar_figure(result.rows, "stage", "members", result.title)
    rows = [r for r in result.rows if r["stage"] == "enrolled"]
    return make_bar_figure(rows, "project_id", "members", result.title)


def accrual(result: ChartResult, size: Size) -> go.Figure:
    return make_line_figure(result.rows, "month", "enrolled_to_date", "project_id",
                            result.title, "Members enrolled to date")  # fmt: skip


def members(result: ChartResult, size: Size) -> go.Figure:
    return make_line_figure(result.rows, "month", "members", "role", result.title,
                            "Members (cumulative)")  # fmt: skip


def new_members(result: ChartResult, size: Size) -> go.Figure:
    """The members chart's other view: who joined each month."""
    return make_line_figure(result.rows, "month", "new_members", "role",
                            "New members per month, by role", "New members")  # fmt: skip


def active_members(result: ChartResult, size: Size) -> go.Figure:
    return make_line_figure(result.rows, "month", "active", "role", result.title,
                            "Active members")  # fmt: skip


def retention(result: ChartResult, size: Size) -> go.Figure:
    rows = [{**r, "cohort": str(r["cohort"])} for r in result.rows]
    return make_line_figure(rows, "years_since_join", "share_active", "cohort", result.title,
                            "Share of cohort active")  # fmt: skip


def countries(result: ChartResult, size: Size) -> go.Figure:
    """A map on screens; on a slide (rendered offline) the largest countries as bars."""
    if size != "slide":
        return make_country_map_figure(result.rows, result.title)
    served = sorted((r for r in result.rows if r.get("members")), key=lambda r: -r["members"])
    return make_bar_figure(served[:15], "country", "members", result.title)


def rounds(result: ChartResult, size: Size) -> go.Figure:
    rows = [{"round": r["round_id"], "series": series, "people": r[field]}
            for r in result.rows
            for series, field in (("members who voted", "voters"),
                                  ("members who commented", "commenters"))]  # fmt: skip
    return make_line_figure(rows, "round", "people", "series", result.title, "Members")


def pipeline(result: ChartResult, size: Size) -> go.Figure:
    """The five steps left to right: questions at each, how many went further, days between."""
    rows = result.rows
    if not rows:
        return empty_figure(result.message or "No questions yet.")
    labels = [safe_text(r["label"]) for r in rows]
    fig = go.Figure(go.Bar(
        x=labels, y=[r["questions"] for r in rows], marker={"color": PALETTE[0]},
        text=[f"{r['questions']:,} now" for r in rows], textposition="outside",
        hovertemplate="%{x}: %{y} questions are at this step now<extra></extra>",
    ))  # fmt: skip
    for r, label in zip(rows, labels, strict=True):
        parts = []
        if r["moved_on"] is not None:
            parts.append(f"{r['moved_on']:,} went further")
        if r["median_days_to_next"] is not None:
            parts.append(f"median {r['median_days_to_next']:,.0f} days to the next step")
        if parts:
            fig.add_annotation(x=label, y=0, yref="y", yanchor="top", yshift=-28,
                               text="<br>".join(parts), showarrow=False,
                               font={"size": 12, "color": "#333333"})  # fmt: skip
    base_layout(fig, result.title, 420)
    fig.update_yaxes(title="Questions at this step now", rangemode="tozero")
    fig.update_layout(margin={"b": 90})
    return fig
