"""Pure builders: protected rows in, plotly Figure out. No data access here.

Our own words on a figure are marked for translation (dashboard/i18n.py) and numbers
take the reader's locale; member-written text (question titles) is never translated.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
from babel.numbers import get_decimal_symbol, get_group_symbol

from dashboard import words
from dashboard.figures.theme import (
    FONT,
    PALETTE,
    PATTERNS,
    base_layout,
    empty_figure,
    fast_figure,
    safe_text,
    split_title,
    wrap_label,
)
from dashboard.i18n import LANGUAGES, N_, _, current, ngettext, number, percent
from dashboard.insights.result import WITHHELD, WITHHELD_NOTE
from dashboard.insights.vote_methods import SCORES, SHARE, SHARE_4_OR_5, Score

DASHES = ("solid", "dash", "dot", "dashdot")
WITHHELD_GREY = "#BBBBBB"

# --- public text in the reader's language --------------------------------------------------
# English text that other modules define (the data layer's labels, messages and titles),
# marked here so the catalog has it: `_()` of one of these strings translates it where it
# is shown. tests/figures/test_spanish.py checks each still matches its source.
DATA_TEXT = (
    # dashboard/insights/result.py WITHHELD, WITHHELD_NOTE and WITHHELD_GROUP
    N_("withheld"),
    N_("Withheld to protect privacy: too few people, or a value that would let a small "
       "group be worked out."),
    N_("Withheld to protect privacy: this group is too small to show, or showing it would "
       "let a smaller group be worked out."),
    # dashboard/insights/pipeline.py STEP_LABELS
    N_("Asked"), N_("Discussed"), N_("Prioritized"), N_("Studied"), N_("Results shared"),
    # dashboard/insights/projects.py STAGE_ORDER and the withdrawn row: the funnel's bars
    N_("invited"), N_("screened"), N_("eligible"), N_("consented"), N_("enrolled"),
    N_("completed"), N_("withdrawn"),
    # dashboard/insights/vote_methods.py axis titles
    N_("Share of voters who chose it"), N_("Borda points per voter"), N_("Mean rating (1-5)"),
    N_("Share of raters who rated it 4 or 5"),
    # the public charts' result titles (dashboard/insights/*.py new_result)
    N_("From question to result: the five steps"), N_("Research projects by status"),
    N_("Enrollment funnel by project"), N_("Members over time, by role"),
    N_("Monthly active members, by role"),
)  # fmt: skip
# Result titles with the group and the round in them, as the data layer builds them.
TITLE_TEMPLATES = (
    N_("Research priorities of {who}: {round}"),
    N_("Support by topic among {who}: {round}"),
)


def english() -> bool:
    """Whether public text is being built in English (the message ids themselves)."""
    return current() == LANGUAGES[0]


def withheld() -> str:
    """How a withheld value reads to the reader ("withheld", "retenido"); never a number.

    Data files (CSV, JSON) keep the English WITHHELD: they are data, not text.
    """
    return _(WITHHELD)


def count(value: Any) -> str:
    """A served count in the reader's format ("1,234" / "1.234"), or the withheld word."""
    if value is None:
        return withheld()
    return f"{value:,}" if english() else number(value)


def plain(value: int) -> str:
    """A count written without separators in English ("1234"), in the locale's format else."""
    return str(value) if english() else number(value)


def whole(value: float) -> str:
    """A number rounded to a whole one, with thousands separators ("1,234" / "1.234")."""
    return f"{value:,.0f}" if english() else number(value)


def decimal(value: float, places: int = 2) -> str:
    """A number with `places` decimals ("4.50" / "4,50")."""
    text = f"{value:.{places}f}"
    return text if english() else number(float(text), places)


def pct(share: float) -> str:
    """A share as a whole percentage ("61%"), rounded as English rounds it in every language."""
    text = f"{share:.0%}"
    return text if english() else percent(float(text[:-1]) / 100)


def localize(fig: go.Figure) -> go.Figure:
    """Plotly's own numbers (ticks, %{y} in hovers) with the reader's separators."""
    if not english():
        lang = current()
        fig.update_layout(separators=get_decimal_symbol(lang) + get_group_symbol(lang))
    return fig


def who(filters: Any) -> str:
    """The group the filters name, in the reader's language ("all voters", "cuidadores")."""
    return _(words.who(filters))


