"""Participation: growth by role, monthly active members, retention, rounds, countries."""

from __future__ import annotations

from typing import Any

import dash
from dash import html

from dashboard.figures.charts import make_line_figure
from dashboard.figures.geo import TOPOJSON_PATH, make_country_map_figure, summarize_countries
from dashboard.insights.result import ChartResult
from dashboard.views import chart_card, run

dash.register_page(__name__, path="/participation", name="Participation",
                   title="Participation · Community insights")  # fmt: skip


def _rounds() -> Any:
    """Voters and commenters per round (network-wide); votes and comments in the table."""
    rounds = run("rounds", {})
    if not isinstance(rounds, ChartResult):
        return rounds
    rows = [{"round": r["round_id"], "series": series, "people": r[field]}
            for r in rounds.rows
            for series, field in (("members who voted", "voters"),
                                  ("members who commented", "commenters"))]  # fmt: skip
    fig = make_line_figure(rows, "round", "people", "series", rounds.title, "Members")
    latest = rounds.rows[-1] if rounds.rows else None
    summary = (f"{latest['round_id']}: {latest['voters']:,} members voted and "
               f"{latest['commenters']:,} commented while it was open."
               if latest and latest["voters"] is not None and latest["commenters"] is not None
               else rounds.title)  # fmt: skip
    return chart_card(rounds, fig, summary, "rounds", rounds.columns)


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
        joiners = ChartResult(**{**members.__dict__, "title": "New members per month, by role"})
        fig = make_line_figure(members.rows, "month", "new_members", "role", joiners.title,
                               "New members")  # fmt: skip
        body.append(chart_card(joiners, fig, "Members who joined each month; a gap is a month "
                               f"withheld (fewer than {members.k} joiners, or recoverable from "
                               "the running totals).", "new-members", members.columns))  # fmt: skip
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
    body.append(_rounds())
    countries = run("countries", {"role": role})
    if isinstance(countries, ChartResult):
        fig = make_country_map_figure(countries.rows, countries.title, countries.k)
        # plotly.js fetches the world's shapes from our assets, never from its CDN; the
        # page scrolls past the map instead of zooming it.
        config = {"topojsonURL": dash.get_asset_url(TOPOJSON_PATH), "scrollZoom": False}
        body.append(chart_card(countries, fig, summarize_countries(countries.rows, countries.k),
                               "countries", countries.columns, graph_config=config))  # fmt: skip
    return html.Div(body)
