"""Shared look: colour-blind-safe palette (Okabe-Ito), large readable type."""

from __future__ import annotations

import html

import plotly.graph_objects as go

# Okabe-Ito: distinguishable with common colour-vision deficiencies and in greyscale
# when paired with the patterns and labels the figures also use.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
PATTERNS = ("", "/", ".", "x", "\\", "+", "-", "|")
FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 15}


def base_layout(fig: go.Figure, title: str, height: int = 480) -> go.Figure:
    """Apply the common layout: title, font, white background, room for labels."""
    fig.update_layout(
        title={"text": safe_text(title), "x": 0, "xanchor": "left"},
        font=FONT,
        template="plotly_white",
        height=height,
        margin={"l": 10, "r": 20, "t": 60, "b": 40},
        legend={"orientation": "h", "y": -0.15},
    )
    return fig


def safe_text(text: object, limit: int | None = None) -> str:
    """Member-written text for plotly labels: shown literally, never as markup."""
    value = "" if text is None else str(text).replace("\r", " ").replace("\n", " ")
    if limit and len(value) > limit:
        value = value[: limit - 1] + "…"
    return html.escape(value, quote=True)


def empty_figure(message: str) -> go.Figure:
    """A figure that says why there is nothing to plot, instead of an empty axis."""
    fig = go.Figure()
    fig.add_annotation(text=safe_text(message), showarrow=False, font={"size": 18},
                       x=0.5, y=0.5, xref="paper", yref="paper")  # fmt: skip
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(template="plotly_white", height=260, margin={"t": 20, "b": 20})
    return fig
