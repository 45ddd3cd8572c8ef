"""Priorities: ranked questions with intervals and tiers, filters, comparison, drill-down.

The whole view is the URL: every control writes the query string (same names
as the data API), so a link restores the view exactly and back/forward work.
A control change updates in place: only the cards whose inputs changed are
redrawn, the rest of the page (and the scroll position) stays, and a question
opens in a side panel (its words at once, its charts in a second response). The
router sees the new address but is told the page already shows it (`view-shown`),
so it does not lay the page out again.
"""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from typing import Any
from urllib.parse import parse_qsl, urlencode

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, clientside_callback, ctx, dcc, html

from dashboard import words
from dashboard.catalogue import CATALOGUE, ChartSpec, on_page, page_filters
from dashboard.filters import (
    GROUP_LABELS,
    GROUP_VALUES,
    VS_ALL,
    WHO_DIMS,
    FilterError,
    Filters,
)
from dashboard.insights.result import WITHHELD, ChartResult
from dashboard.insights.vote_methods import CROSS_GROUP_RANKINGS, PRIORITY_METHOD_LABELS
from dashboard.views import (
    GRAPH_CONFIG,
    card_kind,
    chart_card,
    chart_section,
    component_ids,
    engine,
    error_alert,
    page_figure,
    run,
)

PATH = "/priorities"
dash.register_page(__name__, path=PATH, name="Priorities",
                   title="Priorities · Community insights", order=1)  # fmt: skip

# "who" is one control for the four filters that describe the same people (role, MS type,
# MS course, voter group): its values are "<filter>=<value>", the URL keeps the API's names.
CONTROLS = ("round", "method", "topic", "who", "age_band", "sex", "compare")
# "Compare with" is one control for two kinds of comparison: each group of a dimension
# (`compare=role`) or one other group beside the voters chosen (`vs=role=caregiver`, or
# `vs=all`). Its values are the dimension's name, or the group as "<filter>=<value>"/"all".
COMPARED_BY = ("compare", "vs")
# Filters the page keeps from its URL but has no control for (a link or a click sets them).
KEEP = tuple(n for n in page_filters(PATH)
             if n not in CONTROLS and n not in WHO_DIMS and n not in COMPARED_BY)  # fmt: skip
# Cards in the page's flow, and the question panel that opens beside them.
SECTIONS = tuple(c for c in on_page(PATH) if c.card != "question")
PANEL = tuple(c for c in on_page(PATH) if c.card == "question")
# A click on a dot picks a question, on a topic picks the topic: graph id -> its chart.
CLICKED = {f"{CATALOGUE[c].dom_id}-graph": c
           for c in ("priorities", "topics", "priorities-two-groups")}  # fmt: skip
OPENS = ("priorities", "priorities-two-groups")  # their dots carry a question
# Whom the "who voted" control offers, in this order; one name per group of people.
WHO_OPTIONS = (("role", "person_with_ms"), ("ms_course", "relapsing"),
               ("ms_course", "progressive"), ("ms_course", "unknown"), ("ms_type", "RRMS"),
               ("ms_type", "SPMS"), ("ms_type", "PPMS"), ("ms_type", "CIS"),
               ("ms_type", "unknown"), ("role", "caregiver"), ("role", "other"),
               ("ms_course", "not-applicable"))  # fmt: skip


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


def who_value(args: dict[str, Any]) -> str | None:
    """The "who voted" control's value for a view: "<filter>=<value>", or None for all."""
    return next((f"{d}={args[d]}" for d in WHO_DIMS if args.get(d)), None)


def who_options(args: dict[str, Any]) -> list[dict[str, str]]:
    """The groups on offer in words; a link's other name for a group stays choosable."""
    pairs = list(WHO_OPTIONS)
    current = who_value(args)
    if current and tuple(current.split("=", 1)) not in pairs:
        pairs.append(tuple(current.split("=", 1)))  # type: ignore[arg-type]
    return [{"label": words.option_label(d, v), "value": f"{d}={v}"} for d, v in pairs]


