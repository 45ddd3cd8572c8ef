"""Presentations: the decks (/present) and one deck, full screen, one slide at a time.

Every slide of a deck is rendered when the deck opens, so a rebuild in the
middle of a meeting does not change what is on screen; moving between slides
(arrow keys, Page Up/Down, Home/End, clicks, the buttons) is handled in the
browser by assets/30-present.js. All text from people (deck names, titles,
notes, question titles) is passed as text, never as markup.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import ALL, Input, Output, State, callback, ctx, dcc, html
from flask import current_app

from dashboard.figures.tables import table_pages
from dashboard.present.render import deck_status, render_slide
from dashboard.present.routes import network_name, save_view
from dashboard.present.slides import SlideContent
from dashboard.present.store import MAX_NOTE, MAX_TITLE, Deck, DeckStore, StoreError
from dashboard.present.viewurl import focus_label, focus_options
from dashboard.views import engine

dash.register_page(
    __name__,
    path="/present",
    name="Present",
    title="Presentations · Community insights",
    layout=lambda **q: layout(**q),
)
dash.register_page(f"{__name__}.deck", path_template="/present/<deck>", name="Presentation",
                   title="Presentation · Community insights",
                   layout=lambda **q: deck_layout(**q))  # fmt: skip

SECONDS_PER_SLIDE = 0.3  # measured with kaleido + chromium, after a ~2 s browser start


def store() -> DeckStore:
    """The app's deck store (register_present_routes sets it; a default one otherwise)."""
    found = current_app.config.get("PRESENT_STORE")
    if found is None:
        found = current_app.config["PRESENT_STORE"] = DeckStore()
    return found


# The list of decks, with the save form ------------------------------------------


def layout(view: str | None = None, deck: str | None = None, **_: Any) -> html.Div:
    """Decks to present, and a form that saves an explorer view as a slide."""
    try:
        decks = store().list_decks()
        listing: Any = deck_cards(decks)
    except StoreError as exc:
        decks, listing = [], dbc.Alert(str(exc), color="danger")
    snap = engine().warehouse.snapshot()
    form = dbc.Card(dbc.CardBody([
        html.H2("Save a view as a slide", className="h5"),
        html.P("Open a view in the explorer, copy its address, and paste it here. Only this "
               "app's pages can be saved: Overview, Priorities, Projects and Participation.",
               className="small text-body-secondary"),
        dbc.Row([
            dbc.Col([dbc.Label("View address", html_for="present-view"),
                     dbc.Input(id="present-view", value=view or "", maxLength=600,
                               placeholder="/priorities?round=R1&role=caregiver")], md=6),
            dbc.Col([dbc.Label("What the slide shows", html_for="present-focus"),
                     dcc.Dropdown(id="present-focus", clearable=False,
                                  options=focus_options(view or ""))], md=6),
        ], className="g-2 mb-2"),
        dbc.Row([
            dbc.Col([dbc.Label("Deck", html_for="present-deck-name"),
                     dbc.Input(id="present-deck-name", value=deck or "", maxLength=60,
                               list="present-deck-names", placeholder="Advisory board, May"),
                     html.Datalist(id="present-deck-names", children=_names(decks))], md=4),
            dbc.Col([dbc.Label("Slide title (optional)", html_for="present-title"),
                     dbc.Input(id="present-title", maxLength=MAX_TITLE)], md=4),
            dbc.Col([dbc.Label("Speaker note (one line)", html_for="present-note"),
                     dbc.Input(id="present-note", maxLength=MAX_NOTE)], md=4),
        ], className="g-2 mb-2"),
        dbc.Checkbox(id="present-pin", value=False, className="mb-2",
                     label=f"Pin a new deck to this snapshot (build {snap.build_id}, data as of "
                           f"{snap.as_of}) instead of following the latest data"),
        html.Div(dbc.Button("Save slide", id="present-save", color="primary")),
        html.Div(id="present-save-result", className="mt-2", role="status"),
    ]), className="mb-4")  # fmt: skip
    return html.Div([
        html.H1("Presentations", className="h3"),
        html.P("Decks of saved views for meetings: present them full screen with the keyboard, "
               "or download slides (PNG, SVG, 1920x1080) and a PDF handout with the notes."),
        form,
        html.Div(listing, id="present-decks"),
    ], className="present-list")  # fmt: skip


