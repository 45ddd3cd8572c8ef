"""The page shell: navbar with the network's name and snapshot date, and the nav location."""

from __future__ import annotations

import json
import os
from typing import Any

import dash
import dash_ag_grid
import dash_bootstrap_components as dbc
from dash import MATCH, Input, Output, State, dcc, html
from dash.fingerprint import build_fingerprint

from dashboard.db import WarehouseError
from dashboard.engine import Engine

# The grid's bundle (1.3 MB, 360 KB compressed) is served but not in the page: it is
# loaded the first time a reader opens a table (see `register_callbacks`). Dash leaves a
# "dynamic" resource out of the page's scripts; the others (source maps, the async
# chunks the bundle loads itself) already are.
GRID_BUNDLE = "dash_ag_grid.min.js"
for _resource in dash_ag_grid._js_dist:
    if _resource.get("relative_package_path") == GRID_BUNDLE:
        _resource["dynamic"] = True

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
            # What the page shows ({path, args}): a page that updates in place writes it
            # with the address, so the router, hearing of the new address, knows the page
            # is already up to date (see `routing_inputs`).
            dcc.Store(id="view-shown"),
            # On a phone the pages fold behind a "Menu" button (the brand and the as-of
            # date stay in sight); from 768 px they are in one row.
            dbc.Navbar(
                dbc.Container(
                    [
                        dbc.NavbarBrand(network, href="/", id="brand"),
                        html.Span(as_of, id="as-of", className="text-white small ms-auto me-2"),
                        html.Button(
                            html.Span(className="navbar-toggler-icon"),
                            id="nav-toggle",
                            n_clicks=0,
                            type="button",
                            className="navbar-toggler",
                            **{
                                "aria-label": "Menu",
                                "aria-controls": "nav-pages",
                                "aria-expanded": "false",
                            },
                        ),
                        dbc.Collapse(
                            dbc.Nav(
                                [
                                    dbc.NavItem(dbc.NavLink(label, href=href, active="exact"))
                                    for label, href in NAV
                                ],
                                navbar=True,
                            ),
                            id="nav-pages",
                            is_open=False,
                            navbar=True,
                        ),
                    ],
                    fluid=True,
                ),
                color="primary",
                dark=True,
                expand="md",
                className="mb-3",
            ),
            dbc.Container([share_row(), html.Main(content, id="main")], fluid=True),
        ]
    )


def share_row() -> html.Div:
    """ "Copy link to this view": the URL is the view's whole state, so it is the link."""
    return html.Div(
        [
            html.Label("Link to this view", htmlFor="view-link", className="small me-2 mb-0"),
            dcc.Input(id="view-link", type="text", readOnly=True, value="",
                      className="form-control form-control-sm", style={"maxWidth": "26rem"}),
            dcc.Clipboard(id="copy-link", target_id="view-link", title="Copy link to this view",
                          className="btn btn-outline-primary btn-sm ms-2"),
        ],
        className="d-flex align-items-center justify-content-end mb-2",
    )  # fmt: skip


def routing_inputs() -> dict[str, State]:
    """What the router passes to every page's layout besides the query: `shown`."""
    return {"shown": State("view-shown", "data")}


def grid_script_url(app: dash.Dash) -> str:
    """The grid bundle's fingerprinted address (cached for a year, as Dash's own bundles),
    registered with `app` so that every worker serves it before it has served a page."""
    app.registered_paths["dash_ag_grid"].add(GRID_BUNDLE)
    path = os.path.join(os.path.dirname(dash_ag_grid.__file__), GRID_BUNDLE)
    fingerprint = build_fingerprint(GRID_BUNDLE, dash_ag_grid.__version__,
                                    int(os.stat(path).st_mtime))  # fmt: skip
    return f"{app.config.requests_pathname_prefix}_dash-component-suites/dash_ag_grid/{fingerprint}"


