"""Building blocks shared by pages: the engine, chart cards, summaries, errors."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html
from flask import current_app, request

from dashboard.filters import FilterError
from dashboard.insights.charts import Engine
from dashboard.insights.result import ChartResult
from dashboard.public import charts as public
from dashboard.public.pages import snippet

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
    result: ChartResult,
    figure: go.Figure,
    summary: str,
    dom_id: str,
    grid_columns: list[str],
    graph_config: dict | None = None,
) -> dbc.Card:
    """Title, figure, one-sentence summary (also the figure's description), table, download.

    `graph_config` is merged over GRAPH_CONFIG (e.g. a geo figure's `topojsonURL`).
    """
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
            dcc.Graph(
                id=f"{dom_id}-graph", figure=figure, config={**GRAPH_CONFIG, **(graph_config or {})}
            ),
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
                html.A("How is this computed?", href="/methods", className="small me-3"),
                html.A("Save this view as a slide", href=slide_href(result), className="small",
                       id=f"{dom_id}-save-slide"),
            ],
            className="mt-2",
        ),
        embed_dialog(result, dom_id),
    ]  # fmt: skip
    return dbc.Card(dbc.CardBody(body), className="mb-4")


PAGE_OF_CHART = {
    "priorities": "/priorities", "priorities-by-group": "/priorities",
    "priorities-balanced": "/priorities", "topics": "/priorities",
    "projects": "/projects", "enrollment": "/projects", "accrual": "/projects",
    "members": "/participation", "active-members": "/participation",
    "retention": "/participation", "countries": "/participation",
}  # fmt: skip


def slide_href(result: ChartResult) -> str:
    """The presentation page's save form, pre-filled with the page showing this chart."""
    query = urlencode(result.filters.to_query())
    view = PAGE_OF_CHART.get(result.chart, "/") + (f"?{query}" if query else "")
    return "/present?" + urlencode({"view": view})


def embed_dialog(result: ChartResult, dom_id: str) -> html.Details | None:
    """The iframe snippet for this chart with its current filters, if it may be public."""
    if result.chart not in public.PUBLIC_FILTERS:
        return None
    query = result.filters.to_query()
    try:
        public.parse(result.chart, query)
    except FilterError as exc:
        body: Any = html.P(f"This view cannot be embedded as it is: {exc}. Public embeds "
                           "take only a round and one of role or MS course.")  # fmt: skip
    else:
        code = snippet(request.host_url.rstrip("/"), result.chart, query, result.title)
        body = [
            html.P(
                "Paste this into any web page. It shows these public, suppressed numbers "
                "and resizes itself to fit."
            ),
            html.Pre(html.Code(code), id=f"{dom_id}-embed-code", className="small"),
            dcc.Clipboard(target_id=f"{dom_id}-embed-code", title="Copy the snippet"),
        ]
    return html.Details([html.Summary("Embed this chart"), html.Div(body)], className="mt-2",
                        id=f"{dom_id}-embed")  # fmt: skip