# "Compare with" a dimension: each of its groups, side by side.
EACH = {"role": "Each role", "ms_type": "Each MS type", "ms_course": "Each MS course",
        "voter_group": "Each voter group", "age_band": "Each age band",
        "duration_band": "Each band of years since diagnosis", "sex": "Each sex",
        "country": "Each country"}  # fmt: skip


def compare_value(args: dict[str, Any]) -> str | None:
    """The "Compare with" control's value for a view: a dimension, a group, or None."""
    return args.get("vs") or args.get("compare") or None


def compare_options(args: dict[str, Any]) -> list[dict[str, str]]:
    """One other group (all voters, or a group of people), or each group of a dimension."""
    groups = [{"label": "All voters", "value": VS_ALL}, *who_options(args)]
    if args.get("vs") and args["vs"] not in [g["value"] for g in groups]:
        dim, _, value = args["vs"].partition("=")  # a link's other name for a group
        groups.append({"label": words.option_label(dim, value), "value": args["vs"]})
    return [*groups, *({"label": EACH[d], "value": d} for d in GROUP_VALUES)]


def active_filters(args: dict[str, Any]) -> int:
    """How many filters the view has (the phone's "Filters (n)" button says it)."""
    return sum(1 for k in ("round", "method", "topic", "age_band", "sex", *COMPARED_BY,
                           *WHO_DIMS) if args.get(k))  # fmt: skip


def controls(args: dict[str, Any]) -> html.Div:
    """The filter panel, set from the URL: plain labels, the default round named, and
    only the scores the round shown can be ranked by. On a phone it folds behind a
    "Filters (n)" button so the chart comes first."""
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
    cols.append(_dropdown("who", "Who voted", who_options(args), who_value(args),
                          "All voters"))  # fmt: skip
    for dim in ("age_band", "sex"):
        options = [{"label": words.option_label(dim, v), "value": v}
                   for v in GROUP_VALUES[dim]]  # fmt: skip
        cols.append(_dropdown(dim, GROUP_LABELS[dim], options, args.get(dim)))
    cols.append(_dropdown("compare", "Compare with", compare_options(args), compare_value(args),
                          "No comparison"))  # fmt: skip
    return html.Div([
        html.Button(f"Filters ({active_filters(args)})", id="filters-toggle", n_clicks=0,
                    type="button", className="btn btn-outline-primary btn-sm d-md-none mb-2",
                    **{"aria-controls": "filter-panel", "aria-expanded": "false"}),
        dbc.Row(cols, className="g-2 mb-3 filter-panel", id="filter-panel"),
    ])  # fmt: skip


def section(chart: ChartSpec, args: dict[str, Any]) -> list[Any]:
    """A card's contents for a view: nothing when the chart does not apply to it.

    The URL callback listens to clicks on the ranking's and the topics' graphs; a view
    without them (a balanced ranking) keeps a hidden stand-in so the input exists.
    """
    body: list[Any] = [chart_section(chart, args)] if chart.when(args) else []
    for graph, owner in CLICKED.items():
        if owner == chart.id and graph not in component_ids(body):
            # never shown: no toolbar (and none of plotly's cloud buttons)
            body.append(dcc.Graph(id=graph, style={"display": "none"},
                                  config={**GRAPH_CONFIG, "displayModeBar": False}))  # fmt: skip
    return body


# Set while the side panel is drawn for an interaction: its charts follow in a second
# response (`draw_question_extras`), so the panel opens with the question's words at once.
_EXTRAS_LATER: ContextVar[bool] = ContextVar("extras_later", default=False)
EXTRAS = "question-extras"


