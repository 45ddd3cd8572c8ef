"""Overview: headline numbers with change over the previous period, and top priorities."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.catalogue import ChartSpec, shown_on
from dashboard.insights.priorities import OpenRound
from dashboard.insights.result import WITHHELD, ChartResult
from dashboard.views import card_kind, chart_section, engine

dash.register_page(__name__, path="/", name="Overview", title="Overview · Community insights",
                   order=0)  # fmt: skip


def format_count(value: Any, withheld: bool) -> str:
    """A served count with thousands separators, or WITHHELD when withheld."""
    if withheld:
        return WITHHELD
    return "—" if value is None else f"{value:,}"


def change_text(row: dict[str, Any]) -> str:
    """ "+304 since June 2026" in words and signs, never colour alone."""
    if row.get("previous") is None and "previous" not in row.get("suppressed", ()):
        return row.get("note") or ""
    if row.get("change") is None:
        return f"change {WITHHELD} to protect privacy"
    change = row["change"]
    word = "up" if change > 0 else "down" if change < 0 else "no change"
    sign = f"{change:+,}" if change else "0"
    return f"{word} {sign} vs {row['compared_with']}"


def _headline(row: dict[str, Any]) -> dbc.Col:
    gone = row.get("suppressed", ())
    dom = f"headline-{row['measure'].replace('_', '-')}"
    return dbc.Col(
        dbc.Card(dbc.CardBody([
            html.Div(row["label"], className="small text-body-secondary"),
            html.Div(format_count(row["value"], "value" in gone), className="fs-3 fw-bold",
                     id=dom),
            html.Div(change_text(row), className="small", id=f"{dom}-change"),
        ])),
        md=4, lg=2, sm=6, className="mb-3",
    )  # fmt: skip


@card_kind("numbers")
def headline_cards(chart: ChartSpec, result: ChartResult, args: dict[str, Any]) -> dbc.Row:
    """Headline counts as number cards, each with its change over the previous period."""
    return dbc.Row([_headline(r) for r in result.rows], id="headlines")


def open_round_notes(rounds: list[OpenRound]) -> list[html.P]:
    """One line per round still open: members see it is running and why no count is shown."""
    return [html.P([html.Strong("Voting now: "), r.words()], className="alert alert-info py-2",
                   id=f"open-round-{r.round_id}") for r in rounds]  # fmt: skip


def _link_parts(item: html.Li) -> list[Any]:
    """A list item's children as data: text as it is, each link as {text, href}."""
    children = item.children if isinstance(item.children, list) else [item.children]
    parts: list[Any] = []
    for child in children:
        if isinstance(child, dcc.Link):
            parts.append({"text": child.children, "href": child.href})
        elif isinstance(child, str):
            parts.append(child)
        else:  # anything else is not a plain list of links: leave the list as it is
            raise TypeError(type(child).__name__)
    return parts


def lazy_step_lists(tree: Any) -> Any:
    """Each step's list of links (views.step_links: ~270 dcc.Links in all on the demo, inside
    closed <details>) drawn in the browser when it is first opened, not at load: React
    builds them only for a step someone opens (layout.register_callbacks, as the grid).

    The <ul> stays in the page, empty until then; its links come with the page as data
    in a dcc.Store, so opening a step needs no round trip. Lists of anything but plain
    links and text are left as they are.
    """
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, list | tuple):
            stack.extend(node)
            continue
        children = getattr(node, "children", None)
        step = isinstance(node, html.Details) and isinstance(getattr(node, "id", None), str)
        if step and "-step-" in node.id and isinstance(children, list) and len(children) == 2:
            summary, links = children
            if isinstance(summary, html.Summary) and isinstance(links, html.Ul):
                try:
                    data = [_link_parts(li) for li in links.children]
                except TypeError:
                    continue
                summary.id = {"type": "lazy-links-open", "dom": node.id}
                node.children = [
                    summary,
                    html.Ul(id={"type": "lazy-links", "dom": node.id}),
                    dcc.Store(id={"type": "lazy-links-data", "dom": node.id}, data=data),
                ]
            continue
        if children is not None and not isinstance(children, str):
            stack.append(children)
    return tree


def layout(**_: object) -> html.Div:
    """The charts the catalogue puts on the Overview: headline numbers, top priorities."""
    body: list[Any] = [html.H1("Our questions, our research", className="h3"),
                       *open_round_notes(engine().open_rounds())]  # fmt: skip
    for chart in shown_on("/"):
        featured = chart.page != "/"
        body.append(chart_section(chart, {}, dom_id=f"overview-{chart.dom_id}" if featured
                                  else None, compact=featured))  # fmt: skip
    body.append(html.P(f"Build {engine().warehouse.snapshot().build_id}", className="small"))
    return lazy_step_lists(html.Div(body))
