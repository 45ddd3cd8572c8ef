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
from dashboard.i18n import LANGUAGES, _, language
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
            ("property", "og:image:width", "1200"),  # the height follows the chart's rows
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
    lang: str = "en",
) -> str:
    """One embeddable chart; data/<key>.json fills it in (see embed.js).

    `release`: an archived release's as-of date (the page lives one folder deeper, at
    /embed/<chart>/@<as_of>/, and says that it never changes). The page's own words are
    in `lang`; embed.js sets them again from the data in the reader's language.
    """
    with language(lang):
        return _chart_page(chart_id, title, key, release, preview, lang)


def _chart_page(
    chart_id: str, title: str, key: str, release: str | None, preview: Preview | None, lang: str
) -> str:
    t, k = html.escape(title), html.escape(key)
    up = "../" if release else ""
    banner = (
        '<p class="release" id="release"><span id="release-text">'
        + html.escape(_("Release of {date}: this chart never changes.").format(date=release))
        + f'</span> <a id="latest" href="../">{html.escape(_("The latest release"))}</a></p>\n'
        if release
        else ""
    )
    head = HEAD.format(title=t, static=f"{up}../static/", meta=preview.tags() if preview else "")
    return (
        head.replace('<html lang="en">', f'<html lang="{html.escape(lang)}">')
        + f'<body data-chart="{html.escape(chart_id)}"'
        + (f' data-release="{html.escape(release)}"' if release else "")
        + _unavailable()
        + ">\n<main>\n"
        + f'<h1 id="title">{t}</h1>\n'
        + '<p id="summary" class="summary" aria-live="polite">'
        + html.escape(_("Loading the chart…"))
        + "</p>\n"
        + '<div id="chart" role="figure" aria-labelledby="summary"></div>\n'
        + banner
        + '<p class="meta"><span id="source"></span> <span id="as-of"></span> · '
        + f'<a id="how-to-read" href="{up}method/" target="_blank" rel="noopener">'
        + html.escape(_("How to read this chart"))
        + f'</a> · <a id="download" href="data/{k}.csv" download>'
        + html.escape(_("Download the data (CSV)"))
        + f'</a> · <a id="package" href="data/{k}.zip" download>'
        + html.escape(_("Data package (zip)"))
        + "</a></p>\n"
        + '<details class="cite"><summary id="cite">'
        + html.escape(_("Cite this chart"))
        + '</summary><p id="citation"></p></details>\n'
        + "<noscript><p>"
        + html.escape(_("This chart needs JavaScript. The numbers are in the CSV above."))
        + "</p></noscript>\n</main>\n"
        + f'<script src="{up}../static/{versioned("plotly-basic.min.js")}" defer></script>\n'
        + f'<script src="{up}../static/{versioned("embed.js")}" defer></script>\n</body>\n</html>\n'
    )


def versioned(name: str) -> str:
    """A static file with its version (`?v=`): the server then lets it be cached for a year
    (Lighthouse's cache audit: plotly's 390 KB were kept a day); static hosts ignore it."""
    from dashboard.public.app import static_version  # app imports this module

    return f"{name}?v={static_version(name)}"


def _unavailable() -> str:
    """The failure message in every language, for embed.js when the data cannot load."""
    out = []
    for lang in LANGUAGES:
        with language(lang):
            text = _("This chart is not available for these filters.")
        out.append(f' data-unavailable-{lang}="{html.escape(text)}"')
    return "".join(out)


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


def index_page(charts: list[tuple[str, str, str | None]], base_url: str) -> str:
    """The public charts, each with its snippets: live, and pinned to the release that
    keeps its default view (None where the release does not keep it)."""
    items = []
    for chart_id, title, release in charts:
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
    title: str,
    note: str,
    withheld_rule: str,
    network: str,
    network_url: str,
    lang: str = "en",
    up: str = "",
) -> str:
    """A public chart's method in plain words (at most ~150), instead of the README.

    `note` and `withheld_rule` are message ids (dashboard/notes.py) with `{k}` filled in
    after translation; `title` is already in `lang`. `up` is "../" for a page one folder
    deeper (method/es/), so its relative links still reach the chart and the styles.
    """
    e = html.escape
    home = f'<a href="{e(network_url)}">{e(network)}</a>' if network_url else e(network)
    with language(lang):
        heading = _("How to read “{title}”").format(title=title)
        return (
            HEAD.format(title=e(heading), static=f"{up}../../static/", meta="").replace(
                '<html lang="en">', f'<html lang="{e(lang)}">'
            )
            + '<body><main class="methods">'
            + f"<h1>{e(heading)}</h1>"
            + f"<p>{e(note)}</p>"
            + f"<p>{e(withheld_rule)}</p>"
            + "<p>"
            + e(_("Published by {network}.")).format(network=home)
            + f' <a href="{up}../?lang={e(lang)}">{e(_("Back to the chart"))}</a> · '
            + f'<a href="{up}../../methods/">'
            + e(_("The full methods, for researchers (English)"))
            + "</a>"
            + "</p></main></body></html>\n"
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