def panel(args: dict[str, Any], extras_later: bool = False) -> list[Any]:
    """The question side panel's contents (none without a question); with `extras_later`
    its charts are left for `draw_question_extras`."""
    token = _EXTRAS_LATER.set(extras_later)
    try:
        return [chart_section(c, args) for c in PANEL if c.when(args)]
    finally:
        _EXTRAS_LATER.reset(token)


def layout(shown: dict | None = None, **query: Any) -> Any:
    """Build the view from the query string; a bad link gets a clear message.

    `shown` is what the page already shows (`view-shown`): when a control has just
    written this very address, the page is already up to date and stays as it is.
    """
    args = {k: v for k, v in query.items() if v not in (None, "")}
    if shown and shown.get("path") == PATH and shown.get("args") == args:
        return dash.no_update
    try:
        Filters.parse(args, allowed=page_filters(PATH))
    except FilterError as exc:
        return html.Div([html.H1("Research priorities", className="h3"), error_alert(exc)])
    return html.Div([
        html.H1("Research priorities", className="h3"),
        controls(args),
        *(html.Div(section(c, args), id=f"sec-{c.id}", className="view-section")
          for c in SECTIONS),
        dcc.Store(id="sections-pending"),
        dcc.Store(id="question-pending"),
        # The next address and view, handed to the shell in the browser (the clientside
        # callback after `update_view`).
        dcc.Store(id="view-search"),
        dcc.Store(id="view-args"),
        dbc.Offcanvas(panel(args), id="question-drawer", labelledby="question-drawer-title",
                      title=html.Span("Question detail", id="question-drawer-title"),
                      is_open=bool(args.get("question")), placement="end", scrollable=True,
                      class_name="question-drawer"),
    ])  # fmt: skip


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
    later = [html.P("Loading its charts…", className="small text-body-secondary")]
    return dbc.Card(
        dbc.CardBody([
            html.P(html.Strong(q["title"]), id="question-title"),  # rendered as text
            html.P(f"Topic: {q['topic']} · status: {q['status']}"),
            html.P(_discussion_text(q), id="question-discussion"),
            project,
            # The side panel covers the page's own button: the link (the address, with this
            # question in it) is copied from here too.
            html.Div([
                dcc.Clipboard(id="copy-question-link", target_id="view-link",
                              title="Copy link to this question",
                              className="btn btn-outline-primary btn-sm me-2"),
                html.Span("Copy link to this question", className="small"),
            ], className="d-flex align-items-center mb-3"),
            html.Div(later if _EXTRAS_LATER.get() else question_extras(args), id=EXTRAS),
        ]),
        className="mb-4", id="question-panel",
    )  # fmt: skip


def question_extras(args: dict[str, Any]) -> list[Any]:
    """The question's charts: its support across rounds, and by group in this round."""
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
        card = chart_card(shown, page_figure(compare.figure, shown), summary, "question-groups",
                          groups.columns, chart=compare)  # fmt: skip
        extras.append(html.Div(card, **{"data-chart": compare.id}))
    return extras


def _keep_one_who(state: dict[str, Any], changed: str) -> None:
    """A comparison by a who filter and a chosen group of the same kind clear each other,
    and so do a chosen group and the same group to compare with.

    The control just changed wins, so a choice never leads to a refused view.
    """
    chosen = who_value(state)
    if changed == "who" and chosen:
        if state.get("compare") in WHO_DIMS:
            state.pop("compare")
        if state.get("vs") == chosen:
            state.pop("vs")
    elif changed == "compare" and (state.get("compare") in WHO_DIMS or
                                   (chosen and state.get("vs") == chosen)):  # fmt: skip
        for dim in WHO_DIMS:
            state.pop(dim, None)


def _clicked(click: Any, axis: str) -> str | None:
    """The clicked point's label; None for no click or one not shaped like plotly's."""
    try:
        return str(click["points"][0].get(axis, ""))
    except (TypeError, KeyError, IndexError, AttributeError):
        return None


