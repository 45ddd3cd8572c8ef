"""The Dash app: `create_app()` builds it; app.py at the top serves it.

Nothing is queried at import time: pages ask the engine when they render.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from html import escape as html_escape
from pathlib import Path

import dash
from dash import Dash
from dash._pages import _path_to_page
from flask import Flask, has_request_context, jsonify, request
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from dashboard.api import make_api
from dashboard.catalogue import CATALOGUE, shown_on
from dashboard.compile_hints import hint_eager_compilation
from dashboard.compression import enable_compression
from dashboard.config import Settings, public_only
from dashboard.engine import Engine
from dashboard.fast_json import use_orjson
from dashboard.layout import register_callbacks, routing_inputs, shell
from dashboard.page_in_layout import page_container
from dashboard.present.routes import register_present_routes
from dashboard.present.store import DeckStore
from dashboard.public.app import create_public_app, static_version
from dashboard.security import Auth, guard_callbacks, require_sign_in, researcher_headers
from dashboard.views import PHONE_BELOW_PX, screen_size

log = logging.getLogger(__name__)
PAGES_DIR = Path(__file__).resolve().parent / "pages"
ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"


def create_app(
    settings: Settings | None = None, auth: Auth | None = None, decks: DeckStore | None = None
) -> Dash:
    """The researcher app (pages + data API), with the public embeds mounted at /embed.

    `app.server` is the WSGI callable to serve. The embeds are a separate Flask
    app dispatched before this one sees the request, so sign-in and the
    researcher headers never apply to them and they never reach a callback.
    """
    settings = settings or Settings.from_env()
    auth = auth if auth is not None else Auth.from_env()
    engine = Engine(settings)
    engine.warehouse.snapshot()  # refuse to start on a missing or corrupt warehouse
    engine.warm()  # workers forked from here start with the publication decoded
    app = Dash(
        "dashboard",  # the package: pages then import as dashboard.pages.<name>, once
        use_pages=True,
        pages_folder=str(PAGES_DIR),
        title="Community insights",
        suppress_callback_exceptions=True,
        # Our own plotly.js bundles with just the traces the explorer draws (the embeds' basic
        # bundle has no choropleth for /participation's map, nor present mode's table),
        # loaded when the first graph mounts, not with the page (Lighthouse's blocking
        # time): the page names them in script elements that are not run, and
        # assets/05-plotly-on-demand.js points dcc.Graph's loader at one of them instead of
        # the full 4.8 MB plotly.js: the charts' bundle (no choropleth, whose country-name
        # table alone took ~0.2 s to evaluate) unless the page shows the map.
        external_scripts=[plotly_bundle_tag(), plotly_bundle_tag(with_map=True)],
        assets_folder=str(ASSETS_DIR),
        routing_callback_inputs=routing_inputs(),
    )
    # The page's language for screen readers (axe: html-has-lang); the rest is Dash's own.
    app.index_string = app.index_string.replace("<html>", '<html lang="en">', 1)
    leave_out_polyfill(app)
    preload_plotly(app)
    preload_first_answer(app)
    app.server.config["ENGINE"] = engine
    use_orjson(app.server)
    app.server.register_blueprint(make_api(engine))
    register_present_routes(app.server, engine, decks)
    app.layout = lambda: shell(engine, first_page(app))
    register_callbacks(app)
    enable_compression(app.server)
    hint_eager_compilation(app.server)
    require_sign_in(app.server, auth)
    guard_callbacks(app.server, lambda: app.callback_map)
    researcher_headers(app.server, app.csp_hashes)
    mount_public(app.server, engine, settings)

    @app.server.errorhandler(RecursionError)
    def too_deep(_: Exception) -> object:
        # json.loads raises this (not ValueError) on a body nested thousands deep.
        return jsonify({"error": "the request body is nested too deeply", "status": 400}), 400

    # Dash sets itself up on its first request: it marks setup done, then registers
    # the script paths and callbacks. A second thread arriving meanwhile (a browser
    # fetches a page's scripts in parallel) got "dash is not a registered library" or
    # an unknown callback. Set up now, once, before any worker is forked.
    with app.server.test_request_context("/"):
        app._setup_server()
    return app


def first_page(app: Dash) -> object:
    """The page container, with the page the layout request comes from already laid out
    (dashboard/page_in_layout.py): Dash's own, empty one outside a request."""
    if not has_request_context():
        return dash.page_container
    arriving = dict.fromkeys(app.routing_callback_inputs)  # nothing shown yet
    return page_container(request.referrer, request.host, app.strip_relative_path, arriving)


def leave_out_polyfill(app: Dash) -> None:
    """Dash's pages load @babel/polyfill (core-js and regenerator-runtime, 90 KB) for
    browsers older than any the explorer supports; evaluating it, and React's scheduler
    running on its setImmediate, cost ~0.15 s of blocking time on every page (Lighthouse).
    What the renderer, dcc and dash_table read from it, the global `regeneratorRuntime`,
    dash-bootstrap-components' bundle sets itself as it loads, before any of them runs
    (tests/pages/test_scripts_browser.py checks it in the browser)."""
    scripts_html = app._generate_scripts_html

    def without_polyfill() -> str:
        return "\n".join(tag for tag in scripts_html().split("\n") if "/polyfill@" not in tag)

    app._generate_scripts_html = without_polyfill  # type: ignore[method-assign]


def add_to_head(app: Dash, tags: Callable[[], list[str]]) -> None:
    """Put the tags `tags()` gives for this request at the top of the HTML's head (before
    the stylesheets), around Dash's own index; each hook added goes first."""
    index = app.interpolate_index

    def with_tags(**parts: str) -> str:
        parts["css"] = "".join(f"{tag}\n" for tag in tags()) + parts["css"]
        return index(**parts)

    app.interpolate_index = with_tags  # type: ignore[method-assign]


