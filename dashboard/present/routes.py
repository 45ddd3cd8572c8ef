"""Plain Flask routes for presentations: slide images, the PDF handout, and saving a view.

    GET  /present/<deck>/slide/<n>.png|.svg   one slide, 1920x1080 (n counts from 1)
    GET  /present/<deck>/slide/<n>-<p>.png|.svg   page p of a slide whose table takes
                                              several pages (X-Slide-Pages says how many)
    GET  /present/<deck>.pdf                  the handout: one page per slide, with its note
    GET  /present/api/decks                   the decks (JSON)
    POST /present/api/slides                  save a view as a slide (JSON body)

The POST takes only `application/json`, which a cross-site form cannot send
without a CORS preflight this app never answers.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, abort, has_request_context, jsonify, request

from dashboard.engine import Engine
from dashboard.present.export import Frame, cached, combine_pdfs, export_pages, render
from dashboard.present.render import deck_status, render_slide
from dashboard.present.store import Deck, DeckStore, StoreError, make_slide

log = logging.getLogger(__name__)
TOKEN = re.compile(r"[A-Za-z0-9]{8,40}")
PROGRESS_COOKIE = "present_export"


def network_name(engine: Engine) -> str:
    return engine.settings.network_name or engine.warehouse.snapshot().network or "Research network"


def _frames(engine: Engine, deck: Deck) -> list[Frame]:
    _, stale = deck_status(deck.pinned_build, deck.pinned_as_of, engine)
    total = len(deck.slides)
    name = network_name(engine)
    return [Frame(deck.name, i + 1, total, name, stale, s.note) for i, s in enumerate(deck.slides)]


def _unavailable(exc: Exception) -> Response:
    log.exception("export failed")
    return Response(
        f"Export is unavailable right now ({type(exc).__name__}). The server renders with "
        "kaleido and chromium; set BROWSER_PATH=/usr/bin/chromium if it cannot find it.",
        status=503, mimetype="text/plain",
    )  # fmt: skip


def _with_progress_cookie(resp: Response) -> Response:
    """Tell the page's spinner that the download it is waiting for has arrived."""
    token = request.args.get("token", "")
    if TOKEN.fullmatch(token):
        resp.set_cookie(PROGRESS_COOKIE, token, max_age=300, samesite="Strict", path="/")
    return resp


_FIGURES: dict[tuple, list] = {}


def cached_figures(key: tuple, make: Callable[[], list]) -> list:
    """A slide's laid-out pages (a few slides' worth, so PNG then SVG lays it out once)."""
    if key not in _FIGURES:
        while len(_FIGURES) >= 16:
            _FIGURES.pop(next(iter(_FIGURES)))
        _FIGURES[key] = make()
    return _FIGURES[key]


