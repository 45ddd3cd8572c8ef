"""The page a reader asked for, laid out in the first answer instead of a second one.

With Dash pages, the renderer first fetches the shell (`/_dash-layout`) with an empty page
container; the address bar's `dcc.Location` then reports the path, and Dash's router
callback answers with the page. That is one more round trip and one more time React builds
the tree before a chart can draw (Lighthouse: 60-180 ms of blocking time per load). The
layout request carries the page's address in its `Referer` (researcher pages send
`Referrer-Policy: same-origin`), so the page is laid out there, by the router's own rules,
and the location starts with the path and query it was laid out for: the location then has
nothing new to report on the path and the query, and the router is not called.

Without a usable `Referer` (stripped by a proxy, another host, a path no page has) the page
container is Dash's own, empty, and the router lays the page out as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import dash
from dash import dcc, html
from dash._pages import _parse_query_string, _path_to_page
from dash.dash import _ID_CONTENT as CONTENT  # the page container's parts, by Dash's names
from dash.dash import _ID_DUMMY as DUMMY
from dash.dash import _ID_LOCATION as LOCATION
from dash.dash import _ID_STORE as STORE

log = logging.getLogger(__name__)


def page_container(
    referrer: str | None, host: str, strip: Callable[[str], str | None], states: dict[str, Any]
) -> html.Div:
    """Dash's page container (dash.page_container), with the page `referrer` names laid out
    in it when that is a page of this app on `host` (`strip` removes the app's prefix;
    `states`, the router's other arguments as a page arriving has them)."""
    laid_out = _page_at(referrer, host, strip, states)
    if laid_out is None:
        return dash.page_container
    path, search, content, title = laid_out
    return html.Div([
        dcc.Location(id=LOCATION, refresh="callback-nav", pathname=path, search=search),
        html.Div(content, id=CONTENT, disable_n_clicks=True),
        dcc.Store(id=STORE, data={"title": title}),
        html.Div(id=DUMMY, disable_n_clicks=True),
    ])  # fmt: skip


def _page_at(
    referrer: str | None, host: str, strip: Callable[[str], str | None], states: dict[str, Any]
) -> tuple[str, str, Any, str] | None:
    """(path, search, layout, title) of the page at `referrer`, as the router lays it out."""
    if not referrer:
        return None
    url = urlsplit(referrer)
    if url.netloc != host or not url.path.startswith("/"):
        return None
    page, path_variables = _path_to_page(strip(url.path))
    if not page:
        return None  # the router's "not found" page, as before
    search = f"?{url.query}" if url.query else ""
    layout, title = page.get("layout", ""), page["title"]
    try:
        if callable(layout):
            layout = layout(**{**(path_variables or {}), **_parse_query_string(search),
                               **states})  # fmt: skip
        if callable(title):
            title = title(**(path_variables or {}))
    except Exception:  # the router will meet the same error and answer it as it does
        log.exception("laying out %s in the first answer failed; left to the router", url.path)
        return None
    return url.path, search, layout, title
