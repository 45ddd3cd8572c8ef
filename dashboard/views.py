"""Building blocks shared by pages: the engine, chart cards from the catalogue, errors.

A page asks the catalogue which charts live on it and renders each with
`chart_section`; every card carries `data-chart="<chart id>"`. Cards that are
not a figure (headline numbers, the project board, the question panel) are
card kinds that their page registers with `card_kind`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html
from flask import current_app, has_request_context, request

from dashboard.catalogue import CATALOGUE, ChartSpec
from dashboard.engine import Engine
from dashboard.figures.geo import TOPOJSON_PATH
from dashboard.figures.theme import narrow
from dashboard.filters import FilterError
from dashboard.insights.result import WITHHELD, WITHHELD_NOTE, ChartResult
from dashboard.public import charts as public
from dashboard.public.pages import snippet

CardRenderer = Callable[[ChartSpec, ChartResult, dict[str, Any]], Any]
CARD_KINDS: dict[str, CardRenderer] = {}
LEADING_COLUMNS = ("rank", "rank_best", "rank_worst", "tier", "question_id", "title")

GRAPH_CONFIG = {
    "displaylogo": False,
    # No "Share chart" to Plotly's cloud: member data never leaves the network's servers.
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "toImageButtonOptions": {"format": "png", "scale": 2},
    "modeBarButtonsToAdd": ["toImage"],
}


# Set by assets/01-screen.js while the window is phone-narrow (below Bootstrap's `sm`, 576
# px); any other value, or none, is a page's width. Not an identifier: one word, the same for
# every phone.
SCREEN_COOKIE, NARROW = "screen", "narrow"
PHONE_BELOW_PX = 576  # the script's media query: (max-width: 575.98px)


def screen_size() -> str:
    """The size a page's figures are built at for this request: "phone" or "page"."""
    narrow_screen = has_request_context() and request.cookies.get(SCREEN_COOKIE) == NARROW
    return "phone" if narrow_screen else "page"


def page_figure(build: Callable[..., go.Figure], result: ChartResult) -> go.Figure:
    """A chart's figure at the width of the screen asking (screen_size)."""
    size = screen_size()
    figure = build(result, size)
    return narrow(figure) if size == "phone" else figure


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


def card_kind(name: str) -> Callable[[CardRenderer], CardRenderer]:
    """Register how a page draws a chart whose card is not a figure."""

    def register(render: CardRenderer) -> CardRenderer:
        CARD_KINDS[name] = render
        return render

    return register


def component_ids(component: Any) -> list[str]:
    """Every string id in a component tree."""
    found, stack = [], [component]
    while stack:
        node = stack.pop()
        if isinstance(node, list | tuple):
            stack.extend(node)
        elif node is not None and not isinstance(node, str | int | float):
            if isinstance(getattr(node, "id", None), str):
                found.append(node.id)
            stack.append(getattr(node, "children", None))
    return found


def grid_columns(result: ChartResult) -> list[str]:
    """The table's columns: a ranking's rank and question first, its topic and status last."""
    if "rank" not in result.columns:
        return result.columns
    rest = [c for c in result.columns if c not in (*LEADING_COLUMNS, "topic", "status")]
    return [*LEADING_COLUMNS, *rest]


def chart_section(chart: ChartSpec, args: dict[str, Any], dom_id: str | None = None,
                  compact: bool = False) -> Any:  # fmt: skip
    """One chart's card as its page shows it (or a clear alert), marked with its chart id."""
    result = run(chart.id, chart.page_args(args))
    if not isinstance(result, ChartResult):
        return html.Div(result, **{"data-chart": chart.id})
    if chart.card != "chart":
        body = CARD_KINDS[chart.card](chart, result, args)
    elif compact:
        top = ChartResult(**{**result.__dict__,
                             "rows": [r for r in result.rows if r.get("rank")][:10]})  # fmt: skip
        small = chart.figure(result, "embed") if screen_size() == "page" else page_figure(
            chart.figure, top)  # fmt: skip
        body = chart_card(top, small, chart.summary(result),
                          dom_id or chart.dom_id, ["rank", "question_id", "title", "tier"],
                          chart=chart)  # fmt: skip
    else:
        body = chart_card(result, page_figure(chart.figure, result), chart.summary(result),
                          dom_id or chart.dom_id, grid_columns(result), chart=chart,
                          open_here=True)  # fmt: skip
    if chart.more and not compact:
        body = [body, *(chart_card(result, page_figure(more.figure, result), more.summary(result),
                                   more.dom, result.columns, chart=chart)
                        for more in chart.more)]  # fmt: skip
    return html.Div(body, **{"data-chart": chart.id})