def next_view(search: str | None, controls: dict[str, Any], trigger: Any,
              clicks: dict[str, Any], drawer_open: bool) -> dict[str, str] | None:  # fmt: skip
    """The view after an interaction (the URL's arguments), or None if it is not allowed.

    The URL's own filters without a control are kept; the controls replace the rest;
    a clicked dot or list entry opens its question, a clicked topic filters by it, and
    closing the side panel closes the question.
    """
    current = dict(parse_qsl((search or "").lstrip("?")))
    state = {k: v for k, v in current.items() if k in KEEP}
    if not all(v is None or isinstance(v, str) for v in controls.values()):
        return None  # a control's value is text: anything else is forged
    who = controls.get("who")
    for name, value in controls.items():
        if value and name == "compare" and value not in GROUP_VALUES:
            state["vs"] = value  # one other group, not each group of a dimension
        elif value and name != "who":
            state[name] = value
    if who:
        dim, _, value = str(who).partition("=")
        if dim not in WHO_DIMS:
            return None
        state[dim] = value
    _keep_one_who(state, trigger if isinstance(trigger, str) else "")
    if trigger == "question-drawer" and not drawer_open:
        state.pop("question", None)
    elif isinstance(trigger, dict) and trigger.get("type") == "open-question":
        state["question"] = str(trigger.get("index", ""))
    for graph, owner in CLICKED.items():
        picked = _clicked(clicks.get(graph), "customdata") if trigger == graph else None
        if picked and owner in OPENS:
            state["question"] = picked  # each dot carries its question id (customdata)
        elif picked and owner == "topics":
            state["topic"] = picked
            state.pop("question", None)
    try:
        Filters.parse(state, allowed=set(CONTROLS) | set(KEEP) | set(WHO_DIMS) | {"vs"})
    except FilterError:
        return None
    return state


