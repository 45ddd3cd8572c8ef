"""Overview: headline numbers with change over the previous period, and top priorities."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import html

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


def layout(**_: object) -> html.Div:
    """The charts the catalogue puts on the Overview: headline numbers, top priorities."""
    body: list[Any] = [html.H1("Our questions, our research", className="h3"),
                       *open_round_notes(engine().open_rounds())]  # fmt: skip
    for chart in shown_on("/"):
        featured = chart.page != "/"
        body.append(chart_section(chart, {}, dom_id=f"overview-{chart.dom_id}" if featured
                                  else None, compact=featured))  # fmt: skip
    body.append(html.P(f"Build {engine().warehouse.snapshot().build_id}", className="small"))
    return html.Div(body)
