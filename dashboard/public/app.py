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

import plotly.graph_objects as go
import plotly.io as pio
from flask import Flask, Response, abort, request

from dashboard.cache import code_version
from dashboard.catalogue import CATALOGUE
from dashboard.db import QueryTimeout, WarehouseError
from dashboard.engine import Engine
from dashboard.fast_json import use_orjson
from dashboard.figures.dark import apply_theme
from dashboard.filters import FilterError, Filters
from dashboard.i18n import LANGUAGES, UnknownLanguage, _, check, language
from dashboard.notes import WITHHELD_RULE
from dashboard.public import charts as public
from dashboard.public import image_files, images, releases, reuse
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
# of the static publish, which only the embeds use. plotly-charts.min.js is the same
# without choropleth, for the explorer's pages without the map (dashboard/server.py).
EXPLORER_FILES = {
    "plotly-explorer.min.js": "text/javascript",
    "plotly-charts.min.js": "text/javascript",
    "plotly-explorer.LICENSE.txt": "text/plain",
}
# Embeds may be revalidated often; the ETag changes only when the build does.
PAGE_CACHE = "public, max-age=300, stale-while-revalidate=600"
STATIC_CACHE = "public, max-age=86400"
# A URL carrying the file's own version (?v=, see static_version) never changes content.
VERSIONED_CACHE = "public, max-age=31536000, immutable"
# Data file suffixes, longest first (a key may itself contain dots): CSV, the reuse
# package, and the page's JSON, `<key>[.<lang>][.dark].json` (English and light by default).
DATA_SUFFIXES = {
    ".metadata.json": "application/json",
    ".json": "application/json",
    ".csv": "text/csv",
    ".zip": "application/zip",
}


IMAGE_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


def split_variant(stem: str) -> tuple[str, str, bool]:
    """`<key>[.<lang>][.dark]` -> (key, language, dark)."""
    dark = stem.endswith(".dark")
    stem = stem.removesuffix(".dark")
    for lang in LANGUAGES[1:]:
        if stem.endswith(f".{lang}"):
            return stem[: -len(lang) - 1], lang, dark
    return stem, LANGUAGES[0], dark


def page_json(lang: str, dark: bool = False) -> str:
    """The data-file format of the page's JSON in a language and theme ("es.dark.json")."""
    return ".".join([*([lang] if lang != LANGUAGES[0] else []), *(["dark"] if dark else []),
                     "json"])  # fmt: skip


def split_data_name(name: str) -> tuple[str, str]:
    """`<key>.<suffix>` -> (key, suffix without the dot, e.g. "es.dark.json"); else 404."""
    for suffix in DATA_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem, fmt = name[: -len(suffix)], suffix[1:]
            if fmt == "json":
                stem, lang, dark = split_variant(stem)
                fmt = page_json(lang, dark)
            if stem:
                return stem, fmt
    raise releases.NotArchived("no such data file")


def json_variant(fmt: str) -> tuple[str, bool] | None:
    """(language, dark) of a page-JSON format such as "es.dark.json"; None for other files."""
    if not fmt.endswith("json") or fmt == "metadata.json":
        return None
    parts = fmt.split(".")[:-1]
    dark = "dark" in parts
    langs = [p for p in parts if p != "dark"]
    return (langs[0] if langs else LANGUAGES[0]), dark


def themed(payload_bytes: bytes, dark: bool) -> bytes:
    """The page's JSON with its figure recoloured for the dark theme (WCAG AA, dark.py).

    Made from the light payload alone, so an archived release's dark file needs nothing else.
    """
    if not dark:
        return payload_bytes
    payload = json.loads(payload_bytes)
    figure = apply_theme(go.Figure(payload["figure"]), "dark")
    payload["figure"] = json.loads(pio.to_json(figure, validate=False))
    payload["theme"] = "dark"
    return json.dumps(payload, separators=(",", ":"), allow_nan=False).encode()


