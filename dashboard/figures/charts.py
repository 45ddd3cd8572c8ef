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
from dashboard.insights.vote_methods import SCORES, SHARE, Score

DASHES = ("solid", "dash", "dot", "dashdot")
WITHHELD_GREY = "#BBBBBB"


def _marker(i: int) -> dict:
    """Colour plus pattern, so groups differ without colour too."""
    return {"color": PALETTE[i % len(PALETTE)], "pattern": {"shape": PATTERNS[i % len(PATTERNS)]}}


TIER_ONE = PALETTE[0]
OTHERS = "#4D4D4D"  # dark grey: 8.5:1 on white
LINE_PX, GAP_PX = 19, 30  # a label line, and the dot's own row below the label
HEAD_PX = 170  # title and subtitle, legend, axis title and ticks


def _score_text(value: float, percent: bool) -> str:
    return f"{value:.0%}" if percent else f"{value:.2f}"


def make_priorities_figure(rows: list[dict], method: str, title: str,
                           wrap: int = 70) -> go.Figure:  # fmt: skip
    """Ranked questions as dots with 95% intervals on the score's natural axis.

    Each question's full text is wrapped above its dot (never cut, never overlapping:
    every row is as tall as its label); the Q-code is in the hover. Questions
    statistically tied for first are blue diamonds, the rest dark grey circles: one
    colour, used once, and never alone (shape and legend say it too). Withheld
    questions read WITHHELD at the axis start, never a zero.
    """
    if not rows:
        return empty_figure("Nothing to show for this selection.")
    chosen = SCORES.get(method, SHARE)
    score, low, high = chosen.field, chosen.low, chosen.high
    fig = go.Figure()
    y, top, labels = [], 0, []
    for row in rows:
        text = wrap_label(row.get("title") or row["question_id"], wrap, lines=None)
        lines = text.count("<br>") + 1
        top += LINE_PX * lines + GAP_PX
        y.append(top - GAP_PX / 2)
        labels.append((text, lines))
    served = [i for i, r in enumerate(rows) if r.get(score) is not None]
    lo_axis = chosen.axis_range[0] if chosen.axis_range else 0.0
    hi_axis = (
        chosen.axis_range[1]
        if chosen.axis_range
        else max([rows[i][high] for i in served if rows[i].get(high) is not None] or [1.0]) * 1.05
    )
    for name, symbol, colour, pick in (
        ("Tied for first (95% intervals overlap the top)", "diamond", TIER_ONE,
         lambda r: r.get("tier") == 1),
        ("Other questions", "circle", OTHERS, lambda r: r.get("tier") != 1),
    ):  # fmt: skip
        idx = [i for i in served if pick(rows[i])]
        if not idx:
            continue
        fig.add_scatter(
            x=[rows[i][score] for i in idx], y=[y[i] for i in idx], mode="markers", name=name,
            marker={"symbol": symbol, "size": 12, "color": colour},
            error_x={"type": "data", "symmetric": False, "color": colour, "thickness": 2,
                     "array": [rows[i][high] - rows[i][score] for i in idx],
                     "arrayminus": [rows[i][score] - rows[i][low] for i in idx]},
            hovertext=[_hover(rows[i], chosen) for i in idx], hoverinfo="text",
            customdata=[rows[i]["question_id"] for i in idx],  # a click opens the question
        )  # fmt: skip
    gone = [i for i, r in enumerate(rows) if r.get(score) is None]
    if gone:
        fig.add_scatter(
            x=[lo_axis] * len(gone), y=[y[i] for i in gone], mode="text", name=WITHHELD,
            text=[WITHHELD] * len(gone), textposition="middle right",
            textfont={"color": OTHERS},
            hovertext=[f"{safe_text(rows[i]['question_id'])}: {WITHHELD_NOTE}" for i in gone],
            hoverinfo="text", customdata=[rows[i]["question_id"] for i in gone],
        )  # fmt: skip
    for (text, _lines), mid in zip(labels, y, strict=True):
        fig.add_annotation(x=0, xref="paper", xanchor="left", y=mid - GAP_PX / 2 + 2,
                           yanchor="bottom", text=text, showarrow=False, align="left",
                           font={"size": 15})  # fmt: skip
    height = HEAD_PX + top + 20
    base_layout(fig, title, height)
    fig.update_yaxes(range=[top + 4, 0], visible=False, fixedrange=True)
    fig.update_xaxes(title=chosen.axis_title, range=[lo_axis, hi_axis], side="top",
                     tickformat=".0%" if chosen.percent else None, zeroline=False)  # fmt: skip
    # Title, subtitle, legend, then the axis title and ticks above the first question.
    fig.update_layout(margin={"t": HEAD_PX, "b": 20, "l": 10, "r": 20},
                      title={"y": 1 - 12 / height, "yanchor": "top", "yref": "container"},
                      legend={"yref": "container", "y": 1 - 72 / height, "yanchor": "top",
                              "x": 0, "orientation": "h"})  # fmt: skip
    return fig


def _hover(row: dict, chosen: Score) -> str:
    value, lo, hi = row[chosen.field], row[chosen.low], row[chosen.high]
    ranks = (f"rank {row['rank_best']}" if row.get("rank_best") == row.get("rank_worst")
             else f"rank could be {row.get('rank_best')}-{row.get('rank_worst')}")  # fmt: skip
    return (
        f"{safe_text(row['question_id'])} · {wrap_label(row.get('title'), 60, lines=None)}"
        f"<br>{chosen.axis_title}: {_score_text(value, chosen.percent)} "
        f"(95% interval {_score_text(lo, chosen.percent)}-{_score_text(hi, chosen.percent)})"
        f"<br>{ranks}"
    )


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
