"""Participation: growth by role, monthly active members, retention, rounds, countries."""

from __future__ import annotations

from typing import Any

import dash
from dash import html

from dashboard.catalogue import on_page
from dashboard.views import chart_section

dash.register_page(__name__, path="/participation", name="Participation",
                   title="Participation · Community insights", order=3)  # fmt: skip


def layout(shown: Any = None, **query: Any) -> html.Div:
    """The catalogue's participation charts over the whole network (role narrows them)."""
    del shown  # laid out from the URL every time (no in-place updates here)
    args = {k: v for k, v in query.items() if v not in (None, "")}
    body: list[Any] = [html.H1("Participation", className="h3")]
    body += [chart_section(chart, args) for chart in on_page("/participation")]
    return html.Div(body)