def create_public_app(engine: Engine, frame_ancestors: str = "*") -> Flask:
    """The embed app. `frame_ancestors` is the CSP list of sites allowed to frame it."""
    app = Flask(__name__)
    use_orjson(app)
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
        release = current_release()
        charts = [(c, CATALOGUE[c].title,
                   release if release and public.kept_in_release(engine, c, public.parse(c, {}))
                   else None) for c in public.PUBLIC_FILTERS]  # fmt: skip
        return cached(index_page(charts, engine.settings.public_url), "text/html")

    @app.get("/releases.json")
    def kept_releases() -> Response:
        current_release()
        body = json.dumps({"releases": releases.kept(folder)}, indent=1).encode()
        return cached(body, "application/json")

    @app.get("/methods/")
    def methods() -> Response:
        return cached(methods_page(), "text/html")

    @app.get("/<chart_id>/method/")
    @app.get("/<chart_id>/method/<lang>/")
    def method_note(chart_id: str, lang: str | None = None) -> Response:
        """The note; `method/es/` (the static publish's address) or `?lang=es`."""
        public.parse(chart_id, {})
        if lang == LANGUAGES[0]:
            abort(404)  # English is method/ itself: one address per page
        up = "../" if lang else ""
        lang = check(lang or _single_arg("lang"))
        return cached(method_page(chart_id, engine, lang, up), "text/html", lang)

    @app.get("/<chart_id>/")
    def chart(chart_id: str) -> Response:
        args = _args()
        lang = check(_single_arg("lang"))
        _check_theme(_single_arg("theme"))
        filters = public.parse(chart_id, {k: v for k, v in args.items() if k not in PAGE_ONLY})
        key = public.data_key(filters)
        snap = engine.warehouse.snapshot()
        page = pages.get((snap.build_id, chart_id, key, lang))
        if page is None:
            shown = public.view(engine, chart_id, filters, lang)
            page = chart_page(chart_id, shown.title, key, snap, preview=preview(shown),
                              lang=lang).encode()  # fmt: skip
            if len(pages) > 2048:
                pages.clear()
            pages[(snap.build_id, chart_id, key, lang)] = page
        return cached(page, "text/html", key, lang, build=snap.build_id)

    def preview(shown: public.PublicView) -> Preview:
        """Open Graph tags for this very filter set: its title, summary and image."""
        base = f"{engine.settings.public_url}/embed/{shown.result.chart}/"
        query = shown.result.filters.to_query() | ({"lang": shown.lang} if shown.lang != "en"
                                                   else {})  # fmt: skip
        url = base + ("?" + urlencode(sorted(query.items())) if query else "")
        return Preview(shown.title, shown.summary, url,
                       f"{base}image/{shown.stem}.png", alt_text(shown))  # fmt: skip

    @app.get("/<chart_id>/data/<name>")
    def data(chart_id: str, name: str) -> Response:
        key, fmt = split_data_name(name)
        if request.args:
            raise FilterError("data files take no query string")
        filters = public.parse_key(chart_id, key)
        build, body, gz, mimetype = _render(chart_id, filters, fmt)
        response = cached(body, mimetype, gz=gz, build=build)
        return _attachment(response, chart_id, key, fmt)

    @app.get("/<chart_id>/image/<name>")
    def image(chart_id: str, name: str) -> Response:
        """A view's image at a fixed address: image/<key>[.<lang>][.dark].png|svg."""
        stem, _dot, fmt = name.rpartition(".")
        if fmt not in IMAGE_TYPES or not stem:
            abort(404)
        if request.args:
            raise FilterError("image files take no query string")
        key, lang, dark = split_variant(stem)
        return _image(chart_id, public.parse_key(chart_id, key), lang, dark, fmt)

    @app.get("/<chart_id>/image.<fmt>")
    def image_for_query(chart_id: str, fmt: str) -> Response:
        """The same image with the public filters (and lang, theme) as the query string."""
        if fmt not in IMAGE_TYPES:
            abort(404)
        lang = check(_single_arg("lang"))
        theme = _single_arg("theme")
        _check_theme(theme)
        args = {k: v for k, v in _args().items() if k not in PAGE_ONLY}
        return _image(chart_id, public.parse(chart_id, args), lang, theme == "dark", fmt)

    def _image(chart_id: str, filters: Filters, lang: str, dark: bool, fmt: str) -> Response:
        build = engine.warehouse.snapshot().build_id
        key = public.data_key(filters)
        parts = (chart_id, key, lang, "dark" if dark else "light", fmt)
        if not_modified(build, parts):  # revalidation never draws anything
            return image_reply(b"", build, parts)
        build, body, _gz, _type = _render(chart_id, filters, page_json(lang))
        picture = image_files.images([((build, *parts), json.loads(body), parts[3])], fmt,
                                     wait=False)[0]  # fmt: skip
        return image_reply(picture, build, parts)

    def not_modified(build: str, parts: tuple[str, ...]) -> bool:
        """Whether the client already has this image (its ETag matches)."""
        return request.if_none_match.contains(etag_for(build, "image", *parts))

    def image_reply(picture: bytes, build: str, parts: tuple[str, ...]) -> Response:
        """An image with an ETag of its own view, language, theme and format (the same
        for its fixed address and its query-string address); 304 when the client has it."""
        response = Response(picture, mimetype=IMAGE_TYPES[parts[-1]])
        response.set_etag(etag_for(build, "image", *parts))
        response.headers["Cache-Control"] = PAGE_CACHE
        return response.make_conditional(request)

    @app.get("/<chart_id>/@<as_of>/image/<name>")
    def archived_image(chart_id: str, as_of: str, name: str) -> Response:
        """An archived release's image, drawn from its archived payload alone."""
        stem, _dot, fmt = name.rpartition(".")
        if fmt not in IMAGE_TYPES or not stem:
            abort(404)
        key, lang, dark = split_variant(stem)
        stored = "json" if lang == LANGUAGES[0] else f"{lang}.json"
        payload_bytes = releases.read(folder, as_of, chart_id, key, stored)  # 404 unless kept
        tag = f"release:{as_of}"
        parts = (chart_id, key, lang, "dark" if dark else "light", fmt)
        if not_modified(tag, parts):
            return image_reply(b"", tag, parts)
        picture = image_files.images([((tag, *parts), json.loads(payload_bytes), parts[3])],
                                     fmt, wait=False)[0]  # fmt: skip
        return image_reply(picture, tag, parts)

    @app.get("/<chart_id>/@<as_of>/")
    def archived_chart(chart_id: str, as_of: str) -> Response:
        lang = check(_single_arg("lang"))
        _check_theme(_single_arg("theme"))
        args = {k: v for k, v in _args().items() if k not in PAGE_ONLY}
        filters = public.parse(chart_id, args)
        key = public.data_key(filters)
        payload = json.loads(releases.read(folder, as_of, chart_id, key, "json"))  # 404 unless kept
        snap = engine.warehouse.snapshot()
        page = chart_page(chart_id, payload["title"], key, snap, release=as_of, lang=lang)
        return cached(page, "text/html", key, lang, build=f"release:{as_of}")

    @app.get("/<chart_id>/@<as_of>/data/<name>")
    def archived_data(chart_id: str, as_of: str, name: str) -> Response:
        key, fmt = split_data_name(name)
        if request.args:
            raise FilterError("data files take no query string")
        payload_bytes = releases.read(folder, as_of, chart_id, key, "json")
        variant = json_variant(fmt)
        if variant:
            lang, dark = variant
            stored = "json" if lang == LANGUAGES[0] else f"{lang}.json"
            body = themed(releases.read(folder, as_of, chart_id, key, stored), dark)
        elif fmt == "csv":
            body = releases.read(folder, as_of, chart_id, key, "csv")
        else:
            payload = json.loads(payload_bytes)
            csv_text = releases.read(folder, as_of, chart_id, key, "csv").decode()
            body = _package(payload, csv_text, fmt)
        mimetype = "application/json" if variant else DATA_SUFFIXES["." + fmt]
        response = cached(body, mimetype, build=f"release:{as_of}")
        return _attachment(response, chart_id, key, fmt)

    rendered: dict[tuple[str, str, str, str], tuple[bytes, bytes, str]] = {}
    pages: dict[tuple[str, str, str, str], bytes] = {}

    def _render(chart_id: str, filters: Filters, fmt: str) -> tuple[str, bytes, bytes, str]:
        """(build id, body, gzipped body, mimetype), rendered once per build and view."""
        key = public.data_key(filters)
        build = engine.warehouse.snapshot().build_id
        hit = rendered.get((build, chart_id, key, fmt))
        if hit is not None:
            return (build, *hit)
        variant = json_variant(fmt)
        shown = public.view(engine, chart_id, filters, variant[0] if variant else LANGUAGES[0])
        if fmt == "csv":
            body = shown.csv().encode()
        elif variant:
            body = themed(shown.json_bytes(), variant[1])
        else:
            body = _package(shown.payload(), shown.csv(), fmt)
        mimetype = "application/json" if variant else DATA_SUFFIXES["." + fmt]
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

    @app.errorhandler(image_files.Busy)
    def busy(_: Exception) -> Response:
        response = _error(503, "the image is being drawn; try again in a few seconds")
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(FilterError)
    @app.errorhandler(UnknownLanguage)
    @app.errorhandler(public.NotPublic)
    @app.errorhandler(releases.NotArchived)
    def refused(exc: Exception) -> Response:
        status = 400 if isinstance(exc, FilterError | UnknownLanguage) else 404
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
    """The image's alt text in the view's language: headline, summary, who, as of."""
    payload = shown.payload()
    return images.alt_text(payload, image_files.image_text(payload))


# Query names a page takes besides its filters: the reader's language and colour theme.
PAGE_ONLY = ("lang", "theme")
THEMES = ("light", "dark")


def _single_arg(name: str) -> str | None:
    values = request.args.getlist(name)
    if len(values) > 1:
        raise FilterError(f"{name} takes one value")
    return values[0] if values else None


def _check_theme(theme: str | None) -> None:
    """The theme is applied by embed.js; the server only refuses what it would not show."""
    if theme and theme not in THEMES:
        raise FilterError(f"theme={theme[:20]!r}; use light or dark")


def method_page(chart_id: str, engine: Engine, lang: str, up: str = "") -> str:
    """A public chart's method note page in `lang` (the server's and publish's)."""
    chart, credit = CATALOGUE[chart_id], public.Credit.of(engine)
    with language(lang):
        note = _(chart.note).format(k=engine.k)
        rule = _(WITHHELD_RULE).format(k=engine.k)
        title = _(chart.title)
    return method_note_page(title, note, rule, credit.network, credit.network_url, lang, up)


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
