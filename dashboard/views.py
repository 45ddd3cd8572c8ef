"""Building blocks shared by pages: the engine, chart cards, summaries, errors."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html
from flask import current_app

from dashboard.filters import FilterError
from dashboard.insights.charts import Engine
from dashboard.insights.result import ChartResult

GRAPH_CONFIG = {
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 2},
    "modeBarButtonsToAdd": ["toImage"],
}


def engine() -> Engine:
    """The app's engine (pages run inside a request)."""
    return current_app.config["ENGINE"]


def error_alert(exc: Exception) -> dbc.Alert:
    """A clear message for a bad link or filter, instead of a broken page."""
    return dbc.Alert(f"This view cannot be shown: {exc}", color="warning", id="view-error")


def run(chart_id: str, args: dict[str, Any]) -> ChartResult | dbc.Alert:
    """Run a chart for a page; a bad filter becomes an alert."""
    try:
        return engine().run(chart_id, {k: v for k, v in args.items() if v not in (None, "")})
    except FilterError as exc:
        return error_alert(exc)


def chart_card(
    result: ChartResult, figure: go.Figure, summary: str, dom_id: str, grid_columns: list[str]
) -> dbc.Card:
    """Title, figure, one-sentence summary (also the figure's description), table, download."""
    query = urlencode(result.filters.to_query())
    csv_href = f"/api/v1/charts/{result.chart}.csv" + (f"?{query}" if query else "")
    rows = [
        {c: (f"<{result.k}" if c in r.get("suppressed", ()) and c in result.count_fields
             else r.get(c)) for c in grid_columns}
        for r in result.rows
    ]  # fmt: skip
    body = [
        html.H2(result.title, className="h5"),
        html.P(summary, id=f"{dom_id}-summary", className="text-body-secondary"),
    ]
    if result.message:
        body.append(dbc.Alert(result.message, color="info", id=f"{dom_id}-message"))
    # The graph is always there (hidden when empty) so callbacks can listen to it.
    body.append(
        html.Div(
            dcc.Graph(id=f"{dom_id}-graph", figure=figure, config=GRAPH_CONFIG),
            role="img",
            style={"display": "none"} if result.message else {},
            **{"aria-label": summary},
        )
    )
    body += [
        html.Details(
            [
                html.Summary("Show the data as a table"),
                dag.AgGrid(
                    id=f"{dom_id}-table",
                    rowData=rows,
                    columnDefs=[{"field": c} for c in grid_columns],
                    defaultColDef={"sortable": True, "filter": True, "resizable": True},
                    dashGridOptions={"domLayout": "autoHeight"},
                ),
            ]
        ),
        html.Div(
            [
                html.A("Download these rows (CSV)", href=csv_href, id=f"{dom_id}-download",
                       className="btn btn-outline-primary btn-sm me-2"),
                html.A("JSON", href=csv_href.replace(".csv", ".json", 1),
                       className="btn btn-outline-secondary btn-sm me-2"),
                html.A("How is this computed?", href="/methods", className="small"),
            ],
            className="mt-2",
        ),
    ]  # fmt: skip
    return dbc.Card(dbc.CardBody(body), className="mb-4")


SCORE_FIELD = {"share": "share", "points": "mean_points", "mean": "mean_rating"}


def priorities_summary(result: ChartResult) -> str:
    """One sentence a screen reader can use instead of the chart."""
    score = SCORE_FIELD.get(result.method, "share")
    if result.message:
        return result.message
    served = [r for r in result.rows if r.get("rank")]
    if not served:
        return f"No question has enough voters to show (fewer than {result.k})."
    top = served[0]
    tied = [r["question_id"] for r in served if r.get("tier") == 1]
    value = top.get(score)
    return (
        f"{len(served)} of {len(result.rows)} questions can be shown. Top: {top['question_id']} "
        f"({value:.2f}); statistically tied in tier 1: {', '.join(tied)}."
    )
