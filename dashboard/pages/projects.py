"""Projects: every project by status, enrollment against target, funnel and accrual."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import html

from dashboard.figures.charts import make_bar_figure, make_line_figure
from dashboard.figures.theme import safe_text
from dashboard.insights.result import ChartResult
from dashboard.views import chart_card, run

dash.register_page(__name__, path="/projects", name="Projects",
                   title="Projects · Community insights")  # fmt: skip

STATUS_ORDER = ("in_development", "open_for_participation", "in_progress", "completed",
                "results_available")  # fmt: skip


def _board(result: ChartResult) -> dbc.Row:
    """A board: one column per status, one card per project."""
    cols = []
    for status in STATUS_ORDER:
        items = [r for r in result.rows if r["status"] == status]
        cards = [
            dbc.Card(dbc.CardBody([
                html.Div(r["title"], className="fw-semibold"),
                html.Div(f"{r['project_id']} · {r['kind'].replace('_', ' ')}", className="small"),
                html.A("Results", href=r["results_url"]) if r.get("results_url") else None,
            ]), className="mb-2")
            for r in items
        ]  # fmt: skip
        cols.append(dbc.Col([html.H3(f"{status.replace('_', ' ')} ({len(items)})",
                                     className="h6"), *cards], md=True))  # fmt: skip
    return dbc.Row(cols, id="project-board", className="mb-4")


def layout(project: str | None = None, **_: Any) -> html.Div:
    """The board, then the funnel and accrual of one project (or all)."""
    args = {"project": project} if project else {}
    body: list[Any] = [html.H1("Research projects", className="h3")]
    projects = run("projects", {})
    if isinstance(projects, ChartResult):
        body.append(_board(projects))
    funnel = run("enrollment", args)
    if isinstance(funnel, ChartResult):
        shown = funnel.rows if project else [r for r in funnel.rows if r["stage"] == "enrolled"]
        x = "stage" if project else "project_id"
        fig = make_bar_figure(shown, x, "members", funnel.title, funnel.k)
        enrolled = [r for r in funnel.rows if r["stage"] == "enrolled" and r["members"]]
        summary = f"{len(enrolled)} projects have enrolled members that can be shown."
        body.append(chart_card(funnel, fig, safe_text(summary), "funnel", funnel.columns))
    else:
        body.append(funnel)
    accrual = run("accrual", args)
    if isinstance(accrual, ChartResult):
        fig = make_line_figure(accrual.rows, "month", "enrolled_to_date", "project_id",
                               accrual.title, "Members enrolled to date")  # fmt: skip
        summary = f"Accrual of {len({r['project_id'] for r in accrual.rows})} projects by month."
        body.append(chart_card(accrual, fig, summary, "accrual", accrual.columns))
    return html.Div(body)
