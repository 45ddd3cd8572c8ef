"""The HTML of the public side: tiny, static-friendly pages with every value escaped.

A chart page is the same for every filter set: embed.js reads the query string
and fetches `data/<key>.json` beside it. That is what lets the static publish
serve the very same snippet with no server.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
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
    "<title>{title}</title>\n{meta}"
    '<link rel="stylesheet" href="{static}embed.css">\n</head>\n'
)


@dataclass(frozen=True)
class Preview:
    """What a shared link unfurls to (Open Graph and Twitter card tags)."""

    title: str
    description: str
    url: str
    image: str
    image_alt: str

    def tags(self) -> str:
        e = html.escape
        pairs = [
            ("property", "og:type", "website"),
            ("property", "og:title", self.title),
            ("property", "og:description", self.description),
            ("property", "og:url", self.url),
            ("property", "og:image", self.image),
            ("property", "og:image:width", "1200"),
            ("property", "og:image:height", "630"),
            ("property", "og:image:alt", self.image_alt),
            ("name", "twitter:card", "summary_large_image"),
            ("name", "twitter:title", self.title),
            ("name", "twitter:description", self.description),
            ("name", "twitter:image", self.image),
            ("name", "twitter:image:alt", self.image_alt),
            ("name", "description", self.description),
        ]
        return "".join(f'<meta {a}="{e(n)}" content="{e(v)}">\n' for a, n, v in pairs)


def chart_page(
    chart_id: str,
    title: str,
    key: str,
    snap: Any,
    *,
    release: str | None = None,
    preview: Preview | None = None,
) -> str:
    """One embeddable chart; data/<key>.json fills it in (see embed.js).

    `release`: an archived release's as-of date (the page lives one folder deeper, at
    /embed/<chart>/@<as_of>/, and says that it never changes).
    """
    t = html.escape(title)
    up = "../" if release else ""
    banner = (
        f'<p class="release" id="release">Release of {html.escape(release)}: this chart never '
        f'changes. <a href="../">The latest release</a></p>\n'
        if release
        else ""
    )
    return (
        HEAD.format(title=t, static=f"{up}../static/", meta=preview.tags() if preview else "")
        + f'<body data-chart="{html.escape(chart_id)}"'
        + (f' data-release="{html.escape(release)}"' if release else "")
        + ">\n<main>\n"
        + f'<h1 id="title">{t}</h1>\n'
        + '<p id="summary" class="summary" aria-live="polite">Loading the chart…</p>\n'
        + '<div id="chart" role="img" aria-labelledby="summary"></div>\n'
        + banner
        + '<p class="meta"><span id="source"></span> <span id="as-of"></span> · '
        + f'<a href="{up}method/" target="_blank" rel="noopener">How to read this chart</a>'
        + f' · <a id="download" href="data/{html.escape(key)}.csv" download>'
        + "Download the data (CSV)</a>"
        + f' · <a id="package" href="data/{html.escape(key)}.zip" download>'
        + "Data package (zip)</a></p>\n"
        + '<details class="cite"><summary>Cite this chart</summary>'
        + '<p id="citation"></p></details>\n'
        + "<noscript><p>This chart needs JavaScript. The numbers are in the CSV above."
        + "</p></noscript>\n</main>\n"
        + f'<script src="{up}../static/plotly-basic.min.js" defer></script>\n'
        + f'<script src="{up}../static/embed.js" defer></script>\n</body>\n</html>\n'
    )


def snippet(
    base_url: str, chart_id: str, query: dict[str, str], title: str, release: str | None = None
) -> str:
    """The HTML another site pastes to embed a chart: an iframe plus the resizer.

    `release` pins it to an archived release (it never changes); None follows each release.
    """
    qs = urlencode(sorted(query.items()))
    at = f"@{release}/" if release else ""
    src = f"{base_url}/embed/{chart_id}/{at}" + (f"?{qs}" if qs else "")
    return (
        f'<iframe src="{html.escape(src)}" title="{html.escape(title)}" data-ci-embed '
        'loading="lazy" style="width:100%;height:480px;border:0" scrolling="no"></iframe>\n'
        f'<script src="{html.escape(base_url)}/embed/static/host.js" async></script>'
    )


def index_page(charts: list[tuple[str, str]], base_url: str, release: str | None = None) -> str:
    """The public charts, each with its snippets: live, and pinned to this release."""
    items = []
    for chart_id, title in charts:
        live = html.escape(snippet(base_url, chart_id, {}, title))
        pinned = (
            "<p>This release (never changes):</p>"
            f"<pre><code>{html.escape(snippet(base_url, chart_id, {}, title, release))}"
            "</code></pre>"
            if release
            else ""
        )
        items.append(
            f'<li><a href="{html.escape(chart_id)}/">{html.escape(title)}</a> · '
            f'<a href="{html.escape(chart_id)}/method/">How to read it</a>'
            f"<p>Live (updates with each release):</p><pre><code>{live}</code></pre>"
            f"{pinned}</li>"
        )
    return (
        HEAD.format(title="Public charts", static="static/", meta="")
        + "<body><main><h1>Public charts</h1>"
        + "<p>Paste a snippet into any web page. Filters (where a chart takes them): "
        + "<code>round</code>, <code>role</code>, <code>ms_course</code>, <code>project</code>."
        + f'</p><ul class="charts">{"".join(items)}</ul>'
        + '<p><a href="releases.json">Kept releases</a> · '
        + '<a href="methods/">Source and method in full</a></p></main></body></html>\n'
    )


def method_note_page(
    chart_id: str, title: str, note: str, withheld_rule: str, network: str, network_url: str
) -> str:
    """A public chart's method in plain words (at most ~150), instead of the README."""
    e = html.escape
    home = f'<a href="{e(network_url)}">{e(network)}</a>' if network_url else e(network)
    return (
        HEAD.format(title=f"How to read: {e(title)}", static="../../static/", meta="")
        + '<body><main class="methods">'
        + f"<h1>How to read “{e(title)}”</h1>"
        + f"<p>{e(note)}</p>"
        + f"<p>{e(withheld_rule)}</p>"
        + f'<p>Published by {home}. <a href="../">Back to the chart</a> · '
        + '<a href="../../methods/">The full methods, for researchers</a></p>'
        + "</main></body></html>\n"
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
        HEAD.format(title="Source and method", static="../static/", meta="")
        + '<body><main class="methods">'
        + "<p>Source: the network's anonymized member-platform export, rebuilt on each "
        + "release. No count of fewer members than the threshold is shown, nor any value "
        + f"that would let one be worked out: each reads “{WITHHELD}”.</p>"
        + body
        + "</main></body></html>\n"
    )
