"""Priorities: ranked questions with intervals and tiers, filters, comparison, drill-down.

The whole view is the URL: every control writes the query string (same names
as the data API), and the layout is rebuilt from it, so a link restores the
view exactly and back/forward work.
"""

from __future__ import annotations

from html import unescape as html_unescape
from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html

from dashboard.figures.charts import (
    make_bar_figure,
    make_group_figure,
    make_line_figure,
    make_priorities_figure,
)
from dashboard.figures.summaries import priorities_summary
from dashboard.filters import GROUP_LABELS, GROUP_VALUES, WHO_DIMS, FilterError, Filters
from dashboard.insights.charts import CHARTS
from dashboard.insights.priorities import list_rounds
from dashboard.insights.result import ChartResult
from dashboard.views import chart_card, engine, error_alert, run

dash.register_page(__name__, path="/priorities", name="Priorities",
                   title="Priorities · Community insights")  # fmt: skip

CONTROLS = ("round", "method", "topic", "voter_group", "role", "ms_course", "ms_type",
            "age_band", "sex", "compare")  # fmt: skip
KEEP = ("question", "duration_band", "country")
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
    topics = sorted({str(q["topic"]) for q in run_rows("question-trail", {}) if q.get("topic")})
    cols.append(_dropdown("topic", "Topic", [{"label": t, "value": t} for t in topics],
                          args.get("topic")))  # fmt: skip
    for dim in ("voter_group", "role", "ms_course", "ms_type", "age_band", "sex"):
        options = [{"label": v.replace("_", " ").replace("-", " "), "value": v}
                   for v in GROUP_VALUES[dim]]  # fmt: skip
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
    if method not in ("balanced", "bridging"):
        body.append(_topics_card(args))
    return html.Div(body)


def run_rows(chart_id: str, args: dict[str, Any]) -> list[dict[str, Any]]:
    """A chart's rows, or none when the request is refused."""
    result = run(chart_id, args)
    return result.rows if isinstance(result, ChartResult) else []


def _topics_card(args: dict[str, Any]) -> Any:
    """Votes per topic for the same voters; clicking a topic filters the questions."""
    topic_args = {k: v for k, v in args.items() if k in CHARTS["topics"].filters and k != "topic"}
    result = run("topics", topic_args)
    if not isinstance(result, ChartResult):
        return result
    fig = make_bar_figure(result.rows, "topic", "votes", result.title, result.k)
    fig.update_layout(clickmode="event")
    served = [r for r in result.rows if r.get("votes")]
    top = max(served, key=lambda r: r["votes"], default=None)
    summary = (f"Votes in {len(served)} topics; most: {top['topic']} ({top['votes']:,}). "
               "Select a topic bar to show only its questions."
               if top else result.message or "No topic has enough votes to show.")  # fmt: skip
    return chart_card(result, fig, summary, "topics", result.columns)


def _balanced_summary(result: ChartResult) -> str:
    if result.message:
        return result.message
    top = next((r for r in result.rows if r.get("balanced_rank") == 1), None)
    groups = ", ".join(result.context.get("groups", []))
    return f"Balanced across {groups}; first: {top['question_id'] if top else 'none'}."