def register_callbacks(app: dash.Dash) -> None:
    """The shell's own callback, on this app (every app, not only the first one made)."""
    # The link shown (and copied) is the address bar's, kept up to date as filters change.
    app.clientside_callback(
        "function(href, search) { return window.location.href; }",
        Output("view-link", "value"),
        Input("nav", "href"),
        Input("nav", "search"),
    )
    # Whenever the router lays a page out, that is what the page shows.
    app.clientside_callback(
        """function(children) {
            var args = {};
            new URLSearchParams(window.location.search).forEach(function(v, k) {
                if (v !== "") { args[k] = v; }
            });
            return {path: window.location.pathname, args: args};
        }""",
        Output("view-shown", "data", allow_duplicate=True),
        Input("_pages_content", "children"),
        prevent_initial_call="initial_duplicate",
    )
    # The phone's "Filters (n)" button folds the filter panel (no round trip).
    app.clientside_callback(
        """function(n, cls) {
            var open = n % 2 === 1;
            var base = (cls || "").replace(/ ?\\bopen\\b/g, "");
            return [open ? base + " open" : base, String(open)];
        }""",
        Output("filter-panel", "className"),
        Output("filters-toggle", "aria-expanded"),
        Input("filters-toggle", "n_clicks"),
        State("filter-panel", "className"),
        prevent_initial_call=True,
    )
    # A card's table becomes a sortable grid the first time it is opened (its rows came
    # with the card); cards whose table nobody opens never build one, and a page whose
    # tables nobody opens never loads the grid's script (the first opening loads it, once).
    app.clientside_callback(
        """async function(n, spec, drawn) {
            if (!n || !spec || (drawn && drawn.length !== 0)) {
                return window.dash_clientside.no_update;
            }
            if (!window.dash_ag_grid) {
                window.appGridScript = window.appGridScript || new Promise(function(ok, fail) {
                    var s = document.createElement("script");
                    s.src = GRID_URL;
                    s.onload = ok;
                    s.onerror = function() { window.appGridScript = null; fail(); };
                    document.head.appendChild(s);
                });
                await window.appGridScript;
            }
            return {namespace: "dash_ag_grid", type: "AgGrid", props: {
                id: spec.id, rowData: spec.rowData, columnDefs: spec.columnDefs,
                defaultColDef: {sortable: true, filter: true, resizable: true},
                dashGridOptions: {domLayout: "autoHeight"}}};
        }""".replace("GRID_URL", json.dumps(grid_script_url(app))),
        Output({"type": "grid", "dom": MATCH}, "children"),
        Input({"type": "grid-open", "dom": MATCH}, "n_clicks"),
        State({"type": "grid-data", "dom": MATCH}, "data"),
        State({"type": "grid", "dom": MATCH}, "children"),
        prevent_initial_call=True,
    )
    # A list of links drawn when it is first opened (the Overview's step lists,
    # pages/overview.py lazy_step_lists): its items came with the page as data, each a
    # list of text and {text, href} links; member-written titles stay text (React's).
    app.clientside_callback(
        """function(n, items, drawn) {
            if (!n || !items || (drawn && drawn.length !== 0)) {
                return window.dash_clientside.no_update;
            }
            return items.map(function(parts) {
                return {namespace: "dash_html_components", type: "Li", props: {
                    children: parts.map(function(part) {
                        return typeof part === "string" ? part : {
                            namespace: "dash_core_components", type: "Link",
                            props: {children: part.text, href: part.href}};
                    })}};
            });
        }""",
        Output({"type": "lazy-links", "dom": MATCH}, "children"),
        Input({"type": "lazy-links-open", "dom": MATCH}, "n_clicks"),
        State({"type": "lazy-links-data", "dom": MATCH}, "data"),
        State({"type": "lazy-links", "dom": MATCH}, "children"),
        prevent_initial_call=True,
    )
    # The phone menu opens and closes in the browser (no round trip to the server).
    app.clientside_callback(
        "function(n, open) { var next = n ? !open : open; return [next, String(next)]; }",
        Output("nav-pages", "is_open"),
        Output("nav-toggle", "aria-expanded"),
        Input("nav-toggle", "n_clicks"),
        State("nav-pages", "is_open"),
    )
