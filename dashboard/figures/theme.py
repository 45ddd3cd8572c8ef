"""Shared look: colour-blind-safe palette (Okabe-Ito), large readable type."""

from __future__ import annotations

import html

import plotly.graph_objects as go
import plotly.io as pio

# Okabe-Ito: distinguishable with common colour-vision deficiencies. Ordered so neighbours,
# any two of the first four, and lines sharing a dash style (i, i+4) differ by >= 0.1 in
# luminance, so they stay apart in greyscale too (tests/pages/test_accessibility.py).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#000000", "#56B4E9", "#D55E00", "#F0E442", "#CC79A7")
PATTERNS = ("", "/", ".", "x", "\\", "+", "-", "|")
FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 15}
# Every figure starts from plotly_white. As the default it is applied when a figure is
# made (2 ms); assigning it to each figure's layout copied it every time (50-90 ms).
pio.templates.default = "plotly_white"


def base_layout(fig: go.Figure, title: str, height: int = 480) -> go.Figure:
    """Apply the common layout: title, font, white background, room for labels.

    Readable at 200% zoom: the title sits below the mode bar's strip, and the legend sits
    just above the plot (as on slides and the map), where it cannot run into the x-axis
    title whatever the chart's size.
    """
    fig.update_layout(
        # In the middle of a deeper top margin: clear of the mode bar above, legend below.
        title={**split_title(title), "x": 0, "xanchor": "left"},
        font=FONT,
        height=height,
        margin={"l": 10, "r": 20, "t": 100, "b": 40},
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1, "yanchor": "bottom"},
    )
    if any(hasattr(trace, "xaxis") for trace in fig.data):  # cartesian (not a map)
        fig.update_xaxes(ticklabelstandoff=6)  # keeps the first x label off the y axis's 0
    return fig


def fast_figure(data: list[dict], layout: dict) -> go.Figure:
    """A figure from plain dicts this package builds, made in one step.

    Plotly checking every key of every trace, label and layout setting as a figure is
    built up took 40-60 ms of each ranking the server sends; made from dicts unchecked it
    takes 2 ms (the dicts use plotly's full names, no shorthands: `{"title": {"text":
    ...}}`). The default template still applies, and later updates are checked as usual.
    """
    fig = go.Figure({"data": data, "layout": layout}, _validate=False)
    fig._validate = True
    fig.layout._validate = True
    for trace in fig.data:
        trace._validate = True
    return fig


def add_annotations(fig: go.Figure, notes: list[dict]) -> None:
    """Add many labels at once, without plotly checking each key of each one.

    They are plain dicts this package builds from literals and escaped text, and the
    check cost about a millisecond per label: a long ranking took 50 ms to label. One
    assignment also avoids add_annotation's copy of every earlier label on each add.
    """
    fig.layout._validate = False  # plotly's own switch (the `_validate` Figure argument)
    try:
        fig.update_layout(annotations=[*fig.layout.annotations, *notes])
    finally:
        fig.layout._validate = True


def split_title(title: str, limit: int = 40) -> dict:
    """A long title as a short title and a subtitle, so it fits a narrow (200%) screen.

    Splits at the first ": " or " (" (e.g. "Research priorities: 2026 round").
    """
    text = "" if title is None else str(title)
    if len(text) > limit:
        for mark in (": ", " ("):
            head, sep, tail = text.partition(mark)
            if sep and head:
                tail = tail[:-1] if mark == " (" and tail.endswith(")") else tail
                return {"text": safe_text(head), "subtitle": {"text": safe_text(tail)}}
    return {"text": safe_text(text)}


def wrap_label(text: object, width: int = 30, lines: int | None = 2) -> str:
    """Member text for a label on at most `lines` lines of about `width` characters.

    Each line is escaped on its own and joined with <br>, so the text still shows
    literally; the rest is cut with an ellipsis. `lines=None` keeps every word
    (only a single word longer than a line is cut).
    """
    if lines is None:
        lines = 10_000
    words = ("" if text is None else str(text)).replace("\r", " ").replace("\n", " ").split()
    out: list[str] = []
    line = ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
        if len(out) == lines:
            break
    if len(out) < lines and line:
        out.append(line)
    elif len(out) == lines and words:
        out[-1] = out[-1][: width - 1] + "…"
    return "<br>".join(safe_text(part[: width + 10]) for part in out[:lines])


def safe_text(text: object, limit: int | None = None) -> str:
    """Member-written text for plotly labels: shown literally, never as markup."""
    value = "" if text is None else str(text).replace("\r", " ").replace("\n", " ")
    if limit and len(value) > limit:
        value = value[: limit - 1] + "…"
    # plotly decodes numeric entities but not &quot;: quotes as &#34; read as quotes.
    return html.escape(value, quote=True).replace("&quot;", "&#34;")


def empty_figure(message: str) -> go.Figure:
    """A figure that says why there is nothing to plot, instead of an empty axis."""
    fig = go.Figure()
    fig.add_annotation(text=safe_text(message), showarrow=False, font={"size": 18},
                       x=0.5, y=0.5, xref="paper", yref="paper")  # fmt: skip
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(template="plotly_white", height=260, margin={"t": 20, "b": 20})
    return fig


PHONE_LEGEND_CHARS = 30  # a legend entry's line on a 320-390 px screen
PHONE_AXIS_CHARS = 36  # an axis title's line there
PHONE_WHO_CHARS, PHONE_WHO_PX = 36, 18  # the who-and-how-many line: characters, px a line


def narrow(fig: go.Figure) -> go.Figure:
    """The figure for a phone's width (views.page_figure), from the page's: no title (the
    card's heading above says it, and wider than the screen it was cut), legend entries and
    axis titles on lines that fit; the mode bar is hidden by assets/10-app.css.

    A question chart (legend placed from the top, yref "container") keeps its subtitle,
    the line that says the round and how many voted, on lines that fit where the title
    was, and its legend moves up under it (the head is as much shorter)."""
    layout = fig.layout
    who = layout.title.subtitle.text if layout.legend.yref == "container" else None
    layout.title = {"text": None, "subtitle": {"text": None}}
    for trace in fig.data:
        if trace.name:
            trace.name = break_lines(trace.name, PHONE_LEGEND_CHARS)
    for axis in (layout.xaxis, layout.yaxis):
        if axis.title.text:
            axis.title.text = break_lines(axis.title.text, PHONE_AXIS_CHARS)
    if layout.legend.yref == "container" and layout.height:
        lines = break_lines(who, PHONE_WHO_CHARS) if who else ""
        legend_top = 8 + (PHONE_WHO_PX * (lines.count("<br>") + 1) + 8 if lines else 0)
        saved = (1 - layout.legend.y) * layout.height - legend_top
        height = layout.height - saved
        layout.update(height=height, margin={"t": layout.margin.t - saved},
                      legend={"y": 1 - legend_top / height})  # fmt: skip
        if lines:
            layout.title = {"text": lines, "font": {"size": 14}, "x": 0, "xanchor": "left",
                            "y": 1 - 8 / height, "yanchor": "top", "yref": "container"}  # fmt: skip
    return fig


def break_lines(text: str, width: int) -> str:
    """Already-safe label text broken at spaces into lines of about `width` characters
    (not escaped again, unlike wrap_label, so an entity stays one word)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)
