"""Slides as files: PNG and SVG at 1920x1080, and a PDF handout with speaker notes.

Rendering is server-side with kaleido (Debian's chromium; set BROWSER_PATH if it
is not found). One export opens one kaleido browser and renders every figure it
needs in it, so a whole deck costs one browser start plus a fraction of a second
per slide. Exports run one at a time per process (a lock), so a burst of
requests cannot start a browser each; results are cached per deck revision and
build id, so a second download of the same handout is instant.
"""

from __future__ import annotations

import asyncio
import io
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace

import kaleido
import plotly.graph_objects as go
from kaleido._kaleido_tab import JavascriptError
from pypdf import PdfReader, PdfWriter

from dashboard.figures.tables import table_page_count, table_pages
from dashboard.figures.textwidth import plain, text_px, wrap_px
from dashboard.figures.theme import FONT, safe_text
from dashboard.present.slides import SlideContent

WIDTH, HEIGHT = 1920, 1080
NOTE_HEIGHT = 320  # extra room under each handout page for the speaker note
FORMATS = ("png", "svg", "pdf")
_RENDER_LOCK = threading.Lock()
_CACHE: OrderedDict[tuple, bytes] = OrderedDict()
_CACHE_SIZE = 64


@dataclass(frozen=True)
class Frame:
    """What every exported slide carries besides its chart."""

    deck: str
    index: int
    total: int
    network: str
    stale: str | None = None
    note: str | None = None


def _label_margin(fig: go.Figure) -> int:
    """A fixed left margin wide enough for the longest category label on the y axis.

    Automatic margins would move the plot area, and with it every annotation
    placed in paper coordinates; a fixed one keeps the text aligned with the title.
    """
    longest = 0
    for trace in fig.data:
        ys = getattr(trace, "y", None)
        if ys is not None and getattr(trace, "type", "") in ("bar", "scatter"):
            longest = max([longest, *(len(str(y)) for y in ys if isinstance(y, str))])
    return min(900, 120 + 12 * longest) if longest else 180


# The words around the chart, wrapped to the slide and stacked: the plot area starts
# below the last line at the top and ends above the first line at the bottom.
TEXT_X = 60  # left and right edge of every line of text
TEXT_W = WIDTH - 2 * TEXT_X
LINE_SPACING = 1.3  # plotly's, for multi-line annotations
TITLE, SUBTITLE, HEADLINE, STALE, SMALL, NOTE = 50, 28, 30, 22, 18, 26  # font sizes (px)
TOP_PAD, BOTTOM_PAD, GAP = 36, 30, 12
MIN_PLOT = 380  # px of chart kept on a slide: beyond that, the top text is set smaller
SCALES = (1.0, 0.86, 0.74, 0.64)  # of the title, subtitle and headline, tried in turn
MOST_LINES = {"title": 3, "subtitle": 2, "headline": 4, "footnote": 4, "note": 4, "stale": 3}


@dataclass(frozen=True)
class Words:
    """One block of wrapped text: escaped lines, where its top sits and how it looks."""

    name: str
    lines: tuple[str, ...]
    y: float  # px from the top of the page
    size: float
    color: str
    bold: bool = False

    @property
    def height(self) -> float:
        return len(self.lines) * LINE_SPACING * self.size + 4


@dataclass(frozen=True)
class SlideLayout:
    """Where the words go and the margins that keep the chart clear of them."""

    words: tuple[Words, ...]
    top: float
    bottom: float
    left: float
    right: float
    height: int
    legend_y: float | None  # px from the top, when the chart shows a legend

    @property
    def plot_height(self) -> float:
        return self.height - self.top - self.bottom

    @property
    def plot_width(self) -> float:
        return WIDTH - self.left - self.right


def _lines(text: str, size: float, bold: bool = False, most: int | None = None) -> tuple[str, ...]:
    """Plain text wrapped to the slide's width and escaped line by line (`most` caps it)."""
    lines = wrap_px(text, TEXT_W, size, bold)
    if most is not None and len(lines) > most:
        lines = lines[:most]
        last = lines[-1]
        while last and text_px(f"{last} …", size, bold) > TEXT_W:
            last = last[:-1]
        lines[-1] = f"{last.rstrip()} …"
    return tuple(safe_text(line) for line in lines)


def subtitle_of(content: SlideContent) -> str:
    """Who and which round (plain text): the slide's own, or the chart's title and subtitle.

    A slide title chosen by a person replaces the chart's title, which says who is
    shown; it then reads here, above the headline, with the chart's subtitle.
    """
    if content.subtitle:
        return content.subtitle
    title = content.figure.layout.title
    parts = [plain(title.text or ""), plain((title.subtitle.text if title.subtitle else "") or "")]
    seen = {" ".join(content.title.split()).casefold()}
    out = []
    for part in (" ".join(p.split()) for p in parts):
        if part and part.casefold() not in seen:
            out.append(part)
            seen.add(part.casefold())
    return " · ".join(out)


