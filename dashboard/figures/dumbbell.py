"""Two groups, one row per question: a dumbbell on the score's natural axis.

Rows come sorted by the difference (the chosen voters minus the group compared with),
questions whose value is withheld last, named in place. Each question's full text sits
above its row (charts.question_layout). The chosen group is a filled blue circle, the
group compared with a hollow dark-grey diamond: one accent colour, and the shapes tell
them apart without it. The line between them is solid where the difference holds after
the false-discovery correction and dotted where it does not; the hover gives each
group's value with its interval and the difference with its own.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from dashboard.figures.charts import (
    OTHERS,
    TIER_ONE,
    question_chart,
    question_layout,
    scatter,
)
from dashboard.figures.theme import empty_figure, safe_text, wrap_label
from dashboard.insights.result import WITHHELD, WITHHELD_NOTE
from dashboard.insights.vote_methods import SCORES, SHARE_4_OR_5, Score

HELD, CHANCE = "#333333", "#767676"  # lines: solid and dotted, both 3:1 or more on white
OFFSET = 4  # px: group a's dot a little above the row, group b's a little below
# Every score a comparison can be on: the rankings' and rate rounds' share rating it 4-5.
COMPARED_SCORES = {s.name: s for s in (*SCORES.values(), SHARE_4_OR_5)}


def value_text(value: float | None, score: Score) -> str:
    """A score as the axis reads it: "61%" or "4.25"; the withheld word where withheld."""
    if value is None:
        return WITHHELD
    return f"{value:.0%}" if score.percent else f"{value:.2f}"


def difference_text(row: dict[str, Any], score: Score) -> str:
    """ "+12 points (95% interval +3 to +21)" or "+0.40 (95% interval +0.10 to +0.70)"."""
    d, low, high = row["difference"], row["difference_low"], row["difference_high"]
    if score.percent:
        return (f"{d * 100:+.0f} points (95% interval {low * 100:+.0f} to "
                f"{high * 100:+.0f})")  # fmt: skip
    return f"{d:+.2f} (95% interval {low:+.2f} to {high:+.2f})"


def _hover(row: dict[str, Any], score: Score, names: tuple[str, str], tested: int) -> str:
    text = wrap_label(row.get("title") or row["question_id"], 60, lines=None)
    for name, suffix in zip(names, "ab", strict=True):
        value = row.get(f"value_{suffix}")
        part = f"{safe_text(name)}: {value_text(value, score)}"
        if value is not None and row.get(f"low_{suffix}") is not None:
            part += (f" ({value_text(row[f'low_{suffix}'], score)}-"
                     f"{value_text(row[f'high_{suffix}'], score)})")  # fmt: skip
        text += f"<br>{part}"
    if row.get("difference") is not None:
        held = ("holds after correction for " if row.get("significant")
                else "could be chance, after correction for ")  # fmt: skip
        text += (f"<br>Difference: {difference_text(row, score)}; {held}{tested} "
                 f"comparison{'s' if tested != 1 else ''}")  # fmt: skip
    elif "difference" in row.get("suppressed", ()):
        text += f"<br>Difference: {WITHHELD}. {WITHHELD_NOTE}"
    return f"{safe_text(row['question_id'])} · {text}"


def make_dumbbell_figure(rows: list[dict[str, Any]], score_name: str, names: tuple[str, str],
                         title: str, wrap: int = 70, tested: int = 0,
                         text_labels: bool = False) -> go.Figure:  # fmt: skip
    """Each question's two values joined by a line, in the rows' order (by difference)."""
    if not rows:
        return empty_figure("Nothing to compare for this selection.")
    score = COMPARED_SCORES[score_name]
    texts = []
    for r in rows:
        gone = [n for n, s in zip(names, "ab", strict=True) if r.get(f"value_{s}") is None]
        text = r.get("title") or r["question_id"]
        texts.append(f"{text} ({WITHHELD}: {', '.join(gone)})" if gone else text)
    labels, y, top = question_layout(texts, wrap)
    traces: list[dict] = []
    for name, dash, colour, width, pick in (
        ("Difference holds after correction", "solid", HELD, 3, True),
        ("Difference could be chance", "dot", CHANCE, 2, False),
    ):
        xs: list[float | None] = []
        ys: list[float | None] = []
        for r, mid in zip(rows, y, strict=True):
            if r.get("value_a") is None or r.get("value_b") is None:
                continue
            if bool(r.get("significant")) != pick:
                continue
            xs += [r["value_a"], r["value_b"], None]
            ys += [mid - OFFSET, mid + OFFSET, None]
        if xs:
            line = {"color": colour, "width": width, "dash": dash}
            traces.append(scatter(x=xs, y=ys, mode="lines", name=name, hoverinfo="skip", line=line))
    for suffix, name, symbol, colour, shift in (
        ("a", names[0], "circle", TIER_ONE, -OFFSET),
        ("b", names[1], "diamond-open", OTHERS, OFFSET),
    ):
        idx = [i for i, r in enumerate(rows) if r.get(f"value_{suffix}") is not None]
        if not idx:
            continue
        bars = all(rows[i].get(f"low_{suffix}") is not None for i in idx)
        traces.append(scatter(
            x=[rows[i][f"value_{suffix}"] for i in idx], y=[y[i] + shift for i in idx],
            mode="markers", name=safe_text(name[:1].upper() + name[1:]),
            marker={"symbol": symbol, "size": 12, "color": colour,
                    "line": {"width": 2, "color": colour}},
            error_x={"type": "data", "symmetric": False, "color": colour, "thickness": 1,
                     "width": 3, "visible": bars,
                     "array": [_gap(rows[i], suffix, "high") for i in idx],
                     "arrayminus": [_gap(rows[i], suffix, "low") for i in idx]},
            hovertext=[_hover(rows[i], score, names, tested) for i in idx], hoverinfo="text",
            customdata=[rows[i]["question_id"] for i in idx],
        ))  # fmt: skip
    lo_axis = score.axis_range[0] if score.axis_range else 0.0
    gone = [i for i, r in enumerate(rows) if r.get("value_a") is None and r.get("value_b") is None]
    if gone:
        traces.append(scatter(
            x=[lo_axis] * len(gone), y=[y[i] for i in gone], mode="text", name=WITHHELD,
            text=[WITHHELD] * len(gone), textposition="middle right", textfont={"color": OTHERS},
            hovertext=[_hover(rows[i], score, names, tested) for i in gone], hoverinfo="text",
            customdata=[rows[i]["question_id"] for i in gone],
        ))  # fmt: skip
    if score.axis_range:
        x_range = list(score.axis_range)
    else:
        highs = [r.get(f"high_{s}") or r.get(f"value_{s}") or 0 for r in rows for s in "ab"]
        x_range = [0.0, max([*highs, 1.0]) * 1.05]
    return question_chart(traces, labels, y, top, title,
                          {"title": {"text": f"{score.axis_title} (dots: 95% intervals)"},
                           "range": x_range, **({"tickformat": ".0%"} if score.percent
                                                else {})}, text_labels)  # fmt: skip


def _gap(row: dict[str, Any], suffix: str, end: str) -> float:
    value, bound = row[f"value_{suffix}"], row.get(f"{end}_{suffix}")
    if bound is None:
        return 0.0
    return bound - value if end == "high" else value - bound


def how_many(result: Any) -> tuple[str, str, str]:
    """How many people each group has, and of what: ("312", "88", "voters"), or for rate
    rounds (whose voter count is not served) ("up to 312", "up to 88", "raters a question");
    the withheld word where withheld."""
    ctx = result.context
    if ctx.get("voters_a") is not None or ctx.get("voters_b") is not None:
        return (
            *(
                WITHHELD if ctx.get(f"voters_{s}") is None else f"{ctx[f'voters_{s}']:,}"
                for s in "ab"
            ),
            "voters",
        )  # type: ignore[return-value]
    out = []
    for suffix in "ab":
        served = [r[f"base_{suffix}"] for r in result.rows if r.get(f"base_{suffix}") is not None]
        out.append(f"up to {max(served):,}" if served else WITHHELD)
    return out[0], out[1], f"{ctx.get('base', 'raters')} a question"


def largest_first(rows: list[dict[str, Any]], most: int) -> list[dict[str, Any]]:
    """The `most` rows with the largest differences (either way), in the rows' order."""
    keep = sorted(
        range(len(rows)),
        key=lambda i: (
            rows[i].get("difference") is None,
            -abs(rows[i].get("difference") or 0.0),
            i,
        ),
    )
    chosen = set(keep[:most])
    return [r for i, r in enumerate(rows) if i in chosen]
