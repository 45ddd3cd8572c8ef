"""A public chart as a picture: PNG and SVG at fixed addresses, for newsletters and previews.

One layout, in the manner of FT and Datawrapper graphics: a bold headline and a
subtitle at top left, the embed's own chart, and at bottom left the source line
and as-of date, with the address at bottom right. The chart is the embed's
figure JSON (PublicView.payload()["figure"]), so the picture shows exactly what
the embed shows, with the same withheld values and the same escaping.

Size: 1200 x 630, the Open Graph size, for every chart whose content fits. The
question charts (priorities, topics) lay out one row per question in pixels
(dashboard/figures/charts.py question_layout): squeezing them into 630 would
make the question texts overlap, and shrinking the text would make a shared
preview unreadable. So their image is as tall as their rows need, up to 1200 x
1500; only beyond that does their text shrink (the embed's ten questions need
about 1050 px on the demo network). Newsletters show a tall image whole; social
sites crop it to about 1.91:1, often around the middle, which can cut the
headline. Pass max_height=HEIGHT for a strict 1200 x 630 preview: the rows then
shrink to fit (small text, but nothing overlaps or is cut).

All text arrives translated from the caller (ImageText) and is escaped here, so
a member-written title shows literally. The chart text was escaped when the
figure was built. Colours follow dashboard/figures/dark.py (WCAG AA on both).
"""

from __future__ import annotations

import base64
import html
import math
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np
import plotly.graph_objects as go

from dashboard.figures.dark import THEMES, apply_theme
from dashboard.figures.theme import FONT, wrap_label
from dashboard.present.export import render

WIDTH, HEIGHT = 1200, 630  # Open Graph / Twitter large card
MAX_HEIGHT = 1500  # a ranking's rows, at most (see the module docstring)
FORMATS = ("png", "svg")
PAD = 40  # left and right edges, and the bottom edge
TOP_PAD = 30
ZOOM = 1.2  # chart text from the embed's 15 px to 18 px: read at preview size
HEAD_SIZE, SUB_SIZE, FOOT_SIZE = 30, 20, 15
HEAD_LINE, SUB_LINE, FOOT_LINE = 36, 26, 20  # px per line of each
BOLD_EM, TEXT_EM = 0.64, 0.56  # average glyph width (DejaVu Sans, Debian's system-ui)


@dataclass(frozen=True)
class ImageText:
    """The words around the chart, already translated (plain text; escaped when drawn)."""

    title: str
    subtitle: str  # who and how many, e.g. "All voters in the 2026 round (1,234 people)"
    source: str  # e.g. "Source: <network> members' votes, anonymized. Values for ... withheld."
    as_of: str  # e.g. "Data as of 1 November 2026"
    url: str = ""


def _chars(width_px: float, size: int, em: float = TEXT_EM) -> int:
    return max(10, int(width_px / (em * size)))


def _lines(text: str, width_px: float, size: int, em: float = TEXT_EM, most: int = 2) -> str:
    """Plain text wrapped and escaped (theme.wrap_label), at most `most` lines."""
    return wrap_label(text, _chars(width_px, size, em), lines=most) if text.strip() else ""


def _count(lines: str) -> int:
    return lines.count("<br>") + 1 if lines else 0


def _rows_in_px(fig: go.Figure) -> bool:
    """A question chart: y is a hidden pixel axis, one row per label (charts.label_questions)."""
    y = fig.layout.yaxis
    return y.visible is False and y.range is not None and bool(fig.layout.annotations)


def _shows_legend(fig: go.Figure) -> bool:
    if fig.layout.showlegend is not None:
        return bool(fig.layout.showlegend)
    return sum(1 for t in fig.data if t.showlegend is not False) > 1


def _legend_rows(fig: go.Figure, width_px: float, size: float) -> int:
    """How many rows a horizontal legend takes (plotly wraps it at the plot's width)."""
    items = [len(html.unescape(t.name or "")) * TEXT_EM * size + 60
             for t in fig.data if t.showlegend is not False]  # fmt: skip
    rows, used = 1, 0.0
    for item in items:
        if used and used + item > width_px:
            rows, used = rows + 1, 0.0
        used += item
    return rows


def _values(data: Any) -> list:
    """A trace's data as a list, whether a list or plotly's typed array ({dtype, bdata})."""
    if data is None:
        return []
    if isinstance(data, dict) and "bdata" in data:
        raw = np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"]))
        return raw.tolist()
    return list(data)


