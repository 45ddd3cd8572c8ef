"""Priorities: ranked questions with intervals and tiers, filters, comparison, drill-down.

The whole view is the URL: every control writes the query string (same names
as the data API), and the layout is rebuilt from it, so a link restores the
view exactly and back/forward work.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html

from dashboard.figures.charts import make_group_figure, make_priorities_figure
from dashboard.figures.summaries import priorities_summary
from dashboard.filters import GROUP_LABELS, GROUP_VALUES, FilterError, Filters
from dashboard.insights.charts import CHARTS
from dashboard.insights.priorities import list_rounds
from dashboard.insights.result import ChartResult
from dashboard.views import chart_card, engine, error_alert, run

dash.register_page(__name__, path="/priorities", name="Priorities",
                   title="Priorities · Community insights")  # fmt: skip

CONTROLS = ("round", "method", "role", "ms_course", "ms_type", "age_band", "sex", "compare")
KEEP = ("topic", "question", "duration_band", "country")
METHOD_LABELS = {
    "share": "Share of voters",
    "points": "Borda points (rank rounds)",
    "mean": "Mean rating (rate rounds)",
    "balanced": "Stakeholder-balanced",
    "bridging": "Bridging (lowest share across groups)",
}


def _dropdown(name: str, label: str, options: list[dict], value: Any) -> dbc.Col:
    return dbc.Col(
        [
            dbc.Label(label, html_for=f"f-{name}"),
            dcc.Dropdown(id=f"f-{name}", options=options, value=value, clearable=True,
                         placeholder="All"),
        ],
        md=3, lg=True, className="mb-2",
    )  # fmt: skip


def controls(args: dict[str, Any]) -> dbc.Row:
    """The filter panel, set from the URL."""
    rounds = list_rounds(engine().warehouse)
    cols = [
        _dropdown("round", "Round",
                  [{"label": f"{r.name} ({r.method})", "value": r.round_id} for r in rounds],
                  args.get("round")),
        _dropdown("method", "Score", [{"label": v, "value": k} for k, v in METHOD_LABELS.items()],
                  args.get("method")),
    ]  # fmt: skip
    for dim in ("role", "ms_course", "ms_type", "age_band", "sex"):
        options = [{"label": v.replace("_", " "), "value": v} for v in GROUP_VALUES[dim]]
        cols.append(_dropdown(dim, GROUP_LABELS[dim], options, args.get(dim)))
    compare = [{"label": GROUP_LABELS[d], "value": d} for d in GROUP_VALUES]
    cols.append(_dropdown("compare", "Compare groups by", compare, args.get("compare")))
    return dbc.Row(cols, className="g-2 mb-3", id="filter-panel")


def layout(**query: Any) -> html.Div:
    """Build the view from the query string; a bad link gets a clear message."""
    args = {k: v for k, v in query.items() if v not in (None, "")}
    try:
        Filters.parse(args, allowed=set(CONTROLS) | set(KEEP))
    except FilterError as exc:
        return html.Div([html.H1("Research priorities", className="h3"), error_alert(exc)])
    body: list[Any] = [html.H1("Research priorities", className="h3"), controls(args)]
    prio_args = {k: v for k, v in args.items() if k in CHARTS["priorities"].filters}
    method = args.get("method")
    if method in ("balanced", "bridging"):
        result = run("priorities-balanced", {**prio_args, "compare": args.get("compare")})
        if isinstance(result, ChartResult):
            body.append(chart_card(result, make_group_figure([], result.title),
                                   _balanced_summary(result), "balanced",
                                   result.columns))  # fmt: skip
        else:
            body.append(result)
    else:
        result = run("priorities", prio_args)
        if isinstance(result, ChartResult):
            fig = make_priorities_figure(result.rows, result.method, result.title, result.k)
            cols = ["rank", "rank_best", "rank_worst", "tier", "question_id", "title",
                    *[c for c in result.columns if c not in ("rank", "rank_best", "rank_worst",
                      "tier", "question_id", "title", "topic", "status")]]  # fmt: skip
            body.append(chart_card(result, fig, priorities_summary(result), "priorities", cols))
        else:
            body.append(result)
    if args.get("compare") and method not in ("balanced", "bridging"):
        comp_args = {k: v for k, v in args.items() if k in CHARTS["priorities-by-group"].filters}
        comp = run("priorities-by-group", comp_args)
        if isinstance(comp, ChartResult):
            sig = sum(1 for r in comp.rows if r.get("significant"))
            summary = comp.message or (
                f"Groups compared: {', '.join(comp.context.get('groups', []))}; "
                f"{sig} differences hold after Benjamini-Hochberg correction."
            )
            body.append(chart_card(comp, make_group_figure(comp.rows, comp.title), summary,
                                   "compare", comp.columns))  # fmt: skip
        else:
            body.append(comp)
    if args.get("question"):
        body.append(_question_panel(args))
    return html.Div(body)


def _balanced_summary(result: ChartResult) -> str:
    if result.message:
        return result.message
    top = next((r for r in result.rows if r.get("balanced_rank") == 1), None)
    groups = ", ".join(result.context.get("groups", []))
    return f"Balanced across {groups}; first: {top['question_id'] if top else 'none'}."


def _question_panel(args: dict[str, Any]) -> dbc.Card:
    trail = run("question-trail", {"question": args["question"]})
    if not isinstance(trail, ChartResult):
        return trail
    if not trail.rows:
        return dbc.Alert("No such question.", color="warning")
    q = trail.rows[0]
    project = (
        html.P(["Led to project ", html.Strong(q["project_title"] or q["project_id"]),
                f" (status: {q['project_status']})."])
        if q.get("project_id") else html.P("No project has taken this question up yet.")
    )  # fmt: skip
    return dbc.Card(
        dbc.CardBody([
            html.H2("Question detail", className="h5"),
            html.P(html.Strong(q["title"]), id="question-title"),  # rendered as text
            html.P(f"Topic: {q['topic']} · status: {q['status']}"),
            project,
        ]),
        className="mb-4", id="question-panel",
    )  # fmt: skip


@callback(
    Output("nav", "search"),
    [Input(f"f-{name}", "value") for name in CONTROLS],
    Input("priorities-graph", "clickData"),
    State("nav", "search"),
    prevent_initial_call=True,
)
def update_url(*values: Any) -> str:
    """Write the controls (and a clicked question) into the query string."""
    *control_values, click, search = values
    from urllib.parse import parse_qsl

    current = dict(parse_qsl((search or "").lstrip("?")))
    state = {k: v for k, v in current.items() if k in KEEP}
    state.update({k: v for k, v in zip(CONTROLS, control_values, strict=True) if v})
    if ctx.triggered_id == "priorities-graph" and click:
        label = str(click["points"][0].get("y", ""))
        state["question"] = label.split(" · ", 1)[0]
    try:
        Filters.parse(state, allowed=set(CONTROLS) | set(KEEP))
    except FilterError:
        return dash.no_update
    query = urlencode(state)
    return f"?{query}" if query else ""