def _discussion_text(q: dict[str, Any], k: int) -> str:
    """ "Discussion: 29 comments from 29 members", with "<k" for withheld counts."""

    def count(name: str) -> str:
        return f"<{k}" if name in q.get("suppressed", ()) else f"{q.get(name) or 0:,}"

    return (
        f"Discussion (all time): {count('comments')} comments from {count('commenters')} members."
    )


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
    group_args = {k: v for k, v in args.items() if k in GROUP_VALUES}
    extras: list[Any] = []
    trend = run("question-trend", {"question": args["question"], **group_args})
    if isinstance(trend, ChartResult):
        rows = [{**r, "series": "support"} for r in trend.rows]
        fig = make_line_figure(rows, "round_id", "support", "series", trend.title,
                               "Share who chose it / rated it 4-5")  # fmt: skip
        served = [r for r in trend.rows if r.get("support") is not None]
        summary = trend.message or (
            f"{args['question']} was in {len(trend.rows)} rounds; support can be shown for "
            f"{len(served)}" + (f", latest {served[-1]['support']:.0%} in {served[-1]['round_id']}."
                                if served else "."))  # fmt: skip
        extras.append(chart_card(trend, fig, summary, "question-trend", trend.columns))
    who_used = any(d in group_args for d in WHO_DIMS)
    by = next((d for d in ("voter_group", "age_band", "sex")
               if d not in group_args and not (who_used and d in WHO_DIMS)), None)  # fmt: skip
    groups = None if by is None else run("priorities-by-group", {**{k: v for k, v in args.items()
                                            if k in CHARTS["priorities-by-group"].filters},
                                         "compare": by})  # fmt: skip
    if isinstance(groups, ChartResult):
        mine = [r for r in groups.rows if r.get("question_id") == args["question"]]
        shown = ChartResult(**{**groups.__dict__, "rows": mine})
        summary = groups.message or (f"Support for {args['question']} by "
                                     f"{GROUP_LABELS[by].lower()} in this round.")  # fmt: skip
        extras.append(chart_card(shown, make_group_figure(mine, shown.title), summary,
                                 "question-groups", groups.columns))  # fmt: skip
    return dbc.Card(
        dbc.CardBody([
            html.H2("Question detail", className="h5"),
            html.P(html.Strong(q["title"]), id="question-title"),  # rendered as text
            html.P(f"Topic: {q['topic']} · status: {q['status']}"),
            html.P(_discussion_text(q, trail.k), id="question-discussion"),
            project,
            *extras,
        ]),
        className="mb-4", id="question-panel",
    )  # fmt: skip


def _keep_one_who(state: dict[str, Any], changed: str) -> None:
    """Role, MS type, MS course and voter group describe the same people: one at a time.

    The control just changed wins; choosing one clears the others (and a
    comparison by one of them), so a click never leads to a refused view.
    """
    if changed in WHO_DIMS and state.get(changed):
        for dim in WHO_DIMS:
            if dim != changed:
                state.pop(dim, None)
        if state.get("compare") in WHO_DIMS:
            state.pop("compare")
    elif changed == "compare" and state.get("compare") in WHO_DIMS:
        for dim in WHO_DIMS:
            state.pop(dim, None)


def _clicked(click: Any, axis: str) -> str | None:
    """The clicked point's label; None for no click or one not shaped like plotly's."""
    try:
        return str(click["points"][0].get(axis, ""))
    except (TypeError, KeyError, IndexError, AttributeError):
        return None


@callback(
    Output("nav", "search"),
    [Input(f"f-{name}", "value") for name in CONTROLS],
    Input("priorities-graph", "clickData"),
    Input("topics-graph", "clickData"),
    State("nav", "search"),
    prevent_initial_call=True,
)
def update_url(*values: Any) -> str:
    """Write the controls (and a clicked question) into the query string."""
    *control_values, click, topic_click, search = values
    from urllib.parse import parse_qsl

    current = dict(parse_qsl((search or "").lstrip("?")))
    state = {k: v for k, v in current.items() if k in KEEP}
    state.update({k: v for k, v in zip(CONTROLS, control_values, strict=True) if v})
    _keep_one_who(state, str(ctx.triggered_id or "").removeprefix("f-"))
    label = _clicked(click, "y") if ctx.triggered_id == "priorities-graph" else None
    if label is not None:
        state["question"] = label.split(" · ", 1)[0]
    topic = _clicked(topic_click, "x") if ctx.triggered_id == "topics-graph" else None
    if topic is not None:
        state["topic"] = html_unescape(topic)
        state.pop("question", None)
    try:
        Filters.parse(state, allowed=set(CONTROLS) | set(KEEP))
    except FilterError:
        return dash.no_update
    query = urlencode(state)
    return f"?{query}" if query else ""
