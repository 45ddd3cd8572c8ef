"""Projects: every project by status, enrollment against target, funnel and accrual."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import html

from dashboard.catalogue import ChartSpec, on_page
from dashboard.figures.chart_figures import STATUS_LABELS
from dashboard.insights.result import ChartResult
from dashboard.views import card_kind, chart_section

dash.register_page(__name__, path="/projects", name="Projects",
                   title="Projects · Community insights", order=2)  # fmt: skip


@card_kind("board")
def board(chart: ChartSpec, result: ChartResult, args: dict[str, Any]) -> html.Div:
    """A board: one column per status, one card per project."""
    cols = []
    for status in STATUS_LABELS:
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
    # The board's own heading keeps the outline in order (h1 page, h2 card, h3 status).
    return html.Div([html.H2(result.title, className="h5"),
                     dbc.Row(cols, id="project-board", className="mb-4")])  # fmt: skip


def layout(shown: Any = None, **query: Any) -> html.Div:
    """The board, then the funnel and accrual of one project (or all)."""
    del shown  # laid out from the URL every time (no in-place updates here)
    args = {k: v for k, v in query.items() if v not in (None, "")}
    body: list[Any] = [html.H1("Research projects", className="h3")]
    body += [chart_section(chart, args) for chart in on_page("/projects")]
    return html.Div(body)