def chart_title(result: Any) -> str:
    """A result's title in the reader's language; the round's name stays as written."""
    if english():
        return result.title
    said = words.who(result.filters)
    for template in TITLE_TEMPLATES:
        head = template.split("{round}")[0].format(who=said)
        if result.title.startswith(head):
            return _(template).format(who=_(said), round=result.title[len(head) :])
    return _(result.title)


def nothing_to_show() -> str:
    return _("Nothing to show for this selection.")


def _marker(i: int) -> dict:
    """Colour plus pattern, so groups differ without colour too."""
    return {"color": PALETTE[i % len(PALETTE)], "pattern": {"shape": PATTERNS[i % len(PATTERNS)]}}


TIER_ONE = PALETTE[0]
OTHERS = "#4D4D4D"  # dark grey: 8.5:1 on white
LINE_PX, GAP_PX = 19, 30  # a label line, and the dot's own row below the label
HEAD_PX = 200  # mode bar strip, title and subtitle, legend, axis title and ticks
# Room left of the plot for the axis's first tick label ("1" half out of it needs 15 px):
# with less, plotly widens the margin after drawing and draws the whole chart again.
LEFT_PX = 20


def _score_text(value: float, percent: bool) -> str:
    return pct(value) if percent else decimal(value)


def make_priorities_figure(
    rows: list[dict],
    method: str,
    title: str,
    wrap: int = 70,
    text_labels: bool = False,
    codes: bool = False,
) -> go.Figure:
    """Ranked questions as dots with 95% intervals on the score's natural axis.

    Each question's full text is wrapped above its dot (never cut, never overlapping:
    every row is as tall as its label); with `codes` (the explorer, where researchers cite
    them) the Q-code is in the hover, never on public surfaces. Questions
    statistically tied for first are blue diamonds, the rest dark grey circles: one
    colour, used once, and never alone (shape and legend say it too). Withheld
    questions read WITHHELD at the axis start, never a zero.
    """
    if not rows:
        return empty_figure(nothing_to_show())
    chosen = SCORES.get(method, SHARE)
    score, low, high = chosen.field, chosen.low, chosen.high
    traces: list[dict] = []
    labels, y, top = question_layout([r.get("title") or r["question_id"] for r in rows], wrap)
    served = [i for i, r in enumerate(rows) if r.get(score) is not None]
    lo_axis = chosen.axis_range[0] if chosen.axis_range else 0.0
    hi_axis = (
        chosen.axis_range[1]
        if chosen.axis_range
        else max([rows[i][high] for i in served if rows[i].get(high) is not None] or [1.0]) * 1.05
    )
    for name, symbol, colour, pick in (
        (_("Tied for first (95% intervals overlap the top)"), "diamond", TIER_ONE,
         lambda r: r.get("tier") == 1),
        (_("Other questions"), "circle", OTHERS, lambda r: r.get("tier") != 1),
    ):  # fmt: skip
        idx = [i for i in served if pick(rows[i])]
        if not idx:
            continue
        traces.append(scatter(
            x=[rows[i][score] for i in idx], y=[y[i] for i in idx], mode="markers", name=name,
            marker={"symbol": symbol, "size": 12, "color": colour},
            error_x={"type": "data", "symmetric": False, "color": colour, "thickness": 2,
                     "array": [rows[i][high] - rows[i][score] for i in idx],
                     "arrayminus": [rows[i][score] - rows[i][low] for i in idx]},
            hovertext=[_hover(rows[i], chosen, codes) for i in idx], hoverinfo="text",
            customdata=[rows[i]["question_id"] for i in idx],  # a click opens the question
        ))  # fmt: skip
    gone = [i for i, r in enumerate(rows) if r.get(score) is None]
    if gone:
        traces.append(scatter(
            x=[lo_axis] * len(gone), y=[y[i] for i in gone], mode="text", name=withheld(),
            text=[withheld()] * len(gone), textposition="middle right",
            textfont={"color": OTHERS},
            hovertext=[f"{_question(rows[i], codes)}<br>{_(WITHHELD_NOTE)}" for i in gone],
            hoverinfo="text", customdata=[rows[i]["question_id"] for i in gone],
        ))  # fmt: skip
    fig = question_chart(traces, labels, y, top, title,
                         {"title": {"text": _(chosen.axis_title)}, "range": [lo_axis, hi_axis],
                          **({"tickformat": ".0%"} if chosen.percent else {})},
                         text_labels)  # fmt: skip
    return localize(fig)


