"""The page shell: navbar with the network's name and snapshot date, and the nav location."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.db import WarehouseError
from dashboard.engine import Engine

NAV = (
    ("Overview", "/"),
    ("Priorities", "/priorities"),
    ("Projects", "/projects"),
    ("Participation", "/participation"),
    ("Methods", "/methods"),
    ("Present", "/present"),
)


def shell(engine: Engine, content: Any) -> html.Div:
    """Navbar + page container; the as-of date is read when the page is served."""
    try:
        snap = engine.warehouse.snapshot()
        network = engine.settings.network_name or snap.network or "Research network"
        as_of = f"Data as of {snap.as_of}"
    except WarehouseError:
        network, as_of = "Research network", "Data unavailable"
    return html.Div(
        [
            html.A("Skip to content", href="#main", className="visually-hidden-focusable"),
            dcc.Location(id="nav", refresh="callback-nav"),
            dbc.Navbar(
                dbc.Container(
                    [
                        dbc.NavbarBrand(network, href="/", id="brand"),
                        dbc.Nav(
                            [
                                dbc.NavItem(dbc.NavLink(label, href=href, active="exact"))
                                for label, href in NAV
                            ],
                            navbar=True,
                        ),
                        html.Span(as_of, id="as-of", className="text-white ms-auto"),
                    ],
                    fluid=True,
                ),
                color="primary",
                dark=True,
                className="mb-3",
            ),
            dbc.Container(html.Main(content, id="main"), fluid=True),
        ]
    )