def make_blueprint(engine: Engine, store: DeckStore) -> Blueprint:
    bp = Blueprint("present", __name__)

    def deck_or_404(slug: str) -> Deck:
        try:
            deck = store.get(slug)
        except StoreError as exc:
            abort(Response(str(exc), status=500, mimetype="text/plain"))
        if deck is None:
            abort(Response(f"No deck {slug[:60]!r}.", status=404, mimetype="text/plain"))
        return deck

    @bp.get("/present/<slug>/slide/<int:n>.<any(png, svg):fmt>")
    @bp.get("/present/<slug>/slide/<int:n>-<int:page>.<any(png, svg):fmt>")
    def slide_image(slug: str, n: int, fmt: str, page: int = 1) -> Response:
        deck = deck_or_404(slug)
        if not 1 <= n <= len(deck.slides):
            abort(Response(f"This deck has {len(deck.slides)} slides.", status=404,
                           mimetype="text/plain"))  # fmt: skip
        build = engine.warehouse.snapshot().build_id
        key = (deck.slug, deck.revision, deck.updated_at, build, n)
        try:
            frame = _frames(engine, deck)[n - 1]
            figures = cached_figures(
                key, lambda: export_pages(render_slide(engine, deck.slides[n - 1]), frame)
            )
        except Exception as exc:  # the data could not be read: say so, do not 500 blindly
            return _unavailable(exc)
        if not 1 <= page <= len(figures):
            abort(Response(f"Slide {n} has {len(figures)} page(s).", status=404,
                           mimetype="text/plain"))  # fmt: skip
        try:
            data = cached((*key, fmt, page), lambda: render([figures[page - 1]], fmt)[0])
        except Exception as exc:  # kaleido or chromium failed: say so, do not 500 blindly
            return _unavailable(exc)
        mimetype = "image/png" if fmt == "png" else "image/svg+xml"
        resp = Response(data, mimetype=mimetype)
        name = f"{deck.slug}-{n}" + (f"-{page}" if len(figures) > 1 else "")
        resp.headers["Content-Disposition"] = f'inline; filename="{name}.{fmt}"'
        resp.headers["X-Slide-Pages"] = str(len(figures))
        return _with_progress_cookie(resp)

    @bp.get("/present/<slug>.pdf")
    def handout(slug: str) -> Response:
        deck = deck_or_404(slug)
        if not deck.slides:
            abort(Response("This deck has no slides yet.", status=404, mimetype="text/plain"))
        build = engine.warehouse.snapshot().build_id
        key = (deck.slug, deck.revision, deck.updated_at, build, "pdf")

        def make() -> bytes:
            frames = _frames(engine, deck)
            figures = [page for s, f in zip(deck.slides, frames, strict=True)
                       for page in export_pages(render_slide(engine, s), f,
                                                handout=True)]  # fmt: skip
            return combine_pdfs(render(figures, "pdf"))

        try:
            data = cached(key, make)
        except Exception as exc:  # kaleido or chromium failed
            return _unavailable(exc)
        resp = Response(data, mimetype="application/pdf")
        resp.headers["Content-Disposition"] = f'attachment; filename="{deck.slug}-handout.pdf"'
        return _with_progress_cookie(resp)

    @bp.get("/present/api/decks")
    def decks() -> Response:
        try:
            listed = store.list_decks()
        except StoreError as exc:
            return Response(str(exc), status=500, mimetype="text/plain")
        return jsonify([{**d.to_json(), "builtin": d.builtin,
                         "present": f"/present/{d.slug}", "pdf": f"/present/{d.slug}.pdf"}
                        for d in listed])  # fmt: skip

    @bp.post("/present/api/slides")
    def save_slide() -> Any:
        if not request.is_json:
            return jsonify(error="send the slide as application/json"), 415
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return jsonify(error="the body must be a JSON object"), 400
        try:
            deck = save_view(engine, store, body.get("deck"), body.get("view"),
                             note=body.get("note", ""), title=body.get("title", ""),
                             focus=body.get("focus") or None,
                             pin=bool(body.get("pin")))  # fmt: skip
        except StoreError as exc:
            return jsonify(error=str(exc)), 400
        return jsonify(deck=deck.name, slug=deck.slug, slides=len(deck.slides),
                       present=f"/present/{deck.slug}"), 201  # fmt: skip

    return bp


def save_view(engine: Engine, store: DeckStore, deck_name: Any, view: Any, *, note: Any = "",
              title: Any = "", focus: str | None = None, pin: bool = False) -> Deck:  # fmt: skip
    """Validate a view and append it to a deck (pinning a new deck to the current build)."""
    if not isinstance(view, str) or not isinstance(deck_name, str):
        raise StoreError("give the view's address and a deck name")
    if focus is not None and not isinstance(focus, str):
        raise StoreError("focus must be a string")
    host = request.host if has_request_context() else None
    slide = make_slide(view, note=str(note or ""), title=str(title or ""), focus=focus, host=host)
    snap = engine.warehouse.snapshot()
    return store.add_slide(deck_name, slide, pin=(snap.build_id, snap.as_of) if pin else None)


def register_present_routes(server: Flask, engine: Engine,
                            store: DeckStore | None = None) -> DeckStore:  # fmt: skip
    """Mount the presentation routes and make the deck store available to the pages."""
    store = store or DeckStore()
    server.config["PRESENT_STORE"] = store
    server.register_blueprint(make_blueprint(engine, store))
    return store
