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
from dataclasses import dataclass

import kaleido
import plotly.graph_objects as go
from pypdf import PdfReader, PdfWriter

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


def export_figure(content: SlideContent, frame: Frame, handout: bool = False) -> go.Figure:
    """The slide as one self-contained 16:9 figure (a taller page with the note for handouts)."""
    fig = go.Figure(content.figure)
    height = HEIGHT + (NOTE_HEIGHT if handout else 0)
    top = 250 + (60 if frame.stale else 0)
    bottom = 230 + (NOTE_HEIGHT if handout else 0)
    left, right = _label_margin(fig), 100
    plot_h, plot_w = height - top - bottom, WIDTH - left - right

    def from_top(px: float) -> float:
        return 1 + (top - px) / plot_h

    def from_bottom(px: float) -> float:
        return -(bottom - px) / plot_h

    fig.update_layout(
        width=WIDTH, height=height, template="plotly_white", paper_bgcolor="white",
        font={**FONT, "size": 24, "color": "#111111"},
        margin={"l": left, "r": right, "t": top, "b": bottom, "autoexpand": False},
        title={"text": f"<b>{safe_text(content.title, 90)}</b>", "x": 60 / WIDTH,
               "xanchor": "left", "y": 1 - 40 / height, "yanchor": "top", "font": {"size": 50}},
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.01, "yanchor": "bottom",
                "font": {"size": 22}},
        showlegend=len(fig.data) > 1,
    )  # fmt: skip
    fig.update_yaxes(automargin=False, tickfont={"size": 22})
    fig.update_xaxes(automargin=False)
    notes = [
        (content.headline, from_top(115), 30, "#111111"),
        (content.footnote, from_bottom(125), 18, "#333333"),
        (f"{frame.network} · data as of {content.as_of} · build {content.build_id} · "
         f"{frame.deck} · slide {frame.index} of {frame.total}", from_bottom(50), 18, "#333333"),
    ]  # fmt: skip
    if frame.stale:
        notes.append((frame.stale, from_top(175), 22, "#B00020"))
    if handout and frame.note:
        notes.append((f"Speaker note: {frame.note}", from_bottom(NOTE_HEIGHT - 20), 26, "#111111"))
    x = (60 - left) / plot_w
    for text, y, size, color in notes:
        if not text:
            continue
        fig.add_annotation(
            text=_wrap(safe_text(text), int((WIDTH - 140) / (0.56 * size))), x=x, y=y,
            xref="paper", yref="paper", xanchor="left", yanchor="top", align="left",
            showarrow=False, font={"size": size, "color": color},
        )  # fmt: skip
    return fig


def _wrap(text: str, width: int) -> str:
    """Break long escaped text into at most three lines (plotly annotations do not wrap)."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "<br>".join(lines[:3])


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
