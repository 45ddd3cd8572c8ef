"""The HTML of the public side: tiny, static-friendly pages with every value escaped.

A chart page is the same for every filter set: embed.js reads the query string
and fetches `data/<key>.json` beside it. That is what lets the static publish
serve the very same snippet with no server.
"""

from __future__ import annotations

import html
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from markdown_it import MarkdownIt

from dashboard.config import PROJECT_ROOT
from dashboard.insights.result import WITHHELD

HEAD = (
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    '<meta name="referrer" content="strict-origin-when-cross-origin">\n'
    "<title>{title}</title>\n"
    '<link rel="stylesheet" href="{static}embed.css">\n</head>\n'
)


def chart_page(chart_id: str, title: str, key: str, snap: Any) -> str:
    """One embeddable chart; data/<key>.json fills it in (see embed.js)."""
    t = html.escape(title)
    return (
        HEAD.format(title=t, static="../static/")
        + f'<body data-chart="{html.escape(chart_id)}">\n<main>\n'
        + f'<h1 id="title">{t}</h1>\n'
        + '<p id="summary" class="summary" aria-live="polite">Loading the chart…</p>\n'
        + '<div id="chart" role="img" aria-labelledby="summary"></div>\n'
        + '<p class="meta"><span id="as-of"></span> · '
        + '<a href="../methods/" target="_blank" rel="noopener">Source and method</a> · '
        + f'<a id="download" href="data/{html.escape(key)}.csv" download>'
        + "Download the data (CSV)</a></p>\n"
        + "<noscript><p>This chart needs JavaScript. The numbers are in the CSV above."
        + "</p></noscript>\n</main>\n"
        + '<script src="../static/plotly-basic.min.js" defer></script>\n'
        + '<script src="../static/embed.js" defer></script>\n</body>\n</html>\n'
    )


def snippet(base_url: str, chart_id: str, query: dict[str, str], title: str) -> str:
    """The HTML another site pastes to embed a chart: an iframe plus the resizer."""
    qs = urlencode(sorted(query.items()))
    src = f"{base_url}/embed/{chart_id}/" + (f"?{qs}" if qs else "")
    return (
        f'<iframe src="{html.escape(src)}" title="{html.escape(title)}" data-ci-embed '
        'loading="lazy" style="width:100%;height:480px;border:0" scrolling="no"></iframe>\n'
        f'<script src="{html.escape(base_url)}/embed/static/host.js" async></script>'
    )


def index_page(charts: list[tuple[str, str]], base_url: str) -> str:
    """The public charts, each with its snippet."""
    items = []
    for chart_id, title in charts:
        code = html.escape(snippet(base_url, chart_id, {}, title))
        items.append(
            f'<li><a href="{html.escape(chart_id)}/">{html.escape(title)}</a>'
            f"<pre><code>{code}</code></pre></li>"
        )
    return (
        HEAD.format(title="Public charts", static="static/")
        + "<body><main><h1>Public charts</h1>"
        + "<p>Paste a snippet into any web page. Filters (where a chart takes them): "
        + "<code>round</code>, <code>role</code>, <code>ms_course</code>, <code>project</code>."
        + f'</p><ul class="charts">{"".join(items)}</ul>'
        + '<p><a href="methods/">Source and method</a></p></main></body></html>\n'
    )


def methods_section() -> str:
    """The README's methods section (markdown): one text for the app and the embeds."""
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    start = text.find("## Methods")
    end = text.find("\n## ", start + 1)
    return text[start:end] if start >= 0 else "Methods are described in the README."


@lru_cache(maxsize=1)
def methods_page() -> str:
    """The README's methods section as HTML (raw HTML in it is escaped, not rendered)."""
    section = methods_section()
    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(section)
    return (
        HEAD.format(title="Source and method", static="../static/")
        + '<body><main class="methods">'
        + "<p>Source: the network's anonymized member-platform export, rebuilt on each "
        + "release. No count of fewer members than the threshold is shown, nor any value "
        + f"that would let one be worked out: each reads “{WITHHELD}”.</p>"
        + body
        + "</main></body></html>\n"
    )
