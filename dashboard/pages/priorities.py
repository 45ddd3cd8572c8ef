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

from dashboard import words
from dashboard.catalogue import CATALOGUE, ChartSpec, on_page, page_filters
from dashboard.filters import GROUP_LABELS, GROUP_VALUES, WHO_DIMS, FilterError, Filters
from dashboard.insights.result import WITHHELD, ChartResult
from dashboard.insights.vote_methods import CROSS_GROUP_RANKINGS, PRIORITY_METHOD_LABELS
from dashboard.views import (
    card_kind,
    chart_card,
    chart_section,
    component_ids,
    engine,
    error_alert,
    run,
)

PATH = "/priorities"
dash.register_page(__name__, path=PATH, name="Priorities",
                   title="Priorities · Community insights", order=1)  # fmt: skip

CONTROLS = ("round", "method", "topic", "voter_group", "role", "ms_course", "ms_type",
            "age_band", "sex", "compare")  # fmt: skip
# Filters the page keeps from its URL but has no control for (a link or a click sets them).
KEEP = tuple(n for n in page_filters(PATH) if n not in CONTROLS)
CLICKED = ("priorities-graph", "topics-graph")  # a bar click picks a question or a topic


def _dropdown(name: str, label: str, options: list[dict], value: Any,
              placeholder: str = "All") -> dbc.Col:  # fmt: skip
    return dbc.Col(
        [
            dbc.Label(label, html_for=f"f-{name}"),
            dcc.Dropdown(id=f"f-{name}", options=options, value=value, clearable=True,
                         placeholder=placeholder),
        ],
        md=3, lg=True, className="mb-2",
    )  # fmt: skip


def controls(args: dict[str, Any]) -> dbc.Row:
    """The filter panel, set from the URL: plain labels, the default round named, and
    only the scores the round shown can be ranked by."""
    rounds = engine().rounds()
    shown = next((r for r in rounds if r.round_id == args.get("round")),
                 rounds[-1] if rounds else None)  # fmt: skip
    scores = ([*shown.vote.scores, *CROSS_GROUP_RANKINGS] if shown
              else list(PRIORITY_METHOD_LABELS))  # fmt: skip
    if args.get("method") and args["method"] not in scores:
        scores.append(args["method"])  # a link's choice stays visible (the chart says why)
    cols = [
        _dropdown("round", "Round",
                  [{"label": f"{r.name} ({r.method})", "value": r.round_id} for r in rounds],
                  args.get("round"),
                  f"Latest: {rounds[-1].name}" if rounds else "No rounds yet"),
        _dropdown("method", "Score",
                  [{"label": PRIORITY_METHOD_LABELS[k], "value": k} for k in scores],
                  args.get("method"),
                  f"Default: {PRIORITY_METHOD_LABELS[shown.vote.default_score]}" if shown
                  else "Default"),
    ]  # fmt: skip
    topics = sorted({str(q["topic"]) for q in run_rows("question-trail", {}) if q.get("topic")})
    cols.append(_dropdown("topic", "Topic", [{"label": t, "value": t} for t in topics],
                          args.get("topic")))  # fmt: skip
    for dim in ("voter_group", "role", "ms_course", "ms_type", "age_band", "sex"):
        options = [{"label": words.option_label(dim, v), "value": v}
                   for v in GROUP_VALUES[dim]]  # fmt: skip
        cols.append(_dropdown(dim, GROUP_LABELS[dim], options, args.get(dim)))
    compare = [{"label": GROUP_LABELS[d], "value": d} for d in GROUP_VALUES]
    cols.append(_dropdown("compare", "Compare groups by", compare, args.get("compare")))
    return dbc.Row(cols, className="g-2 mb-3", id="filter-panel")


