"""Explorer views as slides: which URLs are views of this app, and what a slide shows of them.

A saved view is only ever a path of this app plus a query string that
`Filters.parse` accepts for that path. Nothing is fetched: the path picks a
slide renderer and the filters go to the Engine, like a page would send them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from dashboard.catalogue import PAGES, ChartSpec, SlideSpec, page_filters, slide_specs
from dashboard.filters import FilterError, Filters

MAX_URL = 600


class ViewError(ValueError):
    """Not a view of this app, or a filter the view does not accept."""


@dataclass(frozen=True)
class View:
    """A validated view: path, its filters as query args, what to show, canonical URL."""

    path: str
    args: dict[str, str]
    focus: str
    url: str
    chart: ChartSpec
    slide: SlideSpec


def parse_view(url: str, focus: str | None = None, host: str | None = None) -> View:
    """Validate a pasted or saved view URL.

    A full URL is accepted only for this app's own `host` (as the request
    reached us) and keeps only its path and query.
    """
    text = str(url or "").strip()
    if not text:
        raise ViewError("give the view's address, e.g. /priorities?round=R1")
    if len(text) > MAX_URL:
        raise ViewError(f"the view's address is longer than {MAX_URL} characters")
    parts = urlsplit(text)
    if parts.scheme not in ("", "http", "https"):
        raise ViewError("the view must be an address of this app (http or https)")
    if parts.netloc and parts.netloc.lower() != (host or "").lower():
        raise ViewError("the view must be an address of this app, e.g. /priorities?round=R1")
    path = "/" + parts.path.strip("/")
    if path not in PAGES:
        raise ViewError(f"{path[:60]!r} is not an explorer view; use one of "
                        + ", ".join(PAGES))  # fmt: skip
    try:
        raw = parse_qs(parts.query, keep_blank_values=False, max_num_fields=30)
    except ValueError as exc:
        raise ViewError(f"the query string cannot be read: {exc}") from None
    try:
        filters = Filters.parse(raw, allowed=page_filters(path))
    except FilterError as exc:
        raise ViewError(str(exc)) from None
    options = slide_specs(path)
    chosen = focus or next(iter(options))
    if chosen not in options:
        raise ViewError(f"a {path} slide can show: {', '.join(options)}")
    args = filters.to_query()
    url = path + (f"?{urlencode(args)}" if args else "")
    return View(path, args, chosen, url, *options[chosen])


def focus_options(url: str) -> list[dict[str, Any]]:
    """Dropdown options for what a slide of this view can show (empty if not a view)."""
    try:
        path = "/" + urlsplit(str(url or "").strip()).path.strip("/")
    except ValueError:
        return []
    if path not in PAGES:
        return []
    return [{"label": s.label, "value": key} for key, (_, s) in slide_specs(path).items()]


def focus_label(focus: str) -> str:
    """What a focus key shows, in words (the key itself if no page has it)."""
    for path in PAGES:
        found = slide_specs(path).get(focus)
        if found:
            return found[1].label
    return focus
