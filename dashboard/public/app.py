"""The public side: a separate, minimal Flask app that serves embeds and nothing else.

Isolation by construction: this app has no Dash, no callback endpoint, no data
API and no session. Its only way to data is `dashboard.public.charts`, which
knows the public charts and their coarse filters. It is mounted at /embed
beside the researcher app (see `app.make_wsgi`), or served alone.

    /embed/                              the public charts and their snippets
    /embed/<chart>/?<filters>            one chart as an embeddable page
    /embed/<chart>/data/<key>.json|.csv  what that page renders / downloads (CSV as shown)
    /embed/<chart>/data/<key>.metadata.json|.zip   its reuse package (reuse.py)
    /embed/<chart>/method/               the chart's method in plain words
    /embed/<chart>/@<as_of>/...          the same, from a kept release (releases.py)
    /embed/releases.json                 the kept releases
    /embed/methods/                      how the numbers are made, in full
    /embed/static/<file>                 plotly (basic bundle), embed.js, host.js; and the
                                         researcher explorer's plotly bundle (not published)
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import logging
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, Response, abort, request

from dashboard.cache import code_version
from dashboard.catalogue import CATALOGUE
from dashboard.db import QueryTimeout, WarehouseError
from dashboard.engine import Engine
from dashboard.filters import FilterError, Filters
from dashboard.notes import WITHHELD_RULE
from dashboard.public import charts as public
from dashboard.public import releases, reuse
from dashboard.public.pages import (
    Preview,
    chart_page,
    index_page,
    method_note_page,
    methods_page,
)

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
# Data file suffixes, longest first (a key may itself contain dots).
DATA_SUFFIXES = {
    ".metadata.json": "application/json",
    ".json": "application/json",
    ".csv": "text/csv",
    ".zip": "application/zip",
}


def split_data_name(name: str) -> tuple[str, str]:
    """`<key>.<suffix>` -> (key, suffix without the dot); 404 for anything else."""
    for suffix in DATA_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], suffix[1:]
    raise releases.NotArchived("no such data file")


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

    folder = engine.settings.releases()
    archived: set[str] = set()

    def current_release() -> str | None:
        """Keep the current release (once per build and process); its as-of, if kept."""
        snap = engine.warehouse.snapshot()
        if snap.build_id not in archived:
            if releases.archive(engine, folder) is None:
                return None
            archived.add(snap.build_id)
        return snap.as_of

    @app.get("/")
    def index() -> Response:
        charts = [(c, CATALOGUE[c].title) for c in public.PUBLIC_FILTERS]
        page = index_page(charts, engine.settings.public_url, current_release())
        return cached(page, "text/html")

    @app.get("/releases.json")
    def kept_releases() -> Response:
        current_release()
        body = json.dumps({"releases": releases.kept(folder)}, indent=1).encode()
        return cached(body, "application/json")

    @app.get("/methods/")
    def methods() -> Response:
        return cached(methods_page(), "text/html")

    @app.get("/<chart_id>/method/")
    def method_note(chart_id: str) -> Response:
        public.parse(chart_id, {})
        chart, credit = CATALOGUE[chart_id], public.Credit.of(engine)
        page = method_note_page(chart_id, chart.title, chart.note.format(k=engine.k),
                                WITHHELD_RULE.format(k=engine.k), credit.network,
                                credit.network_url)  # fmt: skip
        return cached(page, "text/html")

    @app.get("/<chart_id>/")
    def chart(chart_id: str) -> Response:
        filters = public.parse(chart_id, _args())
        key = public.data_key(filters)
        snap = engine.warehouse.snapshot()
        page = pages.get((snap.build_id, chart_id, key))
        if page is None:
            shown = public.view(engine, chart_id, filters)
            page = chart_page(chart_id, CATALOGUE[chart_id].title, key, snap,
                              preview=preview(shown)).encode()  # fmt: skip
            if len(pages) > 2048:
                pages.clear()
            pages[(snap.build_id, chart_id, key)] = page
        return cached(page, "text/html", key, build=snap.build_id)

    def preview(shown: public.PublicView) -> Preview:
        """Open Graph tags for this very filter set: its title, summary and image."""
        base = f"{engine.settings.public_url}/embed/{shown.result.chart}/"
        query = shown.result.filters.to_query()
        url = base + ("?" + urlencode(sorted(query.items())) if query else "")
        return Preview(shown.result.title, shown.summary, url,
                       f"{base}image/{shown.key}.png", alt_text(shown))  # fmt: skip

    @app.get("/<chart_id>/data/<name>")
    def data(chart_id: str, name: str) -> Response:
        key, fmt = split_data_name(name)
        if request.args:
            raise FilterError("data files take no query string")
        filters = public.parse_key(chart_id, key)
        build, body, gz, mimetype = _render(chart_id, filters, fmt)
        response = cached(body, mimetype, gz=gz, build=build)
        return _attachment(response, chart_id, key, fmt)

    @app.get("/<chart_id>/@<as_of>/")
    def archived_chart(chart_id: str, as_of: str) -> Response:
        filters = public.parse(chart_id, _args())
        key = public.data_key(filters)
        releases.read(folder, as_of, chart_id, key, "json")  # 404 unless kept
        snap = engine.warehouse.snapshot()
        page = chart_page(chart_id, CATALOGUE[chart_id].title, key, snap, release=as_of)
        return cached(page, "text/html", key, build=f"release:{as_of}")

    @app.get("/<chart_id>/@<as_of>/data/<name>")
    def archived_data(chart_id: str, as_of: str, name: str) -> Response:
        key, fmt = split_data_name(name)
        if request.args:
            raise FilterError("data files take no query string")
        payload_bytes = releases.read(folder, as_of, chart_id, key, "json")
        if fmt == "json":
            body = payload_bytes
        elif fmt == "csv":
            body = releases.read(folder, as_of, chart_id, key, "csv")
        else:
            payload = json.loads(payload_bytes)
            csv_text = releases.read(folder, as_of, chart_id, key, "csv").decode()
            body = _package(payload, csv_text, fmt)
        response = cached(body, DATA_SUFFIXES["." + fmt], build=f"release:{as_of}")
        return _attachment(response, chart_id, key, fmt)

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
            body = shown.csv().encode()
        elif fmt == "json":
            body = shown.json_bytes()
        else:
            body = _package(shown.payload(), shown.csv(), fmt)
        mimetype = DATA_SUFFIXES["." + fmt]
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
    @app.errorhandler(releases.NotArchived)
    def refused(exc: Exception) -> Response:
        status = 400 if isinstance(exc, FilterError) else 404
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


def _package(payload: dict, csv_text: str, fmt: str) -> bytes:
    """The reuse package's metadata.json or zip, from a payload and its CSV."""
    return (
        reuse.metadata_json(payload) if fmt == "metadata.json" else reuse.package(payload, csv_text)
    )


def _attachment(response: Response, chart_id: str, key: str, fmt: str) -> Response:
    """Downloads get a file name; what a page renders (JSON) does not."""
    if fmt in ("csv", "zip"):
        name = f"{chart_id}-{key}" if key != "all" else chart_id
        safe = "".join(c if c.isalnum() or c in "-_=" else "_" for c in name)[:120]
        response.headers["Content-Disposition"] = f'attachment; filename="{safe}.{fmt}"'
    return response


def alt_text(shown: public.PublicView) -> str:
    """The image's alt text: the summary, who, and as of."""
    about = f" ({shown.about})" if shown.about else ""
    return f"{shown.result.title}{about}. {shown.summary} Data as of {shown.result.as_of}."


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
