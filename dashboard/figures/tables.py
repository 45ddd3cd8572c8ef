"""Figures made of text: big numbers and large-type tables (member text escaped).

Slides show these where a chart would say less than the numbers themselves
(headline counts, open projects, a question's trail). A table longer than its
slide is split into pages of whole rows by `table_pages` (present/export.py).
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from dashboard.figures.textwidth import plain, text_px, wrap_px
from dashboard.figures.theme import PALETTE, empty_figure, safe_text


def numbers_figure(items: list[tuple[str, str]]) -> go.Figure:
    """Big numbers with their labels, side by side (text only, safe for member text)."""
    fig = go.Figure()
    n = max(1, len(items))
    for i, (label, value) in enumerate(items):
        x = (i + 0.5) / n
        fig.add_annotation(
            text=f"<b>{safe_text(value)}</b>",
            x=x,
            y=0.62,
            showarrow=False,
            font={"size": 72, "color": PALETTE[0]},
            xref="paper",
            yref="paper",
        )
        fig.add_annotation(
            text=safe_text(label),
            x=x,
            y=0.32,
            showarrow=False,
            font={"size": 24, "color": "#111111"},
            xref="paper",
            yref="paper",
        )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(template="plotly_white", height=420, margin={"t": 10, "b": 10})
    return fig  # fmt: skip


def table_figure(header: list[str], columns: list[list[Any]], empty: str) -> go.Figure:
    """A large-type table (member-written text escaped)."""
    if not columns or not columns[0]:
        return empty_figure(empty)
    cells = [[safe_text(v, 90) if v is not None else "—" for v in col] for col in columns]
    zebra = ["#ffffff", "#f0f0f0"] * (len(cells[0]) // 2 + 1)
    fig = go.Figure(go.Table(
        header={"values": [f"<b>{safe_text(h)}</b>" for h in header], "align": "left",
                "font": {"size": 22, "color": "white"}, "fill": {"color": "#1a1a1a"},
                "height": 44},
        cells={"values": cells, "align": "left", "font": {"size": 22, "color": "#111111"},
               "height": 44, "fill": {"color": [zebra]}},
    ))  # fmt: skip
    fig.update_layout(template="plotly_white", height=480, margin={"t": 10, "b": 10})
    return fig


# Pages of a table, for slides: a table taller than its slide becomes several slides.

LINE_SPACING = 1.3  # plotly's: a table row is its lines at 1.3 x the font size ...
ROW_PAD = 12.4  # ... plus this (measured in kaleido's SVG: 44, 69.6, 98.2 px for 1-3 lines)
CELL_PAD = 16  # px of a cell's width kept clear on each side of its text


def _text_lines(markup: Any, width_px: float, size: float, bold: bool = False) -> list[str]:
    """A cell's escaped text as escaped lines that fit its column (numbers as written)."""
    text = plain(markup) if isinstance(markup, str) else ("—" if markup is None else str(markup))
    lines = wrap_px(text, width_px, size, bold) or [""]
    return [f"<b>{safe_text(line)}</b>" if bold else safe_text(line) for line in lines]


def _column_widths(header: list[str], columns: list[list[Any]], width_px: float, size: float,
                   head_size: float) -> list[float]:  # fmt: skip
    """Each column as wide as its longest line needs, the rest shared; wide ones share equally."""
    natural = []
    for h, col in zip(header, columns, strict=False):
        longest = max([text_px(plain(h), head_size, True),
                       *(text_px(plain(v) if isinstance(v, str) else str(v), size)
                         for v in col)])  # fmt: skip
        natural.append(longest + 2 * CELL_PAD + 4)
    widths = [0.0] * len(natural)
    left, open_ = width_px, sorted(range(len(natural)), key=lambda i: natural[i])
    while open_:
        share = left / len(open_)
        if natural[open_[0]] > share:
            for i in open_:
                widths[i] = share
            break
        i = open_.pop(0)
        widths[i] = natural[i]
        left -= natural[i]
    else:  # everything fits: spread the spare room in proportion
        spare = width_px - sum(widths)
        widths = [w + spare * w / sum(widths) for w in widths]
    return widths


def _row_height(lines: int, size: float, least: float) -> float:
    return max(least, lines * LINE_SPACING * size + ROW_PAD)


def _plan(fig: go.Figure, width_px: float, height_px: float) -> dict[str, Any] | None:
    """Column widths, wrapped text and the rows of each page (None: not a lone table)."""
    if len(fig.data) != 1 or fig.data[0].type != "table":
        return None
    table = fig.data[0]
    header = [str(h) for h in (table.header.values or ())]
    columns = [list(c) for c in (table.cells.values or ())]
    n_rows = max((len(c) for c in columns), default=0)
    if not n_rows:
        return None
    header += [""] * (len(columns) - len(header))
    size = table.cells.font.size or 22
    head_size = table.header.font.size or size
    widths = _column_widths(header, columns, width_px, size, head_size)
    head = [_text_lines(h, w - 2 * CELL_PAD, head_size, True)
            for h, w in zip(header, widths, strict=True)]  # fmt: skip
    head_h = _row_height(max(len(h) for h in head), head_size, table.header.height or 28)
    cells = [[_text_lines(v, w - 2 * CELL_PAD, size) for v in col] + [[""]] * (n_rows - len(col))
             for col, w in zip(columns, widths, strict=True)]  # fmt: skip
    least = table.cells.height or 20
    heights = [_row_height(max(len(col[r]) for col in cells), size, least) for r in range(n_rows)]
    room = height_px - head_h - 2  # a pixel of rounding either side
    pages: list[list[int]] = [[]]
    used = 0.0
    for r, h in enumerate(heights):
        if pages[-1] and used + h > room:
            pages.append([])
            used = 0.0
        pages[-1].append(r)
        used += h
    return {"widths": widths, "head": head, "head_h": head_h, "cells": cells, "pages": pages}


def table_page_count(fig: go.Figure, width_px: float, height_px: float) -> int:
    """How many pages `table_pages` makes (without making them)."""
    plan = _plan(fig, width_px, height_px)
    return 1 if plan is None else len(plan["pages"])


def table_pages(fig: go.Figure, width_px: float, height_px: float) -> list[go.Figure]:
    """A table figure as pages of whole rows that fit `width_px` x `height_px`.

    Text is wrapped here to each column's width (so every row's height is known),
    each page repeats the header row, and rows are never split or dropped: a row
    taller than a page gets a page of its own. A figure that is not a lone
    table comes back as its only page.
    """
    plan = _plan(fig, width_px, height_px)
    if plan is None:
        return [fig]
    fill = fig.data[0].cells.fill.color
    header = {"values": ["<br>".join(h) for h in plan["head"]], "height": plan["head_h"]}
    out = []
    for rows in plan["pages"]:
        page = go.Figure(fig)
        update: dict[str, Any] = {"values": [["<br>".join(col[r]) for r in rows]
                                             for col in plan["cells"]]}  # fmt: skip
        if isinstance(fill, (list, tuple)) and fill and isinstance(fill[0], (list, tuple)):
            update["fill"] = {"color": [[c[r] for r in rows if r < len(c)] for c in fill]}
        page.update_traces(columnwidth=plan["widths"], cells=update, header=header)
        out.append(page)
    return out