def _hover(row: dict, chosen: Score, codes: bool = False) -> str:
    value, lo, hi = row[chosen.field], row[chosen.low], row[chosen.high]
    best, worst = row.get("rank_best"), row.get("rank_worst")
    ranks = (_("rank {rank}").format(rank=best) if best == worst
             else _("rank could be {best}-{worst}").format(best=best, worst=worst))  # fmt: skip
    score = _("{score}: {value} (95% interval {low}-{high})").format(
        score=_(chosen.axis_title), value=_score_text(value, chosen.percent),
        low=_score_text(lo, chosen.percent), high=_score_text(hi, chosen.percent))  # fmt: skip
    return f"{_question(row, codes)}<br>{score}<br>{ranks}"


def _question(row: dict, codes: bool = False) -> str:
    """A question in a hover: its own words, then its Q-code with `codes` (public surfaces
    show no codes)."""
    words = wrap_label(row.get("title") or row["question_id"], 60, lines=None)
    coded = codes and row.get("title")  # an untitled question is already its code
    return f"{words}<br>{safe_text(row['question_id'])}" if coded else words


GROUP_SYMBOLS = ("circle-open", "diamond", "square", "triangle-up", "x", "star")
MAX_GROUPS = len(GROUP_SYMBOLS)


def question_layout(texts: list[str], wrap: int) -> tuple[list[str], list[float], float]:
    """Each question's text wrapped in full, and the y of its dot row below it (px)."""
    labels, y, top = [], [], 0.0
    for text in texts:
        label = wrap_label(text, wrap, lines=None)
        top += LINE_PX * (label.count("<br>") + 1) + GAP_PX
        labels.append(label)
        y.append(top - GAP_PX / 2)
    return labels, y, top


def scatter(**props: Any) -> dict:
    """A scatter trace as a plain dict, for `question_chart`."""
    return {"type": "scatter", **props}


def question_chart(traces: list[dict], labels: list[str], y: list[float], top: float,
                   title: str, xaxis: dict, text_labels: bool = False) -> go.Figure:  # fmt: skip
    """A question chart from its traces (plain dicts): the question texts above their dots,
    the layout question charts share (base_layout's, with the legend and title placed for
    the labels' pixel axis), and `xaxis` (the score's axis, on top, with its `range`).

    The texts are annotations, which embeds' and slides' images place themselves; with
    `text_labels` (the explorer's pages) they are one text trace instead, drawn the same
    way in the browser in a fraction of the time (25 annotations took plotly ~55 ms of
    every redraw of a ranking; the trace ~10 ms). Made in one step (theme.fast_figure):
    the server builds one for every change of view.
    """
    height = int(HEAD_PX + top + 20)
    bottoms = [mid - GAP_PX / 2 + 2 for mid in y]  # each text's bottom, just above its dots
    notes = [{"x": 0, "xref": "paper", "xanchor": "left", "y": bottom, "yanchor": "bottom",
              "text": text, "showarrow": False, "align": "left", "font": {"size": 15}}
             for text, bottom in zip(labels, bottoms, strict=True)]  # fmt: skip
    cartesian = bool(traces)
    if text_labels:
        # Not a legend entry, nor hovered or clicked: the dots under it still are.
        # 2 px up: plotly sets a text that much lower than an annotation at the same y.
        traces = [*traces, scatter(x=[xaxis["range"][0]] * len(labels), text=labels,
                                   y=[bottom - 2 for bottom in bottoms],
                                   mode="text", textposition="top right",
                                   textfont={"size": 15}, hoverinfo="skip",
                                   showlegend=False, cliponaxis=False)]  # fmt: skip
        notes = []
    layout = {
        # below the mode bar's strip (30 px), as base_layout keeps it
        "title": {**split_title(title), "x": 0, "xanchor": "left", "y": 1 - 36 / height,
                  "yanchor": "top", "yref": "container"},
        "font": FONT,
        "height": height,
        "margin": {"t": HEAD_PX, "b": 20, "l": LEFT_PX, "r": 20},
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": 1 - 100 / height,
                   "yanchor": "top", "yref": "container"},
        "annotations": notes,
        "xaxis": {**({"ticklabelstandoff": 6} if cartesian else {}), "side": "top",
                  "zeroline": False, **xaxis},
        "yaxis": {"range": [top + 4, 0], "visible": False, "fixedrange": True},
    }  # fmt: skip
    return fast_figure(traces, layout)


