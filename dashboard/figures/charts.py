"""Pure builders: protected rows in, plotly Figure out. No data access here."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.theme import (
    PALETTE,
    PATTERNS,
    base_layout,
    empty_figure,
    safe_text,
    wrap_label,
)
from dashboard.insights.result import WITHHELD, WITHHELD_NOTE
from dashboard.insights.vote_methods import SCORES, SHARE

DASHES = ("solid", "dash", "dot", "dashdot")
WITHHELD_GREY = "#BBBBBB"


def _marker(i: int) -> dict:
    """Colour plus pattern, so groups differ without colour too."""
    return {"color": PALETTE[i % len(PALETTE)], "pattern": {"shape": PATTERNS[i % len(PATTERNS)]}}


def make_priorities_figure(rows: list[dict], method: str, title: str) -> go.Figure:
    """Ranked questions as bars with 95% interval whiskers; tiers by colour and pattern.

    Withheld questions are grey stubs labelled WITHHELD, never a zero bar.
    """
    if not rows:
        return empty_figure("Nothing to show for this selection.")
    chosen = SCORES.get(method, SHARE)
    score, low, high, axis = chosen.field, chosen.low, chosen.high, chosen.axis_title
    df = pd.DataFrame(rows)
    df["label"] = [
        wrap_label(f"{q} · {'' if t is None else t}")
        for q, t in zip(df["question_id"], df["title"], strict=True)
    ]
    served = df[df[score].notna()] if score in df else df.iloc[0:0]
    withheld = df[df[score].isna()] if score in df else df
    fig = go.Figure()
    for tier, part in served.groupby("tier", sort=True):
        i = int(tier) - 1
        fig.add_bar(
            x=part[score], y=part["label"], orientation="h",
            name=f"Tier {int(tier)}",
            marker=_marker(i),
            error_x={"type": "data", "symmetric": False,
                     "array": part[high] - part[score], "arrayminus": part[score] - part[low]},
            customdata=part[["rank_best", "rank_worst", low, high]].to_numpy(),
            hovertemplate="%{y}<br>" + axis + ": %{x:.3f} (95% CI %{customdata[2]:.3f}"
            "-%{customdata[3]:.3f})<br>rank could be %{customdata[0]}-%{customdata[1]}"
            "<extra></extra>",
        )  # fmt: skip
    if len(withheld):
        fig.add_bar(
            x=[0] * len(withheld), y=withheld["label"], orientation="h", name=WITHHELD,
            marker={"color": WITHHELD_GREY}, text=[WITHHELD] * len(withheld),
            textposition="outside",
            hovertemplate="%{y}<br>" + WITHHELD_NOTE + "<extra></extra>",
        )  # fmt: skip
    height = max(320, 60 + 34 * len(df))
    base_layout(fig, title, height)
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(title=axis, rangemode="tozero")
    return fig


def make_group_figure(rows: list[dict], title: str) -> go.Figure:
    """Two or more groups side by side per question; significant differences starred."""
    if not rows:
        return empty_figure("Nothing to compare for this selection.")
    df = pd.DataFrame(rows)
    value = "share" if "share" in df else "share_4_or_5"
    low, high = ("ci_low", "ci_high") if value == "share" else (f"{value}_low", f"{value}_high")
    fig = go.Figure()
    for i, (group, part) in enumerate(df.groupby("group", sort=False)):
        labels = [wrap_label(f"{q} · {'' if t is None else t}")
                  for q, t in zip(part["question_id"], part["title"], strict=True)]  # fmt: skip
        marks = ["*" if s else "" for s in part["significant"].fillna(False)]
        fig.add_bar(
            x=part[value], y=labels, orientation="h", name=safe_text(group),
            marker=_marker(i),
            error_x={"type": "data", "symmetric": False, "array": part[high] - part[value],
                     "arrayminus": part[value] - part[low]},
            text=marks, textposition="outside",
        )  # fmt: skip
    base_layout(fig, title, max(360, 80 + 30 * df["question_id"].nunique() * 2))
    fig.update_layout(barmode="group")
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(title="Share (95% CI); * = difference holds after Benjamini-Hochberg")
    return fig


def make_line_figure(
    rows: list[dict], x: str, y: str, group: str, title: str, y_title: str
) -> go.Figure:
    """Series over time per group; withheld points are gaps, not zeros."""
    if not rows:
        return empty_figure("Nothing to show for this selection.")
    df = pd.DataFrame(rows)
    fig = go.Figure()
    for i, (name, part) in enumerate(df.groupby(group, sort=False)):
        fig.add_scatter(x=part[x], y=part[y], name=safe_text(name), mode="lines+markers",
                        line={"color": PALETTE[i % len(PALETTE)], "dash": DASHES[i % 4]},
                        connectgaps=False)  # fmt: skip
    base_layout(fig, title)
    fig.update_yaxes(title=y_title, rangemode="tozero")
    return fig


def make_bar_figure(rows: list[dict], x: str, y: str, title: str) -> go.Figure:
    """Simple bars; withheld values are grey and labelled WITHHELD, never drawn as zero."""
    if not rows:
        return empty_figure("Nothing to show for this selection.")
    df = pd.DataFrame(rows)
    gone = [bool(pd.isna(v)) for v in df[y]]
    labels = [safe_text(v) for v in df[x]]
    text = [WITHHELD if g else f"{v:,.0f}" for v, g in zip(df[y], gone, strict=True)]
    hover = [f"{lab}: {WITHHELD_NOTE}" if g else f"{lab}: {t}"
             for lab, t, g in zip(labels, text, gone, strict=True)]  # fmt: skip
    colours = [WITHHELD_GREY if g else PALETTE[0] for g in gone]
    fig = go.Figure(go.Bar(x=labels, y=df[y].fillna(0), text=text, textposition="outside",
                           hovertext=hover, hoverinfo="text",
                           marker={"color": colours}))  # fmt: skip
    base_layout(fig, title)
    return fig
