"""Participation: growth by role, monthly active members, retention, countries."""

from __future__ import annotations

from typing import Any

import dash
from dash import html

from dashboard.figures.charts import make_bar_figure, make_line_figure
from dashboard.insights.result import ChartResult
from dashboard.views import chart_card, run

dash.register_page(__name__, path="/participation", name="Participation",
                   title="Participation · Community insights")  # fmt: skip


def layout(role: str | None = None, **query: Any) -> html.Div:
    """Four charts over the whole network (role narrows them)."""
    args = {"role": role, "from": query.get("from"), "to": query.get("to")}
    body: list[Any] = [html.H1("Participation", className="h3")]
    members = run("members", args)
    if isinstance(members, ChartResult):
        fig = make_line_figure(members.rows, "month", "members", "role", members.title,
                               "Members (cumulative)")  # fmt: skip
        latest = [r for r in members.rows if r["role"] == "all" and r["members"]]
        summary = (f"{latest[-1]['members']:,} members as of {latest[-1]['month']}."
                   if latest else members.title)  # fmt: skip
        body.append(chart_card(members, fig, summary, "members", members.columns))
    else:
        body.append(members)
    active = run("active-members", args)
    if isinstance(active, ChartResult):
        fig = make_line_figure(active.rows, "month", "active", "role", active.title,
                               "Active members")  # fmt: skip
        body.append(chart_card(active, fig, "Members with any activity, per month.", "active",
                               active.columns))  # fmt: skip
    retention = run("retention", {"role": role})
    if isinstance(retention, ChartResult):
        rows = [{**r, "cohort": str(r["cohort"])} for r in retention.rows]
        fig = make_line_figure(rows, "years_since_join", "share_active", "cohort",
                               retention.title, "Share of cohort active")  # fmt: skip
        body.append(chart_card(retention, fig, "Share of each join year active later.",
                               "retention", retention.columns))  # fmt: skip
    countries = run("countries", {"role": role})
    if isinstance(countries, ChartResult):
        fig = make_bar_figure(countries.rows, "country", "members", countries.title, countries.k)
        body.append(chart_card(countries, fig, f"Members in {len(countries.rows)} countries.",
                               "countries", countries.columns))  # fmt: skip
    return html.Div(body)