def layout(**query: Any) -> html.Div:
    """Build the view from the query string; a bad link gets a clear message."""
    args = {k: v for k, v in query.items() if v not in (None, "")}
    try:
        Filters.parse(args, allowed=page_filters(PATH))
    except FilterError as exc:
        return html.Div([html.H1("Research priorities", className="h3"), error_alert(exc)])
    body: list[Any] = [html.H1("Research priorities", className="h3"), controls(args)]
    body += [chart_section(chart, args) for chart in on_page(PATH) if chart.when(args)]
    # The URL callback listens to clicks on these graphs; a view without them (a balanced
    # ranking, a refused filter) keeps hidden stand-ins so the callback's inputs exist.
    shown = set(component_ids(body))
    body += [
        dcc.Graph(id=graph, style={"display": "none"}) for graph in CLICKED if graph not in shown
    ]
    return html.Div(body)


def run_rows(chart_id: str, args: dict[str, Any]) -> list[dict[str, Any]]:
    """A chart's rows, or none when the request is refused."""
    result = run(chart_id, args)
    return result.rows if isinstance(result, ChartResult) else []


def _discussion_text(q: dict[str, Any]) -> str:
    """ "Discussion: 29 comments from 29 members", with WITHHELD for withheld counts."""

    def count(name: str) -> str:
        return WITHHELD if name in q.get("suppressed", ()) else f"{q.get(name) or 0:,}"

    return (
        f"Discussion (all time): {count('comments')} comments from {count('commenters')} members."
    )


@card_kind("question")
def question_panel(chart: ChartSpec, trail: ChartResult, args: dict[str, Any]) -> Any:
    """The question, its discussion and study, its support across rounds and by group."""
    if not trail.rows:
        return dbc.Alert("No such question.", color="warning")
    q = trail.rows[0]
    project = (
        html.P(["Led to project ", html.Strong(q["project_title"] or q["project_id"]),
                f" (status: {q['project_status']})."])
        if q.get("project_id") else html.P("No project has taken this question up yet.")
    )  # fmt: skip
    extras = [chart_section(c, args) for c in on_page(PATH, place="question")]
    group_args = {k: v for k, v in args.items() if k in GROUP_VALUES}
    who_used = any(d in group_args for d in WHO_DIMS)
    by = next((d for d in ("voter_group", "age_band", "sex")
               if d not in group_args and not (who_used and d in WHO_DIMS)), None)  # fmt: skip
    compare = CATALOGUE["priorities-by-group"]
    groups = None if by is None else run(compare.id, {**compare.page_args(args), "compare": by})
    if isinstance(groups, ChartResult):
        mine = [r for r in groups.rows if r.get("question_id") == args["question"]]
        shown = ChartResult(**{**groups.__dict__, "rows": mine})
        summary = groups.message or (f"Support for {args['question']} by "
                                     f"{GROUP_LABELS[by].lower()} in this round.")  # fmt: skip
        card = chart_card(shown, compare.figure(shown, "page"), summary, "question-groups",
                          groups.columns, chart=compare)  # fmt: skip
        extras.append(html.Div(card, **{"data-chart": compare.id}))
    return dbc.Card(
        dbc.CardBody([
            html.H2("Question detail", className="h5"),
            html.P(html.Strong(q["title"]), id="question-title"),  # rendered as text
            html.P(f"Topic: {q['topic']} · status: {q['status']}"),
            html.P(_discussion_text(q), id="question-discussion"),
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
    *(Input(graph, "clickData") for graph in CLICKED),
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
    # Each dot carries its question id (customdata): the text above it is the question's.
    question = _clicked(click, "customdata") if ctx.triggered_id == "priorities-graph" else None
    if question:
        state["question"] = question
    topic = _clicked(topic_click, "customdata") if ctx.triggered_id == "topics-graph" else None
    if topic:
        state["topic"] = topic
        state.pop("question", None)
    try:
        Filters.parse(state, allowed=set(CONTROLS) | set(KEEP))
    except FilterError:
        return dash.no_update
    query = urlencode(state)
    return f"?{query}" if query else ""