def preload_plotly(app: Dash) -> None:
    """A page with charts asks for its plotly.js bundle in the HTML's head (a preload, not
    run): the download and V8's compile (the bundles' compile hint) overlap Dash's start-up
    instead of waiting for the first graph to mount, the page's longest chain (the same URL
    assets/05-plotly-on-demand.js then loads, so the preloaded copy is the one run)."""

    def bundle() -> list[str]:
        page, _ = _path_to_page(app.strip_relative_path(request.path))
        path = page.get("path") if page else None
        if not (path and shown_on(path)):
            return []
        url = html_escape(plotly_bundle_url(with_map=path in map_pages()))
        return [f'<link rel="preload" href="{url}" as="script">']

    add_to_head(app, bundle)


def preload_first_answer(app: Dash) -> None:
    """A page's HTML asks for Dash's first two answers (the layout, with the page in it:
    first_page; the callbacks) in its head, so they are computed and sent while the
    browser loads and runs the scripts, instead of after (the renderer asks only once it
    has started; at 1M members ~30 ms sooner to the first chart, README). The
    renderer's own requests then take the preloaded answers (same address, same-origin
    credentials), one request each (tests/pages/test_scripts_browser.py).

    The layout is built for the screen's width (views.screen_size, from the cookie
    assets/01-screen.js sets once the scripts run), so it is preloaded only where the
    width is known to be a laptop's: the `media` query is the script's, and a request whose
    cookie still says "narrow" (a window since widened) gets no layout preload."""
    base = html_escape(app.config.requests_pathname_prefix)

    def answers() -> list[str]:
        links = [f'<link rel="preload" href="{base}_dash-dependencies" as="fetch" crossorigin>']
        if screen_size() == "page":
            wide = f"(min-width: {PHONE_BELOW_PX}px)"
            links.append(
                f'<link rel="preload" href="{base}_dash-layout" as="fetch" crossorigin '
                f'media="{wide}">'
            )
        return links

    add_to_head(app, answers)


def map_pages() -> set[str]:
    """The pages that load the bundle with the map (a chart on them is a choropleth)."""
    return {CATALOGUE[c].page for c in MAP_CHARTS}


# The charts drawn as a choropleth (dashboard/figures/geo.py): their pages load the bundle
# with the map at once (another page that shows one loads it when it appears).
MAP_CHARTS = ("countries",)


def plotly_bundle_tag(with_map: bool = False) -> dict[str, str]:
    """A bundle's address as a script element the browser neither fetches nor runs
    (`type="text/plain"`): dcc.Graph loads one when a page first draws a chart; the map's
    lists the pages it is for (`data-pages`)."""
    if not with_map:
        return {"src": plotly_bundle_url(False), "type": "text/plain", "id": "plotly-bundle"}
    pages = " ".join(sorted(map_pages()))
    return {"src": plotly_bundle_url(True), "type": "text/plain", "id": "plotly-bundle-map",
            "data-pages": pages}  # fmt: skip


def plotly_bundle_url(with_map: bool = True) -> str:
    """The explorer's plotly.js from the public side: with the map, bar, scatter,
    choropleth, table (plotly-explorer.min.js); without, bar, scatter, table
    (plotly-charts.min.js, what a page without the map loads).

    Built by scripts/build_plotly_bundle.sh (the charts' one with TRACES=bar,scatter,table).
    The `?v=` is the file's hash, so a rebuilt bundle gets a new URL and this one can be
    cached for good; reading it here also gzips it once at start-up instead of on the
    first page load.
    """
    name = "plotly-explorer.min.js" if with_map else "plotly-charts.min.js"
    return f"/embed/static/{name}?v={static_version(name)}"


def mount_public(server: Flask, engine: Engine, settings: Settings) -> None:
    """Dispatch /embed/... to the public app before `server` sees the request."""
    public = create_public_app(engine, settings.embed_origins)
    server.wsgi_app = DispatcherMiddleware(server.wsgi_app, {"/embed": public.wsgi_app})  # type: ignore[method-assign]


def create_public_server(settings: Settings | None = None) -> Flask:
    """Only the public side: /embed/... and /healthz, nothing researcher-facing at all."""
    settings = settings or Settings.from_env()
    engine = Engine(settings)
    engine.warehouse.snapshot()
    engine.warm()
    server = Flask(__name__)
    use_orjson(server)

    @server.get("/healthz")
    def healthz() -> object:
        snap = engine.warehouse.snapshot()
        return jsonify({"status": "ok", "build_id": snap.build_id, "as_of": snap.as_of})

    @server.errorhandler(404)
    def not_found(_: Exception) -> object:
        return jsonify({"error": "only the public embeds are served here: /embed/"}), 404

    @server.errorhandler(405)
    def not_allowed(_: Exception) -> object:
        return jsonify({"error": "read-only"}), 405

    mount_public(server, engine, settings)
    return server


def make_server() -> Flask:
    """The WSGI app gunicorn serves: everything, or only the embeds (DASHBOARD_PUBLIC_ONLY=1)."""
    logging.basicConfig(level=logging.INFO)
    if public_only():
        return create_public_server()
    return create_app().server


def main() -> None:
    """Serve on 127.0.0.1:8050 (see `python -m dashboard serve --help` for options)."""
    logging.basicConfig(level=logging.INFO)
    create_app().run(host="127.0.0.1", port=8050, debug=False)