def make_group_figure(rows: list[dict], title: str, wrap: int = 70, group_label=str,
                      text_labels: bool = False) -> go.Figure:  # fmt: skip
    """Each group's support for each question as dots on one 0-100% axis, the reference
    group hollow; questions sorted by the largest difference from the reference.

    A difference that holds after the false-discovery correction is starred (the legend
    says so); a group whose value is withheld is named under the question as withheld.
    Groups differ by symbol as well as colour.
    """
    if not rows:
        return empty_figure("Nothing to compare for this selection.")
    share = SHARE if "share" in rows[0] else SHARE_4_OR_5
    value, low, high = share.field, share.low, share.high
    groups = list(dict.fromkeys(r["group"] for r in rows))[:MAX_GROUPS]
    by_q: dict[str, list[dict]] = {}
    for r in rows:
        if r["group"] in groups:
            by_q.setdefault(r["question_id"], []).append(r)

    def spread(qid: str) -> float:
        found = [abs(r["difference"]) for r in by_q[qid] if r.get("difference") is not None]
        return max(found) if found else -1.0

    order = sorted(by_q, key=lambda q: (-spread(q), q))
    texts = []
    for q in order:
        gone = [group_label(r["group"]) for r in by_q[q] if r.get(value) is None]
        title_text = by_q[q][0].get("title") or q
        texts.append(f"{title_text} ({WITHHELD}: {', '.join(gone)})" if gone else title_text)
    labels, y, top = question_layout(texts, wrap)
    pos = {q: y[i] for i, q in enumerate(order)}
    traces: list[dict] = []
    for i, group in enumerate(groups):
        part = [
            r for q in order for r in by_q[q] if r["group"] == group and r.get(value) is not None
        ]
        if not part:
            continue
        colour = OTHERS if i == 0 else PALETTE[(i - 1) % len(PALETTE)]
        traces.append(scatter(
            x=[r[value] for r in part], y=[pos[r["question_id"]] for r in part],
            mode="markers+text", name=safe_text(group_label(group)) + (" (reference)" if i == 0
                                                                         else ""),
            text=["*" if r.get("significant") else "" for r in part],
            textposition="top center", textfont={"size": 18, "color": colour},
            marker={"symbol": GROUP_SYMBOLS[i], "size": 11, "color": colour,
                    "line": {"width": 2, "color": colour}},
            error_x={"type": "data", "symmetric": False, "color": colour, "thickness": 1.5,
                     "array": [r[high] - r[value] for r in part],
                     "arrayminus": [r[value] - r[low] for r in part]},
            hovertext=[_group_hover(r, share, group_label) for r in part], hoverinfo="text",
            customdata=[r["question_id"] for r in part],
        ))  # fmt: skip
    axis = (f"{share.axis_title} (95% intervals); * = differs from "
            f"{safe_text(group_label(groups[0]))}, after correction for many tests")  # fmt: skip
    xaxis = {"title": {"text": axis}, "range": [0, 1], "tickformat": ".0%"}
    return question_chart(traces, labels, y, top, title, xaxis, text_labels)


