"""Figures made of text: big numbers and large-type tables (member text escaped).

Slides show these where a chart would say less than the numbers themselves
(headline counts, open projects, a question's trail).
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

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
    fig = go.Figure(go.Table(
        header={"values": [f"<b>{safe_text(h)}</b>" for h in header], "align": "left",
                "font": {"size": 22, "color": "white"}, "fill": {"color": "#1a1a1a"},
                "height": 44},
        cells={"values": cells, "align": "left", "font": {"size": 22, "color": "#111111"},
               "height": 44, "fill": {"color": [["#ffffff", "#f0f0f0"] * 50]}},
    ))  # fmt: skip
    fig.update_layout(template="plotly_white", height=480, margin={"t": 10, "b": 10})
    return fig
