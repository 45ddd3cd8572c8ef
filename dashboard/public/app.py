"""The public side: a separate, minimal Flask app that serves embeds and nothing else.

Isolation by construction: this app has no Dash, no callback endpoint, no data
API and no session. Its only way to data is `dashboard.public.charts`, which
knows the public charts and their coarse filters. It is mounted at /embed
beside the researcher app (see `app.make_wsgi`), or served alone.

    /embed/                              the public charts and their snippets
    /embed/<chart>/?<filters>            one chart as an embeddable page
    /embed/<chart>/data/<key>.json|.csv  what that page renders / downloads
    /embed/methods/                      how the numbers are made
    /embed/static/<file>                 plotly (basic bundle), embed.js, host.js; and the
                                         researcher explorer's plotly bundle (not published)
"""

from __future__ import annotations

import gzip
import hashlib
import html
import logging
from functools import cache
from pathlib import Path

from flask import Flask, Response, abort, request

from dashboard.cache import code_version
from dashboard.catalogue import CATALOGUE
from dashboard.db import QueryTimeout, WarehouseError
from dashboard.engine import Engine
from dashboard.filters import FilterError, Filters
from dashboard.public import charts as public
from dashboard.public.pages import chart_page, index_page, methods_page

log = logging.getLogger(__name__)
CODE_VERSION = code_version()
STATIC = Path(__file__).resolve().parent / "static"
STATIC_FILES = {
    "plotly-basic.min.js": "text/javascript",
    "embed.js": "text/javascript",
    "host.js": "text/javascript",
    "embed.css": "text/css",
    "plotly-basic.LICENSE.txt": "text/plain",
}
# The researcher explorer's plotly.js (basic + choropleth + table; built by
# scripts/build_plotly_bundle.sh): served from here like the embeds' bundle, but not part
# of the static publish, which only the embeds use.
EXPLORER_FILES = {
    "plotly-explorer.min.js": "text/javascript",
    "plotly-explorer.LICENSE.txt": "text/plain",
}
# Embeds may be revalidated often; the ETag changes only when the build does.
PAGE_CACHE = "public, max-age=300, stale-while-revalidate=600"
STATIC_CACHE = "public, max-age=86400"
# A URL carrying the file's own version (?v=, see static_version) never changes content.
VERSIONED_CACHE = "public, max-age=31536000, immutable"