def _legend_rows(fig: go.Figure, width_px: float, size: float) -> int:
    """Rows of a horizontal legend (plotly wraps it at the plot's width)."""
    rows, used = 1, 0.0
    for trace in fig.data:
        if getattr(trace, "showlegend", False) is False:
            continue
        item = text_px(plain(trace.name or ""), size) + 60
        if used and used + item > width_px:
            rows, used = rows + 1, 0.0
        used += item
    return rows


def _shows_legend(fig: go.Figure) -> bool:
    if fig.layout.showlegend is False:
        return False
    return sum(1 for t in fig.data if getattr(t, "showlegend", False) is not False) > 1


def _cartesian(fig: go.Figure) -> bool:
    return any(hasattr(t, "xaxis") for t in fig.data)


def slide_layout(content: SlideContent, frame: Frame, handout: bool = False,
                 suffix: str = "") -> SlideLayout:  # fmt: skip
    """Wrap every line of text at its size and stack it; the margins follow from the lines.

    Top: the stale-snapshot warning, the title (with `suffix`, e.g. " (2 of 3)"),
    the who/round line, the headline, then the legend. Bottom: the footnote, the
    speaker note (handouts) and the source line. When the text would leave less
    than MIN_PLOT px of chart, the title, subtitle and headline are set smaller
    (SCALES), and at the smallest they are cut to MOST_LINES with an ellipsis:
    the chart always starts below the last line.
    """
    fig = content.figure
    height = HEIGHT + (NOTE_HEIGHT if handout else 0)
    table = len(fig.data) == 1 and fig.data[0].type == "table"
    left, right = (TEXT_X, TEXT_X) if table else (_label_margin(fig), 100)
    subtitle = subtitle_of(content)
    footer = (f"{frame.network} · data as of {content.as_of} · build {content.build_id} · "
              f"{frame.deck} · slide {frame.index} of {frame.total}")  # fmt: skip
    legend = _shows_legend(fig) and not table
    x_axis = fig.layout.xaxis
    axis_top = axis_bottom = 16.0
    if _cartesian(fig) and x_axis.visible is not False:
        titled = 24 * LINE_SPACING + 12 if x_axis.title.text else 0
        if x_axis.side == "top":
            axis_top = 22 * LINE_SPACING + 16 + titled
        else:
            axis_bottom = 22 * LINE_SPACING + 26 + titled

    def stack(scale: float, cut: bool) -> SlideLayout:
        def most(name: str) -> int | None:
            return MOST_LINES[name] if cut else None

        words: list[Words] = []
        y = TOP_PAD
        top_blocks = (
            ("stale", frame.stale or "", STALE, "#B00020", False),
            ("title", f"{content.title}{suffix}", TITLE * scale, "#111111", True),
            ("subtitle", subtitle, SUBTITLE * scale, "#333333", False),
            ("headline", content.headline, HEADLINE * scale, "#111111", False),
        )
        for name, text, size, color, bold in top_blocks:
            lines = _lines(text, size, bold, most(name))
            if lines:
                words.append(Words(name, lines, y, size, color, bold))
                y += words[-1].height + GAP
        legend_y = None
        if legend:
            legend_y = y
            y += _legend_rows(fig, WIDTH - left - right, 22) * (22 * LINE_SPACING + 8) + 4
        top = y + axis_top
        y = height - BOTTOM_PAD
        bottom_blocks = (
            ("footer", footer, SMALL, "#333333"),
            ("note", f"Speaker note: {frame.note}" if handout and frame.note else "", NOTE,
             "#111111"),
            ("footnote", content.footnote, SMALL, "#333333"),
        )  # fmt: skip
        for name, text, size, color in bottom_blocks:
            lines = _lines(text, size, False, most(name) if name != "footer" else None)
            if lines:
                block = Words(name, lines, 0, size, color)
                y -= block.height
                words.append(Words(name, lines, y, size, color))
                y -= GAP
        bottom = height - y + axis_bottom
        return SlideLayout(tuple(words), round(top), round(bottom), left, right, height,
                           legend_y)  # fmt: skip

    layout = stack(1.0, False)
    for scale in SCALES[1:]:
        if layout.plot_height >= MIN_PLOT:
            break
        layout = stack(scale, False)
    if layout.plot_height < MIN_PLOT:
        layout = stack(SCALES[-1], True)
    return layout