def make_topic_figure(rows: list[dict], title: str, wrap: int = 70,
                      text_labels: bool = False) -> go.Figure:  # fmt: skip
    """Each topic's pooled share of support with its 95% interval, strongest first."""
    if not rows:
        return empty_figure(nothing_to_show())
    order = sorted(rows, key=lambda r: (r.get("support") is None, -(r.get("support") or 0),
                                        str(r["topic"])))  # fmt: skip
    texts = [ngettext("{topic} ({n} question)", "{topic} ({n} questions)", r["questions"])
             .format(topic=r["topic"], n=plain(r["questions"])) for r in order]  # fmt: skip
    labels, y, top = question_layout(texts, wrap)
    traces: list[dict] = []
    served = [i for i, r in enumerate(order) if r.get("support") is not None]
    if served:
        traces.append(scatter(
            x=[order[i]["support"] for i in served], y=[y[i] for i in served], mode="markers",
            name=_("Share of support (95% interval)"),
            marker={"symbol": "circle", "size": 12, "color": PALETTE[0]},
            error_x={"type": "data", "symmetric": False, "color": PALETTE[0], "thickness": 2,
                     "array": [order[i]["support_high"] - order[i]["support"] for i in served],
                     "arrayminus": [order[i]["support"] - order[i]["support_low"]
                                    for i in served]},
            hovertext=[_("{topic}: {support} ({low}-{high}) of {n} voter-question pairs").format(
                topic=safe_text(order[i]["topic"]), support=pct(order[i]["support"]),
                low=pct(order[i]["support_low"]), high=pct(order[i]["support_high"]),
                n=count(order[i]["base"])) for i in served],
            hoverinfo="text", customdata=[order[i]["topic"] for i in served],
        ))  # fmt: skip
    gone = [i for i, r in enumerate(order) if r.get("support") is None]
    if gone:
        traces.append(scatter(
            x=[0] * len(gone), y=[y[i] for i in gone], mode="text", name=withheld(),
            text=[withheld()] * len(gone), textposition="middle right",
            textfont={"color": OTHERS}, hoverinfo="text",
            hovertext=[f"{safe_text(order[i]['topic'])}: {_(WITHHELD_NOTE)}" for i in gone],
            customdata=[order[i]["topic"] for i in gone],
        ))  # fmt: skip
    axis = _("Share of voters who chose its questions or rated them 4-5")
    xaxis = {"title": {"text": axis}, "range": [0, 1], "tickformat": ".0%"}
    fig = question_chart(traces, labels, y, top, title, xaxis, text_labels)
    return localize(fig)


def _group_hover(row: dict, share: Score, group_label) -> str:
    text = (
        f"{safe_text(row['question_id'])} · {safe_text(group_label(row['group']))}: "
        f"{row[share.field]:.0%} ({row[share.low]:.0%}-{row[share.high]:.0%})"
    )
    if row.get("difference") is not None:
        versus = safe_text(group_label(row["reference"]))
        text += (
            f"<br>{row['difference'] * 100:+.0f} points vs {versus} "
            f"({row['difference_low'] * 100:+.0f} to {row['difference_high'] * 100:+.0f})"
            + ("; holds after correction" if row.get("significant") else "")
        )
    return text


def make_line_figure(
    rows: list[dict], x: str, y: str, group: str, title: str, y_title: str, names: Any = str
) -> go.Figure:
    """Series over time per group; withheld points are gaps, not zeros.

    `names` gives a series its name in the reader's language (default: as in the data).
    """
    if not rows:
        return empty_figure(nothing_to_show())
    df = pd.DataFrame(rows)
    fig = go.Figure()
    for i, (name, part) in enumerate(df.groupby(group, sort=False)):
        fig.add_scatter(x=part[x], y=part[y], name=safe_text(names(name)), mode="lines+markers",
                        line={"color": PALETTE[i % len(PALETTE)], "dash": DASHES[i % 4]},
                        connectgaps=False)  # fmt: skip
    base_layout(fig, title)
    fig.update_yaxes(title=y_title, rangemode="tozero")
    return localize(fig)


def make_bar_figure(rows: list[dict], x: str, y: str, title: str,
                    names: Any = str) -> go.Figure:  # fmt: skip
    """Simple bars; withheld values are grey and labelled withheld, never drawn as zero.

    `names` gives a bar its label in the reader's language (default: as in the data).
    """
    if not rows:
        return empty_figure(nothing_to_show())
    df = pd.DataFrame(rows)
    gone = [bool(pd.isna(v)) for v in df[y]]
    labels = [safe_text(names(v)) for v in df[x]]
    text = [withheld() if g else whole(v) for v, g in zip(df[y], gone, strict=True)]
    hover = [f"{lab}: {_(WITHHELD_NOTE)}" if g else f"{lab}: {t}"
             for lab, t, g in zip(labels, text, gone, strict=True)]  # fmt: skip
    colours = [WITHHELD_GREY if g else PALETTE[0] for g in gone]
    fig = go.Figure(go.Bar(x=labels, y=df[y].fillna(0), text=text, textposition="outside",
                           hovertext=hover, hoverinfo="text",
                           marker={"color": colours}))  # fmt: skip
    base_layout(fig, title)
    return localize(fig)