def _names(decks: list[Deck]) -> list[html.Option]:
    return [html.Option(value=d.name) for d in decks if not d.builtin]


def pdf_link(deck: Deck, dom_id: str, class_name: str = "") -> html.A:
    """The handout link; the page script shows progress while the server renders it."""
    seconds = 3 + round(SECONDS_PER_SLIDE * len(deck.slides))
    return html.A(
        "PDF handout", href=f"/present/{quote(deck.slug)}.pdf", id=dom_id, download="",
        className=f"present-pdf {class_name}".strip(),
        title=f"Rendered on the server: {len(deck.slides)} pages, about {seconds} s the first time",
        **{"data-slides": str(len(deck.slides)), "data-seconds": str(seconds)},
    )  # fmt: skip


def deck_cards(decks: list[Deck]) -> list[Any]:
    """One card per deck: present, handout, and (for saved decks) order and notes."""
    eng = engine()
    cards = []
    for deck in decks:
        label, stale = deck_status(deck.pinned_build, deck.pinned_as_of, eng)
        head = [
            html.H2(deck.name, className="h5 mb-1"),
            html.Div([dbc.Badge("built in" if deck.builtin else f"{len(deck.slides)} slides",
                                color="secondary", className="me-2"),
                      html.Span(label, className="small")], className="mb-2"),
        ]  # fmt: skip
        if stale:
            head.append(dbc.Alert(stale, color="danger", className="py-1 small"))
        links = html.Div([
            dcc.Link("Present", href=f"/present/{quote(deck.slug)}",
                     className="btn btn-primary btn-sm me-2", id=f"present-open-{deck.slug}"),
            pdf_link(deck, f"present-pdf-{deck.slug}", "btn btn-outline-primary btn-sm me-2"),
            html.Span(className="present-progress small", role="status"),
        ], className="mb-2")  # fmt: skip
        body = [*head, links]
        if not deck.builtin:
            body.append(_slide_list(deck))
        cards.append(dbc.Card(dbc.CardBody(body), className="mb-3"))
    return cards


def _act(deck: Deck, op: str, i: int, text: str, label: str) -> html.Button:
    return html.Button(text, id={"type": "present-act", "deck": deck.slug, "op": op, "i": i},
                       className="btn btn-light btn-sm me-1", title=label,
                       **{"aria-label": label})  # fmt: skip


def _slide_list(deck: Deck) -> html.Div:
    items = []
    for i, s in enumerate(deck.slides):
        items.append(html.Li([
            html.Span(s.title or s.view, className="fw-semibold me-2"),
            html.Code(s.view, className="me-2"),
            html.Span(f"({focus_label(s.focus)})", className="small me-2"),
            html.Span(s.note, className="small fst-italic me-2"),
            _act(deck, "up", i, "↑", f"Move slide {i + 1} up"),
            _act(deck, "down", i, "↓", f"Move slide {i + 1} down"),
            _act(deck, "remove", i, "Remove", f"Remove slide {i + 1}"),
        ], className="mb-1"))  # fmt: skip
    pin = _act(deck, "unpin" if deck.pinned_build else "pin", -1,
               "Follow the latest data" if deck.pinned_build else "Pin to this snapshot",
               "Change what data this deck follows")  # fmt: skip
    delete = dcc.ConfirmDialogProvider(
        dbc.Button("Delete deck", size="sm", color="outline-danger"),
        id={"type": "present-del", "deck": deck.slug},
        message=f"Delete the deck {deck.name!r} and its {len(deck.slides)} slides?",
    )
    return html.Div([html.Ol(items) if items else html.P("No slides yet."),
                     html.Div([pin, delete])])  # fmt: skip


@callback(
    Output("present-focus", "options"),
    Output("present-focus", "value"),
    Input("present-view", "value"),
)
def focus_for_view(view: str | None) -> tuple[list[dict], str | None]:
    """What a slide of this view can show (the first choice by default)."""
    options = focus_options(view or "")
    return options, options[0]["value"] if options else None