def _tick_width(fig: go.Figure, size: float) -> float:
    """Width of the y axis's tick labels, estimated from the data (margins are fixed)."""
    y = fig.layout.yaxis
    if y.visible is False or not any(hasattr(t, "yaxis") for t in fig.data):
        return 0.0
    longest = 1
    for trace in fig.data:
        for v in _values(getattr(trace, "y", None)):
            if isinstance(v, str):
                longest = max(longest, len(html.unescape(v)))
            elif isinstance(v, Real) and math.isfinite(v):
                text = f"{v:.0%}" if "%" in (y.tickformat or "") else f"{abs(v) * 1.1:,.0f}"
                longest = max(longest, len(text) + (1 if v < 0 else 0))
    return min(500.0, longest * 0.6 * size + 10)


def _wrap_category_notes(fig: go.Figure, zoom: float) -> float:
    """Notes under categories (the pipeline's "went further") wrapped to their column.

    They are zoomed with the rest of the chart's text; unwrapped they would run into
    their neighbours. Returns how far below the axis the lowest note reaches (px).
    The text was escaped when the figure was built and is only split at spaces here.
    """
    categories = {str(x) for t in fig.data for x in _values(getattr(t, "x", None))}
    room = (WIDTH - 2 * PAD) / max(1, len(categories)) - 16
    deepest = 0.0
    for a in fig.layout.annotations:
        if a.xref not in (None, "x") or not isinstance(a.x, str) or a.x not in categories:
            continue
        size = (a.font.size or FONT["size"]) * zoom
        width = _chars(room, size)
        lines: list[str] = []
        for part in (a.text or "").split("<br>"):
            line = ""
            for word in part.split(" "):
                if line and len(html.unescape(f"{line} {word}")) > width:
                    lines.append(line)
                    line = word
                else:
                    line = f"{line} {word}" if line else word
            lines.append(line)
        a.text = "<br>".join(lines)
        deepest = max(deepest, abs(a.yshift or 0) * zoom + len(lines) * size * 1.3)
    return deepest


def _zoom_text(fig: go.Figure, zoom: float) -> None:
    """The chart's own text sizes and pixel offsets times `zoom` (rows scale with them)."""
    for a in fig.layout.annotations:
        a.font.size = (a.font.size or FONT["size"]) * zoom
        if a.yshift:
            a.yshift *= zoom
        if a.xshift:
            a.xshift *= zoom
    for trace in fig.data:
        font = getattr(trace, "textfont", None)
        if font is not None and isinstance(font.size, Real):
            font.size *= zoom
        marker = getattr(trace, "marker", None)
        if marker is not None and isinstance(getattr(marker, "size", None), Real):
            marker.size *= zoom