def create_public_app(engine: Engine, frame_ancestors: str = "*") -> Flask:
    """The embed app. `frame_ancestors` is the CSP list of sites allowed to frame it."""
    app = Flask(__name__)
    app.config.update(SESSION_COOKIE_NAME=None, PROPAGATE_EXCEPTIONS=False)
    csp = (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; "
        f"form-action 'none'; frame-ancestors {frame_ancestors}"
    )

    def etag_for(build: str, *parts: str) -> str:
        # k and the code version too: a new threshold or a fix must not be revalidated as 304.
        salt = (build, str(engine.k), CODE_VERSION)
        return hashlib.sha256("\0".join((*salt, *parts)).encode()).hexdigest()[:32]

    def cached(
        body: str | bytes,
        mimetype: str,
        *etag_parts: str,
        gz: bytes | None = None,
        build: str | None = None,
    ) -> Response:
        """Revalidatable until the next build: the ETag is made from the build id."""
        build = build or engine.warehouse.snapshot().build_id
        accepts_gzip = gz is not None and "gzip" in request.headers.get("Accept-Encoding", "")
        response = Response(gz if accepts_gzip else body, mimetype=mimetype)
        if gz is not None:
            response.headers["Vary"] = "Accept-Encoding"
        if accepts_gzip:
            response.headers["Content-Encoding"] = "gzip"
        # The gzipped and the plain body are different representations: never one ETag.
        encoding = "gzip" if accepts_gzip else "identity"
        response.set_etag(etag_for(build, request.path, encoding, *etag_parts))
        response.headers["Cache-Control"] = PAGE_CACHE
        return response.make_conditional(request)

    @app.get("/")
    def index() -> Response:
        charts = [(c, CATALOGUE[c].title) for c in public.PUBLIC_FILTERS]
        return cached(index_page(charts, engine.settings.public_url), "text/html")

    @app.get("/methods/")
    def methods() -> Response:
        return cached(methods_page(), "text/html")

    @app.get("/<chart_id>/")
    def chart(chart_id: str) -> Response:
        key = public.data_key(public.parse(chart_id, _args()))
        snap = engine.warehouse.snapshot()
        page = pages.get((snap.build_id, chart_id, key))
        if page is None:
            page = chart_page(chart_id, CATALOGUE[chart_id].title, key, snap).encode()
            if len(pages) > 2048:
                pages.clear()
            pages[(snap.build_id, chart_id, key)] = page
        return cached(page, "text/html", key, build=snap.build_id)

    @app.get("/<chart_id>/data/<key>.<fmt>")
    def data(chart_id: str, key: str, fmt: str) -> Response:
        if fmt not in ("json", "csv"):
            abort(404)
        if request.args:
            raise FilterError("data files take no query string")
        filters = public.parse_key(chart_id, key)
        build, body, gz, mimetype = _render(chart_id, filters, fmt)
        response = cached(body, mimetype, gz=gz, build=build)
        if fmt == "csv":
            response.headers["Content-Disposition"] = f'attachment; filename="{chart_id}.csv"'
        return response

    rendered: dict[tuple[str, str, str, str], tuple[bytes, bytes, str]] = {}
    pages: dict[tuple[str, str, str], bytes] = {}

    def _render(chart_id: str, filters: Filters, fmt: str) -> tuple[str, bytes, bytes, str]:
        """(build id, body, gzipped body, mimetype), rendered once per build and view."""
        key = public.data_key(filters)
        build = engine.warehouse.snapshot().build_id
        hit = rendered.get((build, chart_id, key, fmt))
        if hit is not None:
            return (build, *hit)
        shown = public.view(engine, chart_id, filters)
        if fmt == "csv":
            body, mimetype = shown.csv().encode(), "text/csv"
        else:
            body, mimetype = shown.json_bytes(), "application/json"
        entry = (body, gzip.compress(body, compresslevel=6, mtime=0), mimetype)
        if len(rendered) > 2048:
            rendered.clear()
        rendered[(shown.result.build_id, chart_id, key, fmt)] = entry
        return (shown.result.build_id, *entry)

    @app.get("/static/<name>")
    def static_file(name: str) -> Response:
        mimetype = STATIC_FILES.get(name) or EXPLORER_FILES.get(name)
        if mimetype is None:
            abort(404)
        body, compressed = _static_bytes(name)
        gz = "gzip" in request.headers.get("Accept-Encoding", "")
        response = Response(compressed if gz else body, mimetype=mimetype)
        if gz:
            response.headers["Content-Encoding"] = "gzip"
        response.headers["Vary"] = "Accept-Encoding"
        versioned = request.args.get("v") == static_version(name)
        response.headers["Cache-Control"] = VERSIONED_CACHE if versioned else STATIC_CACHE
        response.set_etag(hashlib.sha256(body).hexdigest()[:32] + ("-gzip" if gz else ""))
        return response.make_conditional(request)

    @app.errorhandler(FilterError)
    @app.errorhandler(public.NotPublic)
    def refused(exc: Exception) -> Response:
        status = 404 if isinstance(exc, public.NotPublic) else 400
        return _error(status, str(exc))

    @app.errorhandler(404)
    def not_found(_: Exception) -> Response:
        return _error(404, "no such public chart or file; see /embed/")

    @app.errorhandler(405)
    def not_allowed(_: Exception) -> Response:
        return _error(405, "the public side is read-only")

    @app.errorhandler(QueryTimeout)
    @app.errorhandler(WarehouseError)
    def unavailable(exc: Exception) -> Response:
        log.error("embed unavailable: %s", exc)
        return _error(503, "the data is not available right now; try again shortly")

    @app.errorhandler(Exception)
    def failed(exc: Exception) -> Response:
        log.exception("embed failed")
        return _error(500, "something went wrong on our side")

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = csp
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers.pop("Set-Cookie", None)
        return response

    return app


def _args() -> dict[str, list[str]]:
    return {key: request.args.getlist(key) for key in request.args}


def _error(status: int, message: str) -> Response:
    body = (
        '<!doctype html><html lang="en"><meta charset="utf-8"><title>Not available</title>'
        f'<p role="alert">{html.escape(message)}</p><p><a href="/embed/">Public charts</a></p>'
    )
    return Response(body, status=status, mimetype="text/html")


@cache
def _static_bytes(name: str) -> tuple[bytes, bytes]:
    body = (STATIC / name).read_bytes()
    return body, gzip.compress(body, compresslevel=9, mtime=0)


@cache
def static_version(name: str) -> str:
    """A short hash of a static file's bytes, for a cache-busting `?v=` in its URL."""
    return hashlib.sha256(_static_bytes(name)[0]).hexdigest()[:12]


def static_dir() -> Path:
    """Where the public static files live (the publish copies them)."""
    return STATIC