@callback(
    Output("present-save-result", "children"),
    Output("present-decks", "children"),
    Output("present-deck-names", "children"),
    Input("present-save", "n_clicks"),
    State("present-view", "value"),
    State("present-focus", "value"),
    State("present-deck-name", "value"),
    State("present-title", "value"),
    State("present-note", "value"),
    State("present-pin", "value"),
    prevent_initial_call=True,
)
def save(_: int | None, view: str, focus: str | None, deck: str, title: str, note: str,
         pin: bool) -> tuple[Any, Any, Any]:  # fmt: skip
    """Validate and save the view; say what happened either way."""
    try:
        saved = save_view(engine(), store(), deck or "", view or "", note=note or "",
                          title=title or "", focus=focus, pin=bool(pin))  # fmt: skip
    except StoreError as exc:
        return dbc.Alert(f"Not saved: {exc}", color="warning", id="present-save-error"), \
            dash.no_update, dash.no_update  # fmt: skip
    decks = store().list_decks()
    done = dbc.Alert([f"Saved as slide {len(saved.slides)} of {saved.name!r}. ",
                      dcc.Link("Present it", href=f"/present/{quote(saved.slug)}")],
                     color="success", id="present-save-ok")  # fmt: skip
    return done, deck_cards(decks), _names(decks)


@callback(
    Output("present-decks", "children", allow_duplicate=True),
    Output("present-save-result", "children", allow_duplicate=True),
    Input({"type": "present-act", "deck": ALL, "op": ALL, "i": ALL}, "n_clicks"),
    Input({"type": "present-del", "deck": ALL}, "submit_n_clicks"),
    prevent_initial_call=True,
)
def act(*_: Any) -> tuple[Any, Any]:
    """Reorder, remove, pin or delete, then redraw the decks."""
    trigger = ctx.triggered_id
    if not trigger or not ctx.triggered or not ctx.triggered[0].get("value"):
        return dash.no_update, dash.no_update
    st, slug = store(), str(trigger["deck"])
    try:
        if trigger["type"] == "present-del":
            st.delete_deck(slug)
        else:
            op, i = trigger["op"], _slide_index(trigger["i"])
            if op in ("up", "down"):
                st.move_slide(slug, i, i - 1 if op == "up" else i + 1)
            elif op == "remove":
                st.remove_slide(slug, i)
            elif op == "pin":
                snap = engine().warehouse.snapshot()
                st.set_pin(slug, (snap.build_id, snap.as_of))
            elif op == "unpin":
                st.set_pin(slug, None)
    except StoreError as exc:
        return dash.no_update, dbc.Alert(str(exc), color="warning")
    return deck_cards(st.list_decks()), None


def _slide_index(value: Any) -> int:
    """A button's slide index (only a forged request sends anything but a whole number)."""
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        raise StoreError("no such slide") from None


# One deck, full screen ------------------------------------------------------------


def screen_figure(figure: go.Figure) -> go.Figure:
    """The slide's chart for a screen: large type, fills its box, no accidental zoom."""
    fig = go.Figure(figure)
    fig.update_layout(
        title=None, height=None, autosize=True, font={"size": 20, "color": "#111111"},
        margin={"l": 10, "r": 30, "t": 40, "b": 40}, dragmode=False, paper_bgcolor="white",
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom",
                "yref": "paper"},
    )  # fmt: skip
    return fig


# The chart's box on a 1440 x 900 screen, a little under (the box grows with the screen):
# a table is cut into pages of whole rows that fit it, like the exported slides.
SCREEN_TABLE_BOX = (1360, 520)


def screen_pages(content: SlideContent) -> list[go.Figure]:
    """The slide's chart for a screen, as pages when it is a table too long for one."""
    return table_pages(screen_figure(content.figure), *SCREEN_TABLE_BOX)