def image_figure(payload_figure: dict, text: ImageText, theme: str = "light",
                 max_height: int = MAX_HEIGHT) -> go.Figure:  # fmt: skip
    """The embed's figure framed as a 1200-px-wide image: headline, chart, source, as-of, URL.

    Margins are fixed (autoexpand off) and computed here, so every piece of text
    placed in paper coordinates lands where it was measured to go. Only a question
    chart grows past 630 px, up to `max_height` (see the module docstring).
    """
    if theme not in THEMES:
        raise ValueError(f"theme must be one of {', '.join(THEMES)}")
    colours = THEMES[theme]
    # The embed's template is replaced by the theme's: leave it out (validating it is slow).
    layout = {k: v for k, v in payload_figure.get("layout", {}).items() if k != "template"}
    fig = go.Figure({**payload_figure, "layout": layout})
    own = fig.layout
    own_h = own.height or 450
    own_t, own_b = own.margin.t or 0, own.margin.b or 0
    natural = max(40.0, own_h - own_t - own_b)  # the embed's plot area height
    rows_in_px = _rows_in_px(fig)
    inner = WIDTH - 2 * PAD

    # The words: headline and subtitle at top, source and as-of at bottom left, URL right.
    head = _lines(text.title, inner, HEAD_SIZE, BOLD_EM)
    sub = _lines(text.subtitle, inner, SUB_SIZE)
    url = _lines(text.url, inner / 2, FOOT_SIZE, most=1)
    url_px = len(html.unescape(text.url)) * TEXT_EM * FOOT_SIZE if url else 0
    source = _lines(text.source, inner - url_px - 30, FOOT_SIZE)
    as_of = _lines(text.as_of, inner - url_px - 30, FOOT_SIZE, most=1)
    header = TOP_PAD + HEAD_LINE * _count(head) + (8 + SUB_LINE * _count(sub) if sub else 0) + 16
    foot_lines = _count(source) + _count(as_of) or _count(url)
    footer = PAD // 2 + 16 + FOOT_LINE * foot_lines + 10
    notes = _wrap_category_notes(fig, ZOOM)  # notes sit under bars: never in a ranking

    def chrome() -> tuple[float, float]:
        """The top margin (words, legend, a top axis) and the bottom one."""
        size = FONT["size"] * ZOOM
        legend = (_legend_rows(fig, inner, size) * (size + 10) + 6) if _shows_legend(fig) else 0
        x = own.xaxis
        x_title = size + 14 if x.title.text else 0
        if x.visible is False or not any(hasattr(t, "xaxis") for t in fig.data):
            axis_top = axis_bottom = 0.0
        elif x.side == "top":
            axis_top, axis_bottom = size + 14 + x_title, 10.0
        else:
            # the embed's bottom margin is what its ticks need; notes may need more
            axis_top, axis_bottom = 10.0, max(own_b * ZOOM, 48, notes + 12) + x_title
        return header + legend + axis_top, footer + axis_bottom

    top, bottom = chrome()
    zoom = ZOOM  # of the chart's own text; ticks and legend keep ZOOM whatever happens
    if rows_in_px:  # the rows need their pixels: grow the image, shrink rows only past the cap
        zoom = min(ZOOM, (max(HEIGHT, max_height) - top - bottom) / natural)
        plot_h = natural * zoom
        height = max(HEIGHT, round(top + plot_h + bottom))
        bottom += height - (top + plot_h + bottom)  # spare room sits above the footer
    else:
        height = HEIGHT
        plot_h = height - top - bottom
    size = FONT["size"] * ZOOM
    left = PAD + _tick_width(fig, size) + ((size + 14) if own.yaxis.title.text else 0)
    # room for what sticks out past the plot: round_shifts' names, a top axis's "100%"
    stick_out = max(20 if own.xaxis.side == "top" else 0, ((own.margin.r or 0) - 20) * ZOOM)
    right = PAD + stick_out
    plot_w = WIDTH - left - right

    _zoom_text(fig, zoom)
    fig.update_layout(
        width=WIDTH, height=height, title={"text": "", "subtitle": {"text": ""}},
        font={**FONT, "size": size, "color": colours.text},
        margin={"l": left, "r": right, "t": top, "b": bottom, "pad": 0, "autoexpand": False},
        legend={"orientation": "h", "xref": "container", "x": PAD / WIDTH, "xanchor": "left",
                "yref": "container", "y": 1 - header / height, "yanchor": "top",
                "font": {"size": size}},
        hovermode=False, dragmode=False,
    )  # fmt: skip
    fig.update_xaxes(automargin=False)
    fig.update_yaxes(automargin=False)
    fig = apply_theme(fig, theme)  # the chart's colours; the words below are in the theme's

    def x_at(px: float) -> float:
        return (px - left) / plot_w

    def y_at(px_from_top: float) -> float:
        return 1 + (top - px_from_top) / plot_h

    words: list[tuple[str, float, float, str, int, str]] = []  # text, x px, y px, anchor...
    y = TOP_PAD
    if head:
        words.append((f"<b>{head}</b>", PAD, y, "left", HEAD_SIZE, colours.text))
        y += HEAD_LINE * _count(head) + 8
    if sub:
        words.append((sub, PAD, y, "left", SUB_SIZE, colours.muted))
    y = height - PAD // 2 - FOOT_LINE * foot_lines
    for line in (source, as_of):
        if line:
            words.append((line, PAD, y, "left", FOOT_SIZE, colours.muted))
            y += FOOT_LINE * _count(line)
    if url:
        words.append((url, WIDTH - PAD, height - PAD // 2 - FOOT_LINE, "right", FOOT_SIZE,
                      colours.muted))  # fmt: skip
    for body, x_px, y_px, anchor, font_size, colour in words:
        fig.add_annotation(
            text=body, x=x_at(x_px), y=y_at(y_px), xref="paper", yref="paper",
            xanchor=anchor, yanchor="top", align=anchor, showarrow=False,
            font={"size": font_size, "color": colour},
        )  # fmt: skip
    return fig


def render_images(figures: list[go.Figure], fmt: str) -> list[bytes]:
    """PNG or SVG bytes for each figure, all in one kaleido browser (export.render)."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    return render(figures, fmt)


def alt_text(payload: dict[str, Any], text: ImageText) -> str:
    """The image's alt text: headline, the plain-language summary, who, and as of.

    Plain text (escape it for the HTML attribute). The words come from the caller
    and the payload, so the alt text is in the reader's language like the image.
    """
    parts = [text.title, str(payload.get("summary") or ""), text.subtitle, text.as_of]
    sentences = []
    for part in (" ".join(p.split()) for p in parts):
        if part:
            sentences.append(part if part[-1] in ".!?…" else f"{part}.")
    return " ".join(sentences)