def export_pages(content: SlideContent, frame: Frame, handout: bool = False) -> list[go.Figure]:
    """The slide as 16:9 figures (taller pages with the note for handouts): one per page.

    A slide whose chart is a table with more rows than fit becomes several
    pages, each titled "(n of N)", repeating the header row, with whole rows
    only (figures/tables.table_pages). Any other slide is one page.
    """
    layout = slide_layout(content, frame, handout)
    n = table_page_count(content.figure, layout.plot_width, layout.plot_height)
    for _ in range(4):  # the "(n of N)" in the title may take a line from the table
        if n == 1:
            break
        layout = slide_layout(content, frame, handout, f" ({n} of {n})")
        again = table_page_count(content.figure, layout.plot_width, layout.plot_height)
        if again == n:
            break
        n = again
    pages = table_pages(content.figure, layout.plot_width, layout.plot_height)
    if len(pages) == 1:
        return [_compose(pages[0], layout)]
    out = []
    for i, page in enumerate(pages, 1):
        own = slide_layout(content, frame, handout, f" ({i} of {len(pages)})")
        out.append(_compose(page, replace(own, top=layout.top, bottom=layout.bottom)))
    return out


def export_figure(content: SlideContent, frame: Frame, handout: bool = False) -> go.Figure:
    """The slide's first (usually only) page: see `export_pages`."""
    return export_pages(content, frame, handout)[0]


def _compose(chart: go.Figure, layout: SlideLayout) -> go.Figure:
    """The chart in its plot area with every block of words at its place (paper coordinates)."""
    fig = go.Figure(chart)
    plot_h, plot_w = layout.plot_height, layout.plot_width
    fig.update_layout(
        width=WIDTH, height=layout.height, template="plotly_white", paper_bgcolor="white",
        font={**FONT, "size": 24, "color": "#111111"},
        margin={"l": layout.left, "r": layout.right, "t": layout.top, "b": layout.bottom,
                "pad": 0, "autoexpand": False},
        title={"text": "", "subtitle": {"text": ""}},
        showlegend=layout.legend_y is not None,
    )  # fmt: skip
    if layout.legend_y is not None:
        fig.update_layout(legend={
            "orientation": "h", "xref": "container", "x": TEXT_X / WIDTH, "xanchor": "left",
            "yref": "container", "y": 1 - layout.legend_y / layout.height, "yanchor": "top",
            "font": {"size": 22},
        })  # fmt: skip
    if _cartesian(fig):
        fig.update_yaxes(automargin=False, tickfont={"size": 22})
        fig.update_xaxes(automargin=False)
    x = (TEXT_X - layout.left) / plot_w
    notes = [
        {"text": "<br>".join(f"<b>{line}</b>" if words.bold else line for line in words.lines),
         "x": x, "y": 1 + (layout.top - words.y) / plot_h, "xref": "paper", "yref": "paper",
         "xanchor": "left", "yanchor": "top", "align": "left", "showarrow": False,
         "font": {"size": words.size, "color": words.color}, "name": f"slide-{words.name}"}
        for words in layout.words
    ]  # fmt: skip
    fig.update_layout(annotations=[*fig.layout.annotations, *notes])  # one update: fast
    return fig


def render(figures: list[go.Figure], fmt: str) -> list[bytes]:
    """Render figures with one kaleido browser, at their own width and height."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")

    async def run() -> list[bytes]:
        async with kaleido.Kaleido(n=1, timeout=60) as k:
            out = []
            for fig in figures:
                opts = {"format": fmt, "width": fig.layout.width or WIDTH,
                        "height": fig.layout.height or HEIGHT, "scale": 1}  # fmt: skip
                out.append(await k.calc_fig(fig.to_plotly_json(), opts=opts))
            return out

    with _RENDER_LOCK:
        try:
            return asyncio.run(run())
        except JavascriptError as exc:
            # Under load kaleido can send a figure before its page has loaded its own
            # script ("kaleido_scopes is not defined", seen in CI): a new browser, once.
            if "is not defined" not in str(exc):
                raise
            return asyncio.run(run())


def cached(key: tuple, make: Callable[[], bytes]) -> bytes:
    """A rendered export from the cache, or made and remembered."""
    with _RENDER_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    data = make()
    with _RENDER_LOCK:
        _CACHE[key] = data
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return data


def combine_pdfs(pages: list[bytes]) -> bytes:
    """One PDF with the pages of each input, in order."""
    writer = PdfWriter()
    for data in pages:
        for page in PdfReader(io.BytesIO(data)).pages:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