def _changed(chart: ChartSpec, old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether a card shows something else in the new view (its inputs changed).

    A card shown in neither view is left alone, hidden stand-in graph and all: redrawing
    it would cost the browser a plot nobody sees.
    """
    shown = chart.when(old), chart.when(new)
    return shown[0] != shown[1] or (shown[0] and chart.page_args(old) != chart.page_args(new))


def _first_and_rest(old: dict[str, Any], new: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The cards a change redraws: the first on the page, then the rest.

    The first comes back with the change itself; the rest follow in a second response
    (`draw_pending`), so the browser draws the card the reader is looking at before
    the cards below it instead of all of them at once.
    """
    changed = [c.id for c in SECTIONS if _changed(c, old, new)]
    return changed[:1], changed[1:]


def _opened(trigger: Any) -> bool:
    """A list entry's button reports a click (not its first appearance on the page)."""
    return not isinstance(trigger, dict) or bool(ctx.triggered and ctx.triggered[0]["value"])


@callback(
    output={
        # To the shell's address and `view-shown` through this page's own stores: Dash
        # calls a callback whose inputs arrive with a page once, prevent_initial_call or
        # not, when any of its outputs was already there (the shell's were), so every
        # load of this page cost a round trip through the whole view and a redraw of
        # the cards' loading state (the clientside callback below costs neither).
        "search": Output("view-search", "data"),
        "shown": Output("view-args", "data"),
        "controls": {n: Output(f"f-{n}", "value") for n in CONTROLS},
        "sections": {c.id: Output(f"sec-{c.id}", "children") for c in SECTIONS},
        "pending": Output("sections-pending", "data"),
        "panel": Output("question-drawer", "children"),
        "extras": Output("question-pending", "data"),
        "open": Output("question-drawer", "is_open"),
        "count": Output("filters-toggle", "children"),
    },
    inputs={
        "controls": {n: Input(f"f-{n}", "value") for n in CONTROLS},
        "clicks": {g: Input(g, "clickData") for g in CLICKED},
        "entries": Input({"type": "open-question", "index": ALL}, "n_clicks"),
        "drawer_open": Input("question-drawer", "is_open"),
    },
    state={"search": State("nav", "search")},
    prevent_initial_call=True,
)
def update_view(controls: dict[str, Any], clicks: dict[str, Any], entries: list,
                drawer_open: bool, search: str | None) -> dict[str, Any]:  # fmt: skip
    """Write the view into the URL and redraw, in place, only the cards it changes."""
    trigger = ctx.triggered_id
    trigger = trigger.removeprefix("f-") if isinstance(trigger, str) else trigger
    new = next_view(search, controls, trigger, clicks, drawer_open) if _opened(trigger) else None
    if new is None:
        return dash.no_update  # type: ignore[return-value]
    old = dict(parse_qsl((search or "").lstrip("?")))
    query = urlencode(new)
    wanted = {**{n: new.get(n) for n in CONTROLS}, "who": who_value(new),
              "compare": compare_value(new)}  # fmt: skip
    question_changed = any(_changed(c, old, new) for c in PANEL) or (
        new.get("question") and old != new
    )
    first, rest = _first_and_rest(old, new)
    drawn = panel(new, extras_later=True) if question_changed else dash.no_update
    # Its charts follow when the panel has their place (not for an unknown question); the
    # nonce makes the same question opened again draw them again.
    later = question_changed and EXTRAS in component_ids(drawn)
    extras = {"args": new, "nonce": uuid.uuid4().hex} if later else dash.no_update
    return {
        "search": f"?{query}" if query else "",
        "shown": {"path": PATH, "args": new},
        "controls": {n: wanted[n] if wanted[n] != controls.get(n) else dash.no_update
                     for n in CONTROLS},
        "sections": {c.id: section(c, new) if c.id in first else dash.no_update
                     for c in SECTIONS},
        "pending": {"args": new, "charts": rest} if rest else dash.no_update,
        "panel": drawn,
        "extras": extras,
        "open": bool(new.get("question")),
        "count": f"Filters ({active_filters(new)})",
    }  # fmt: skip


clientside_callback(
    """function(search, shown) {
        var skip = window.dash_clientside.no_update;
        return [search === null || search === undefined ? skip : search, shown || skip];
    }""",
    Output("nav", "search"),
    Output("view-shown", "data"),
    Input("view-search", "data"),
    Input("view-args", "data"),
    prevent_initial_call=True,
)


@callback(
    output={c.id: Output(f"sec-{c.id}", "children", allow_duplicate=True) for c in SECTIONS},
    inputs={"pending": Input("sections-pending", "data")},
    prevent_initial_call=True,
)
def draw_pending(pending: Any) -> dict[str, Any]:
    """The cards a change redraws after its first (see `_first_and_rest`).

    What the browser sends back is checked again like any address: a forged view gets
    nothing drawn, and only cards of this page can be named.
    """
    args = _checked_args(pending)
    charts = pending.get("charts") if isinstance(pending, dict) else None
    if args is None or not isinstance(charts, list):
        return dash.no_update  # type: ignore[return-value]
    return {c.id: section(c, args) if c.id in charts else dash.no_update for c in SECTIONS}


def _checked_args(pending: Any) -> dict[str, str] | None:
    """The view a pending draw names, checked again like any address (the browser sends
    it back): None for a forged one."""
    args = pending.get("args") if isinstance(pending, dict) else None
    if not isinstance(args, dict) or not all(isinstance(v, str) for v in args.values()):
        return None  # an address holds text only
    try:
        Filters.parse(args, allowed=page_filters(PATH))
    except (FilterError, TypeError, ValueError):
        return None
    return args


@callback(
    Output(EXTRAS, "children"),
    Input("question-pending", "data"),
    prevent_initial_call=True,
)
def draw_question_extras(pending: Any) -> Any:
    """The open question's charts, after the panel has opened with its words."""
    args = _checked_args(pending)
    if args is None or not args.get("question"):
        return dash.no_update
    return question_extras(args)
