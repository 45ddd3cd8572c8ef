"""V8's explicit compile hint on Dash's own scripts, as on our plotly.js bundles.

Chrome compiles a script's top level while it streams in, off the main thread, but each
function only when it is first called, on the main thread. Dash's renderer, React and the
component libraries call most of theirs while the first page is built, so that lazy
compilation lands in the long tasks Lighthouse counts as blocking time. The magic comment
`//# allFunctionsCalledOnLoad` as a file's first line (Chrome 136+; other browsers ignore
a comment) asks for all of them to be compiled with the stream. Our plotly.js bundles
carry it in the file (scripts/build_plotly_bundle.sh); Dash's bundles are installed
packages, so the line is added as they are served, before they are compressed and cached,
and their source maps are moved one line down to match.
"""

from __future__ import annotations

import json

from flask import Flask, Response, request

HINT = b"//# allFunctionsCalledOnLoad\n"
BUNDLES = "/_dash-component-suites/"


def hint_eager_compilation(server: Flask) -> None:
    """Prepend the hint to every JavaScript bundle Dash serves. Register after
    `enable_compression` (Flask runs after-request functions in reverse), so the hinted
    bytes are what gets compressed and cached."""

    @server.after_request
    def hint(response: Response) -> Response:
        if (
            request.method != "GET"
            or not request.path.startswith(BUNDLES)
            or response.status_code != 200
            or response.is_streamed
        ):
            return response
        if request.path.endswith(".js"):
            body = response.get_data()
            if not body.startswith(HINT):
                response.set_data(HINT + body)
        elif request.path.endswith(".js.map"):
            response.set_data(shift_source_map(response.get_data()))
        return response


def shift_source_map(body: bytes) -> bytes:
    """The same source map for a script that starts one line lower (a `;` in `mappings`
    is a new generated line; an index map's sections are moved down by one)."""
    try:
        source_map = json.loads(body)
    except ValueError:
        return body
    if not isinstance(source_map, dict):
        return body
    if isinstance(source_map.get("mappings"), str):
        source_map["mappings"] = ";" + source_map["mappings"]
    for section in source_map.get("sections") or []:
        offset = section.get("offset") if isinstance(section, dict) else None
        if isinstance(offset, dict) and isinstance(offset.get("line"), int):
            offset["line"] += 1
    return json.dumps(source_map, separators=(",", ":")).encode()
