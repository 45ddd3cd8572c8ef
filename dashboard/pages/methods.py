"""Methods: how every score, interval and suppression rule works, in plain language."""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from dashboard.public.pages import methods_section

dash.register_page(__name__, path="/methods", name="Methods",
                   title="Methods · Community insights")  # fmt: skip


def layout(**_: Any) -> html.Div:
    """The README's methods section, so the page and the docs never disagree."""
    return html.Div([dcc.Markdown(methods_section(), id="methods-text")], className="col-lg-9")