def _slide(deck: Deck, i: int, content: SlideContent, note: str, stale: str | None,
           network: str, current: bool, page: tuple[int, int, go.Figure],
           screens: int) -> html.Section:  # fmt: skip
    """One screen: slide `i`, or page p of P of it when its table takes several."""
    n, total = i + 1, len(deck.slides)
    p, pages, figure = page
    key, of = (f"{n}", "") if pages == 1 else (f"{n}-{p}", f" ({p} of {pages})")
    body: list[Any] = []
    if stale:
        body.append(html.P(stale, className="present-stale"))
    body += [
        html.H2(content.title + of, className="present-title"),
        html.P(content.headline, className="present-headline"),
        html.Div(dcc.Graph(id=f"present-graph-{key}", figure=figure,
                           config={"displayModeBar": False, "responsive": True,
                                   "scrollZoom": False},
                           style={"height": "100%", "width": "100%"}),
                 className="present-chart", role="figure",
                 **{"aria-label": content.headline}),
        html.P(content.footnote, className="present-footnote") if content.footnote else None,
        html.Div([
            html.Span(f"{network} · Data as of {content.as_of} · build {content.build_id}"),
            html.Span([
                html.A("PNG", href=f"/present/{quote(deck.slug)}/slide/{key}.png",
                       className="present-export", target="_blank", rel="noopener"),
                " · ",
                html.A("SVG", href=f"/present/{quote(deck.slug)}/slide/{key}.svg",
                       className="present-export", target="_blank", rel="noopener"),
                f" · slide {n} of {total}" + of,
            ]),
        ], className="present-footer"),
        html.Aside(f"Speaker note: {note}" if note else "No speaker note.",
                   className="present-note"),
    ]  # fmt: skip
    label = f"Slide {n} of {total}{of}: {content.title}"
    return html.Section(
        body, id=f"present-slide-{key}", className="present-slide" + (" current" if current
                                                                       else ""),
        **{"aria-roledescription": "slide", "aria-label": label,
           "aria-hidden": "false" if current else "true", "data-index": str(n),
           "data-screens": str(screens)},
    )  # fmt: skip


def deck_layout(deck: str | None = None, slide: str | None = None, **_: Any) -> html.Div:
    """One deck as a full-screen presentation; `?slide=N` opens at slide N."""
    try:
        found = store().get(str(deck or ""))
    except StoreError as exc:
        return dbc.Alert(str(exc), color="danger")
    if found is None:
        return html.Div([dbc.Alert("There is no deck with this name.", color="warning",
                                   id="present-missing"),
                         dcc.Link("All decks", href="/present")])  # fmt: skip
    if not found.slides:
        return html.Div([dbc.Alert("This deck has no slides yet.", color="info"),
                         dcc.Link("Add slides", href="/present")])  # fmt: skip
    eng = engine()
    _, stale = deck_status(found.pinned_build, found.pinned_as_of, eng)
    network = network_name(eng)
    total = len(found.slides)
    start = int(slide) - 1 if slide and slide.isdigit() and 1 <= int(slide) <= total else 0
    rendered = [(i, s, render_slide(eng, s)) for i, s in enumerate(found.slides)]
    paged = [(i, s, content, screen_pages(content)) for i, s, content in rendered]
    screens = sum(len(pages) for *_, pages in paged)
    slides = [
        _slide(found, i, content, s.note, stale, network, i == start and p == 1,
               (p, len(pages), figure), screens)
        for i, s, content, pages in paged
        for p, figure in enumerate(pages, 1)
    ]  # fmt: skip
    first = sum(len(pages) for *_, pages in paged[:start])  # the screen ?slide=N opens at
    bar = html.Div([
        dcc.Link("← Decks", href="/present", className="present-exit"),
        html.Span(found.name, className="present-deck-name"),
        html.Button("← Previous", id="present-prev", **{"data-present": "prev"}),
        html.Span(f"{first + 1} / {screens}", id="slide-counter", **{"aria-live": "polite"}),
        html.Button("Next →", id="present-next", **{"data-present": "next"}),
        html.Button("Full screen (F)", id="present-fullscreen", **{"data-present": "fullscreen"}),
        html.Button("Notes (N)", id="present-notes-toggle", **{"data-present": "notes",
                                                               "aria-pressed": "false"}),
        pdf_link(found, "present-pdf"),
        html.Span(id="present-progress", className="present-progress", role="status"),
    ], className="present-bar")  # fmt: skip
    return html.Div(
        [bar, html.Div(slides, className="present-slides")],
        id="present-deck", className="present-deck", tabIndex="-1",
        **{"data-slug": found.slug, "data-count": str(screens), "aria-label": f"Presentation: "
           f"{found.name}. Arrow keys or click to move between slides.", "role": "region"},
    )  # fmt: skip