def chart_card(
    result: ChartResult,
    figure: go.Figure,
    summary: str,
    dom_id: str,
    grid_columns: list[str],
    graph_config: dict | None = None,
    chart: ChartSpec | None = None,
    open_here: bool = False,
) -> dbc.Card:
    """Title, figure, one-sentence summary (also the figure's description), table, download.

    `graph_config` is merged over GRAPH_CONFIG; a map gets our own `topojsonURL` (plotly.js
    would fetch the world's shapes from its CDN) and scrolls the page instead of zooming.
    `open_here`: the card is on the page its questions open on (buttons, not links).
    """
    if any(getattr(t, "type", "") == "choropleth" for t in figure.data):
        graph_config = {"topojsonURL": dash.get_asset_url(TOPOJSON_PATH), "scrollZoom": False,
                        **(graph_config or {})}  # fmt: skip
    chart = chart or CATALOGUE.get(result.chart)
    query = urlencode(result.filters.to_query())
    csv_href = f"/api/v1/charts/{result.chart}.csv" + (f"?{query}" if query else "")
    rows = [
        {c: WITHHELD if c in r.get("suppressed", ()) else r.get(c) for c in grid_columns}
        for r in result.rows
    ]
    body = [
        html.H2(result.title, className="h5"),
        html.P(summary, id=f"{dom_id}-summary", className="text-body-secondary"),
    ]
    if result.message:
        body.append(dbc.Alert(result.message, color="info", id=f"{dom_id}-message"))
    # The graph is always there (hidden when empty) so callbacks can listen to it.
    reserved = f"{figure.layout.height or 450}px"
    body.append(
        html.Div(
            dcc.Graph(
                id=f"{dom_id}-graph", figure=figure, config={**GRAPH_CONFIG, **(graph_config or {})}
            ),
            role="figure",  # not "img": plotly's toolbar inside is interactive
            # The figure's height is kept free while plotly loads and draws, so the cards
            # below do not jump down when it appears (Lighthouse's layout shift, 0.3-0.7).
            style={"display": "none"} if result.message else {"minHeight": reserved},
            # Drawn when it comes near the screen (assets/05-plotly-on-demand.js); a hidden
            # one at once, as before (it never comes into view).
            **{"aria-label": summary},
            **({} if result.message else {"data-lazy-graph": "1"}),
        )
    )
    if any(r.get("suppressed") for r in result.rows):
        body.append(html.P(WITHHELD_NOTE, id=f"{dom_id}-withheld-note",
                           className="small text-body-secondary"))  # fmt: skip
    if chart is not None and chart.opens_questions and result.rows:
        body.append(question_links(result, chart, open_here))
    if result.context.get("steps"):
        body.append(step_links(result, dom_id))
    body += [
        # The grid is drawn in the browser when the table is first opened (see
        # layout.register_callbacks): its script and its work are not paid by every card.
        html.Details(
            [
                html.Summary("Show the data as a table", id={"type": "grid-open", "dom": dom_id}),
                html.Div(id={"type": "grid", "dom": dom_id}),
                dcc.Store(
                    id={"type": "grid-data", "dom": dom_id},
                    data={"id": f"{dom_id}-table", "rowData": rows,
                          "columnDefs": [{"field": c} for c in grid_columns]},
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
                html.A("Save this view as a slide", href=slide_href(result, chart),
                       className="small", id=f"{dom_id}-save-slide"),
            ],
            className="mt-2",
        ),
        embed_dialog(result, dom_id, chart),
    ]  # fmt: skip
    return dbc.Card(dbc.CardBody(body), className="mb-4")


def question_links(result: ChartResult, chart: ChartSpec, open_here: bool = False) -> html.Details:
    """One entry per question, in the chart's order: the keyboard's way to open one (Tab to
    it, Enter), and a screen reader's list of what the chart shows.

    On the page the question opens on, each is a button that opens the side panel in
    place; elsewhere (a chart featured on the Overview) a link to that page.
    """
    args = {**result.filters.to_query()}
    page = next(c.page for c in CATALOGUE.values() if c.card == "question")  # its panel
    items = []
    for row in {r["question_id"]: r for r in result.rows}.values():
        text = row.get("title") or row["question_id"]
        if open_here:
            item: Any = html.Button(
                text,
                id={"type": "open-question", "index": row["question_id"]},
                type="button",
                className="btn btn-link p-0 text-start",
            )
        else:
            query = urlencode({**args, "question": row["question_id"]})
            item = dcc.Link(text, href=f"{page}?{query}")
        items.append(html.Li(item))
    return html.Details([html.Summary("Open a question (a list of the questions above)"),
                         html.Ol(items, id=f"{chart.dom_id}-questions")],
                        className="mb-2")  # fmt: skip


def step_links(result: ChartResult, dom_id: str) -> html.Div:
    """From each step to what is behind it: its questions, and the study that took each up.

    The result's context lists them (the five steps chart); every link is a plain link,
    reachable by keyboard, and member-written titles are text, never markup.
    """
    page = next(c.page for c in CATALOGUE.values() if c.card == "question")
    projects = next(c.page for c in CATALOGUE.values() if c.card == "board")
    labels = {r["step"]: r.get("label") or r["step"] for r in result.rows}
    sections = []
    for step, questions in result.context["steps"].items():
        items = []
        for q in questions:
            link = [
                dcc.Link(
                    q.get("title") or q["question_id"],
                    href=f"{page}?" + urlencode({"question": q["question_id"]}),
                )
            ]
            if q.get("project_id"):
                link += [
                    " · ",
                    dcc.Link(
                        "its study", href=f"{projects}?" + urlencode({"project": q["project_id"]})
                    ),
                ]
            items.append(html.Li(link))
        summary = f"{labels.get(step, step)}: {len(questions)} question" + (
            "" if len(questions) == 1 else "s"
        )
        sections.append(
            html.Details(
                [html.Summary(summary), html.Ul(items)] if items else [html.Summary(summary)],
                id=f"{dom_id}-step-{step}",
            )
        )
    return html.Div([html.P("Follow a step to its questions and studies:", className="mb-1"),
                     *sections], className="mb-2 small", id=f"{dom_id}-steps")  # fmt: skip


def slide_href(result: ChartResult, chart: ChartSpec | None = None) -> str:
    """The presentation page's save form, pre-filled with this chart's page and slide."""
    chart = chart or CATALOGUE[result.chart]
    args = {**chart.view_args, **result.filters.to_query()}
    view = chart.page + (f"?{urlencode(args)}" if args else "")
    return "/present?" + urlencode({"view": view, "focus": chart.slides[0].focus})


def embed_dialog(result: ChartResult, dom_id: str, chart: ChartSpec | None) -> Any:
    """The iframe snippet for this chart with its current filters, if it may be public."""
    if chart is None or chart.public is None:
        return None
    query = result.filters.to_query()
    try:
        public.parse(result.chart, query)
    except FilterError as exc:
        body: Any = html.P(f"This view cannot be embedded as it is: {exc}. Public embeds "
                           "take only a round and one of role or MS course.")  # fmt: skip
    else:
        base = engine().settings.public_url
        live = snippet(base, result.chart, query, result.title)
        kept = public.kept_in_release(engine(), result.chart, result.filters)
        pinned = snippet(base, result.chart, query, result.title, release=result.as_of)
        body = [
            html.P(
                "Paste one of these into any web page. It shows these public, suppressed "
                "numbers and resizes itself to fit."
            ),
            html.P(html.Strong("Live: updates with each release")),
            html.Pre(html.Code(live), id=f"{dom_id}-embed-code", className="small"),
            dcc.Clipboard(target_id=f"{dom_id}-embed-code", title="Copy the live snippet"),
            *([html.P(html.Strong(f"This release ({result.as_of}): never changes")),
               html.Pre(html.Code(pinned), id=f"{dom_id}-embed-release", className="small"),
               dcc.Clipboard(target_id=f"{dom_id}-embed-release",
                             title="Copy the pinned snippet")] if kept else
              [html.P("This view is not kept as a release of its own (an open round or "
                      "all-time discussion counts can still change).", className="small")]),
            html.P(["Image for newsletters: ", html.Code(
                f"{base}/embed/{result.chart}/image/{public.data_key(result.filters)}.png")],
                className="small"),
        ]  # fmt: skip
    return html.Details([html.Summary("Embed this chart"), html.Div(body)], className="mt-2",
                        id=f"{dom_id}-embed")  # fmt: skip
