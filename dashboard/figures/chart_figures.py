"""One figure builder per chart id: protected rows in, a figure out, at a surface's size.

The page, the embed and the slide all call the same builder, so a fix to a
chart reaches every surface. `size` only decides how much of the chart fits:
a page shows every row, an embed or a slide the first ten. A phone's page ("phone")
shows every row too, its question text wrapped for a 320-390 px screen.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import plotly.graph_objects as go

from dashboard import words
from dashboard.figures.charts import (
    DASHES,
    chart_title,
    count,
    english,
    localize,
    make_bar_figure,
    make_group_figure,
    make_line_figure,
    make_priorities_figure,
    make_topic_figure,
    plain,
    whole,
)
from dashboard.figures.dumbbell import how_many, largest_first, make_dumbbell_figure
from dashboard.figures.geo import make_country_map_figure
from dashboard.figures.tables import numbers_figure, table_figure
from dashboard.figures.theme import (
    PALETTE,
    add_annotations,
    base_layout,
    empty_figure,
    safe_text,
    wrap_label,
)
from dashboard.i18n import N_, _, date, ngettext
from dashboard.insights.result import WITHHELD, ChartResult, show_count

Size = Literal["page", "phone", "embed", "slide"]
# The explorer's sizes: every row, question texts drawn as one text trace (charts.question_chart).
WHOLE = ("page", "phone")
TOP = 10
STATUS_LABELS = {  # English here; `_()` where a public figure shows them
    "in_development": N_("In development"),
    "open_for_participation": N_("Open for participation"),
    "in_progress": N_("In progress"),
    "completed": N_("Completed"),
    "results_available": N_("Results available"),
}
# A role's line in the reader's language, in words (never the data's code).
ROLE_NAMES = {"all": N_("all members"), "person_with_ms": N_("people with MS"),
              "caregiver": N_("caregivers"), "other": N_("other members")}  # fmt: skip
WRAP = {"page": 90, "phone": 30, "embed": 60, "slide": 80}  # characters per line of question text
HEADLINE_MEASURES = ("members", "active_last_month", "votes_latest_round", "projects_open")


def count_text(value: Any) -> str:
    """A served count with thousands separators, or WITHHELD when withheld."""
    return show_count(value)


def headlines(result: ChartResult, size: Size) -> go.Figure:
    by = {r["measure"]: r for r in result.rows}
    items = [(by[m]["label"], count_text(by[m]["value"]))
             for m in HEADLINE_MEASURES if m in by]  # fmt: skip
    return numbers_figure(items)


def priorities(result: ChartResult, size: Size) -> go.Figure:
    if result.message:
        return empty_figure(_(result.message))
    rows = result.rows
    if size not in WHOLE:
        ranked = [r for r in rows if r.get("rank")][:TOP]
        rows = ranked + [r for r in rows if not r.get("rank")][: TOP - len(ranked)]
    voters = result.context.get("voters")
    title = chart_title(result)
    if voters is not None:  # never 1: a served count is at least k
        title = ngettext("{title} · {n} voter", "{title} · {n} voters", voters).format(
            title=title, n=count(voters))  # fmt: skip
    explorer = size in WHOLE  # the Q-code in the hover: researchers cite it
    return make_priorities_figure(rows, result.method, title, WRAP[size], explorer, explorer)


def by_group(result: ChartResult, size: Size) -> go.Figure:
    if result.message:
        return empty_figure(result.message)
    rows = result.rows
    if size not in WHOLE:
        keep = list(dict.fromkeys(r["question_id"] for r in rows))[:TOP]
        rows = [r for r in rows if r["question_id"] in keep]
    dim = result.context.get("compare")
    return make_group_figure(
        rows,
        result.title,
        WRAP[size],
        lambda g: words.option_label(dim, g) if dim else g,
        text_labels=size in WHOLE,
    )


def two_groups(result: ChartResult, size: Size) -> go.Figure:
    """The chosen voters and the group compared with, one dumbbell per question."""
    if result.message:
        return empty_figure(result.message)
    rows = result.rows if size in WHOLE else largest_first(result.rows, TOP)
    ctx = result.context
    a, b, noun = how_many(result)
    title = f"{result.title} · {a} vs {b} {noun}"
    names = (ctx["group_a"], ctx["group_b"])
    fig = make_dumbbell_figure(rows, ctx["score"], names, title, WRAP[size], ctx.get("tested", 0),
                               text_labels=size in WHOLE)  # fmt: skip
    if ctx.get("fallback"):  # the axis says which score it is, and that it is not the ranking's
        fig.update_xaxes(title=f"{fig.layout.xaxis.title.text}; not the ranking's "
                         f"{ctx['ranking_score']}, withheld for most questions")  # fmt: skip
    return fig


def balanced(result: ChartResult, size: Size) -> go.Figure:
    """Questions in balanced order: mean rank within groups, or the lowest support (bridging)."""
    rows = [r for r in result.rows if r.get("balanced_rank")]
    if result.message or not rows:
        return empty_figure(result.message or "No question can be ranked across every group.")
    rows = rows if size in WHOLE else rows[:TOP]
    bridging = result.method == "bridging"
    key = "bridging_score" if bridging else "mean_group_rank"
    fig = go.Figure(go.Bar(
        x=[r[key] for r in rows], orientation="h", marker={"color": PALETTE[0]},
        y=[f"{safe_text(r['question_id'])} · {safe_text(r['title'], 60)}" for r in rows],
    ))  # fmt: skip
    base_layout(fig, result.title, max(360, 80 + 34 * len(rows)))
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(title="Lowest support across groups" if bridging
                     else "Mean rank within groups (lower is better)")  # fmt: skip
    return fig


def topics(result: ChartResult, size: Size) -> go.Figure:
    """Topics by how strongly their questions were supported, not by how many they have."""
    if result.message:
        return empty_figure(_(result.message))
    fig = make_topic_figure(result.rows, chart_title(result), WRAP[size], size in WHOLE)
    if size in WHOLE:
        fig.update_layout(clickmode="event")  # a click on a topic filters the questions
    return fig


def question_trail(result: ChartResult, size: Size) -> go.Figure:
    rows = result.rows[:TOP] if size not in WHOLE else result.rows

    def count(row: dict, name: str) -> str:
        return WITHHELD if name in row.get("suppressed", ()) else f"{row.get(name) or 0:,}"

    return table_figure(
        ["Question", "Topic", "Status", "Project", "Comments"],
        [[r["title"] for r in rows], [r.get("topic") for r in rows],
         [str(r.get("status") or "").replace("_", " ") for r in rows],
         [r.get("project_title") or "—" for r in rows], [count(r, "comments") for r in rows]],
        "No such question.",
    )  # fmt: skip


def question_trend(result: ChartResult, size: Size) -> go.Figure:
    rows = [{**r, "series": "support"} for r in result.rows]
    return make_line_figure(rows, "round_id", "support", "series", result.title,
                            "Share who chose it / rated it 4-5")  # fmt: skip


def projects(result: ChartResult, size: Size) -> go.Figure:
    counts = {s: sum(1 for r in result.rows if r["status"] == s) for s in STATUS_LABELS}
    fig = go.Figure(go.Bar(x=[_(label) for label in STATUS_LABELS.values()],
                           y=list(counts.values()), text=list(counts.values()),
                           textposition="outside", marker={"color": PALETTE[0]}))  # fmt: skip
    base_layout(fig, chart_title(result))
    fig.update_yaxes(title=_("Projects"), rangemode="tozero")
    return localize(fig)


def enrollment(result: ChartResult, size: Size) -> go.Figure:
    if result.filters.project:  # the stages' names are ours: translated
        return make_bar_figure(result.rows, "stage", "members", chart_title(result), names=_)
    rows = [r for r in result.rows if r["stage"] == "enrolled"]
    return make_bar_figure(rows, "project_id", "members", chart_title(result))


def accrual(result: ChartResult, size: Size) -> go.Figure:
    return make_line_figure(result.rows, "month", "enrolled_to_date", "project_id",
                            result.title, "Members enrolled to date")  # fmt: skip


def role_name(role: Any) -> str:
    """A role's line in the legend, in words: "people with MS", not `person_with_ms`."""
    return _(ROLE_NAMES.get(str(role), str(role)))


def members(result: ChartResult, size: Size) -> go.Figure:
    fig = make_line_figure(result.rows, "month", "members", "role", chart_title(result),
                           _("Members (cumulative)"), names=role_name)  # fmt: skip
    return mark_events(fig, result, size)


def new_members(result: ChartResult, size: Size) -> go.Figure:
    """The members chart's other view: who joined each month."""
    fig = make_line_figure(result.rows, "month", "new_members", "role",
                           _("New members per month, by role"), _("New members"),
                           names=role_name)  # fmt: skip
    return mark_events(fig, result, size)


def active_members(result: ChartResult, size: Size) -> go.Figure:
    fig = make_line_figure(result.rows, "month", "active", "role", chart_title(result),
                           _("Active members"), names=role_name)  # fmt: skip
    return mark_events(fig, result, size)


# --- rounds and events on the time series ------------------------------------------------
# A jump in members or activity usually has a cause the chart should name: rounds are light
# grey bands, the export's events (events.csv) thin dotted lines, each with a short label at
# the top (text, so colour is never the only cue) and the full name and dates on hover.

ROUND_BAND = "rgba(128, 128, 128, 0.16)"  # light grey on white, still a band on dark
EVENT_LINE = "#767676"  # 4.5:1 on white
MARK_TEXT = "#444444"
MARK_FONT = {"page": 11, "phone": 11, "embed": 11, "slide": 16}
ROW_PX = {"page": 15, "phone": 15, "embed": 15, "slide": 21}  # one row of labels
PLOT_PX = {
    "page": 700,
    "phone": 300,
    "embed": 520,
    "slide": 1300,
}  # about how wide each surface draws it
LABEL_ROWS = 2  # close labels are staggered over this many rows, then left out (and said)
LABEL_CHARS = 28  # on the chart; the hover has the whole label
# More events than this in a window (about one per 40 px): the most frequent kind is left
# out (and said); a monthly newsletter over years would be a grey hatch, not information.
MAX_EVENTS = {"page": 18, "phone": 7, "embed": 13, "slide": 32}
# The hover's first word for an event of each kind ("Newsletter: ..."), in the reader's words.
EVENT_NAMES = {"newsletter": N_("Newsletter"), "campaign": N_("Campaign"),
               "webinar": N_("Webinar"), "other": N_("Other event")}  # fmt: skip


def month_end(month: dt.date) -> dt.date:
    """The last day of a month (a monthly point stands for the whole month)."""
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def date_span(start: dt.date, end: dt.date | None) -> str:
    """ "5 Mar 2024", "1–30 Apr 2026", "1 Mar–30 Apr 2026" or "1 Dec 2025–31 Jan 2026".

    In the reader's language: "1–30 abr 2026".
    """
    if not english():
        day_month_year = "d MMM y"
        if end is None or end == start:
            return date(start, day_month_year)
        if (start.year, start.month) == (end.year, end.month):
            return f"{start.day}–{date(end, day_month_year)}"
        head = date(start, "d MMM" if start.year == end.year else day_month_year)
        return f"{head}–{date(end, day_month_year)}"
    if end is None or end == start:
        return f"{start.day} {start:%b %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {end:%b %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%b}–{end.day} {end:%b %Y}"
    return f"{start.day} {start:%b %Y}–{end.day} {end:%b %Y}"


def round_short_name(event: dict[str, Any]) -> str:
    """A round's name before its colon ("2026 priorities"), or its id when that is long."""
    head = str(event["label"]).split(":", 1)[0].strip()
    return head if 0 < len(head) <= 20 else str(event.get("round_id") or event["label"])


def events_in_window(result: ChartResult) -> tuple[dt.date, dt.date, list[dict[str, Any]]]:
    """The first and last day the result's months cover, and the rounds and events in them.

    A round counts if it was open at any time in the window (its band is cut to it); an
    event if it started in the window (its line is drawn where it started).
    """
    months = sorted({r["month"] for r in result.rows if r.get("month") is not None})
    if not months:
        return dt.date.min, dt.date.min, []
    first, last = months[0], month_end(months[-1])

    def shown(e: dict[str, Any]) -> bool:
        if e["kind"] == "round":
            return e["starts_on"] <= last and (e["ends_on"] or e["starts_on"]) >= first
        return first <= e["starts_on"] <= last

    return first, last, [e for e in result.context.get("events") or () if shown(e)]


def _counted(n: int, kind: str) -> str:
    """ "3 newsletters", "1 round": how many marks of a kind, in the reader's language."""
    if kind == "round":
        text = ngettext("{n} round", "{n} rounds", n)
    elif kind == "newsletter":
        text = ngettext("{n} newsletter", "{n} newsletters", n)
    elif kind == "campaign":
        text = ngettext("{n} campaign", "{n} campaigns", n)
    elif kind == "webinar":
        text = ngettext("{n} webinar", "{n} webinars", n)
    elif kind == "other":
        text = ngettext("{n} other event", "{n} other events", n)
    else:
        text = ngettext("{n} event", "{n} events", n)
    return text.format(n=plain(n))


def _thin_events(
    events: list[dict[str, Any]], size: Size
) -> tuple[list[dict[str, Any]], list[str]]:
    """At most MAX_EVENTS[size] events, the most frequent kinds left out first; what was
    left out, in words."""
    kept, left_out = list(events), []
    while len(kept) > MAX_EVENTS[size]:
        kinds = [e["kind"] for e in kept]
        kind = max(dict.fromkeys(kinds), key=kinds.count)
        left_out.append(_counted(kinds.count(kind), kind))
        kept = [e for e in kept if e["kind"] != kind]
    return kept, left_out


def _place_labels(labels: list[dict[str, Any]], first: dt.date, last: dt.date,
                  size: Size) -> list[dict[str, Any]]:  # fmt: skip
    """Give each label a row (0 = top) where it overlaps no other, or None: left out.

    Rounds first, then events, each left to right; a label that would run off the right
    edge ends at its mark instead of starting there.
    """
    width, char_px, gap = PLOT_PX[size], 0.6 * MARK_FONT[size], 8
    per_day = width / max((last - first).days, 1)
    rows: list[list[tuple[float, float]]] = [[] for _ in range(LABEL_ROWS)]
    for label in sorted(labels, key=lambda lab: (lab["kind"] != "round", lab["at"])):
        x = (label["at"] - first).days * per_day
        w = len(label["short"]) * char_px + 6
        label["anchor"] = "left" if x + w <= width else "right"
        left, right = (x, x + w) if label["anchor"] == "left" else (x - w, x)
        label["row"] = None
        for i, row in enumerate(rows):
            if all(right + gap <= a or left >= b + gap for a, b in row):
                row.append((left, right))
                label["row"] = i
                break
    return labels


def mark_events(fig: go.Figure, result: ChartResult, size: Size) -> go.Figure:
    """Shade the rounds and draw the export's events that fall in the chart's months.

    Used by every monthly time series, so the page, the embed, the slide and the image
    all show them. Labels are staff text: escaped and cut short on the chart, whole in
    the hover. The y axis gets headroom so no label sits on the data; what could not be
    shown (a label too close to another, a kind too frequent for the span) is said
    under the chart.
    """
    first, last, inside = events_in_window(result)
    if not inside or not fig.data:
        return fig
    rounds = [e for e in inside if e["kind"] == "round"]
    others, left_out = _thin_events([e for e in inside if e["kind"] != "round"], size)
    labels = []
    for e in rounds + others:
        start = max(e["starts_on"], first)
        end = min(e["ends_on"] or e["starts_on"], last)
        if e["kind"] == "round":
            fig.add_shape(type="rect", xref="x", yref="paper", y0=0, y1=1, layer="below",
                          x0=start.isoformat(), x1=(end + dt.timedelta(days=1)).isoformat(),
                          fillcolor=ROUND_BAND, line={"width": 0},
                          name=f"round {e.get('round_id') or ''}".strip())  # fmt: skip
            short = round_short_name(e)
            hover = _("{label} (prioritization round): {dates}").format(
                label=e["label"], dates=date_span(e["starts_on"], e["ends_on"]))  # fmt: skip
        else:
            fig.add_shape(type="line", xref="x", yref="paper", y0=0, y1=1, layer="below",
                          x0=start.isoformat(), x1=start.isoformat(), name=f"event {e['kind']}",
                          line={"color": EVENT_LINE, "width": 1, "dash": "dot"})  # fmt: skip
            short = e["label"]
            hover = _("{kind}: {label}, {dates}").format(
                kind=_(EVENT_NAMES.get(e["kind"], N_("Event"))), label=e["label"],
                dates=date_span(e["starts_on"], e["ends_on"]))  # fmt: skip
        short = safe_text(short, LABEL_CHARS)
        labels.append({"kind": e["kind"], "at": start, "short": short, "hover": hover})
    for label in _place_labels(labels, first, last, size):
        if label["row"] is None:
            continue
        left, below = label["anchor"] == "left", 3 + label["row"] * ROW_PX[size]
        fig.add_annotation(
            x=label["at"].isoformat(), xref="x", y=1, yref="paper", yanchor="top",
            xanchor=label["anchor"], xshift=3 if left else -3, yshift=-below,
            text=label["short"], hovertext=safe_text(label["hover"]), showarrow=False,
            font={"size": MARK_FONT[size], "color": MARK_TEXT},
            name="round label" if label["kind"] == "round" else "event label",
        )  # fmt: skip
    used = max((lab["row"] + 1 for lab in labels if lab["row"] is not None), default=0)
    _make_headroom(fig, used * ROW_PX[size] + 6 if used else 0)
    unlabelled = [lab["kind"] for lab in labels if lab["row"] is None]
    notes = []
    if unlabelled:
        kinds = ", ".join(_counted(unlabelled.count(k), k) for k in dict.fromkeys(unlabelled))
        notes.append(_("Not labelled where marks are close: {kinds}.").format(kinds=kinds))
    if left_out:
        notes.append(_("Not marked over this span: {kinds}.").format(kinds=", ".join(left_out)))
    if notes:  # under the axis, wrapped to the chart's width
        chars = int(PLOT_PX[size] / (0.6 * MARK_FONT[size]))
        text = "<br>".join(wrap_label(n, chars, lines=None) for n in notes)
        fig.add_annotation(
            text=text, xref="paper", x=0, xanchor="left", yref="paper", y=0,
            yanchor="top", yshift=-40 if size == "slide" else -28, showarrow=False,
            align="left", font={"size": MARK_FONT[size], "color": MARK_TEXT}, name="events note",
        )  # fmt: skip
        lines = text.count("<br>") + 1
        fig.update_layout(margin={"b": max(fig.layout.margin.b or 0, 46 + 16 * lines)})
    return fig


def _make_headroom(fig: go.Figure, px: int) -> None:
    """Raise the y axis's top so `px` of labels at the top of the plot sit above the data."""
    values = [float(v) for t in fig.data for v in (t.y if t.y is not None else ())
              if v is not None and v == v]  # fmt: skip
    top = max(values, default=0.0)
    if not px or top <= 0:
        return
    margin = fig.layout.margin
    plot = (fig.layout.height or 480) - (margin.t or 0) - (margin.b or 0)
    share = min(px / max(plot, 1), 0.4)
    fig.update_yaxes(range=[0, top * 1.05 / (1 - share)])


def retention(result: ChartResult, size: Size) -> go.Figure:
    rows = [{**r, "cohort": str(r["cohort"])} for r in result.rows]
    return make_line_figure(rows, "years_since_join", "share_active", "cohort", result.title,
                            "Share of cohort active")  # fmt: skip


def countries(result: ChartResult, size: Size) -> go.Figure:
    """A map on screens; on a slide (rendered offline) the largest countries as bars."""
    if size != "slide":
        return make_country_map_figure(result.rows, result.title)
    served = sorted((r for r in result.rows if r.get("members")), key=lambda r: -r["members"])
    return make_bar_figure(served[:15], "country", "members", result.title)


def rounds(result: ChartResult, size: Size) -> go.Figure:
    rows = [{"round": r["round_id"], "series": series, "people": r[field]}
            for r in result.rows
            for series, field in (("members who voted", "voters"),
                                  ("members who commented", "commenters"))]  # fmt: skip
    return make_line_figure(rows, "round", "people", "series", result.title, "Members")


def pipeline(result: ChartResult, size: Size) -> go.Figure:
    """The five steps left to right: questions at each, how many went further, days between."""
    rows = result.rows
    if not rows:
        return empty_figure(_(result.message or N_("No questions yet.")))
    labels = [safe_text(_(r["label"])) for r in rows]  # the steps' names are ours
    fig = go.Figure(go.Bar(
        x=labels, y=[r["questions"] for r in rows], marker={"color": PALETTE[0]},
        text=[ngettext("{n} now", "{n} now", r["questions"]).format(n=count(r["questions"]))
              for r in rows], textposition="outside",
        hovertemplate=_("%{x}: %{y} questions are at this step now") + "<extra></extra>",
    ))  # fmt: skip
    for r, label in zip(rows, labels, strict=True):
        parts = []
        if r["moved_on"] is not None:
            parts.append(ngettext("{n} went further", "{n} went further", r["moved_on"])
                         .format(n=count(r["moved_on"])))  # fmt: skip
        if r["median_days_to_next"] is not None:
            days = r["median_days_to_next"]
            parts.append(ngettext("median {days} days to the next step",
                                  "median {days} days to the next step", round(days))
                         .format(days=whole(days)))  # fmt: skip
        if parts:
            fig.add_annotation(x=label, y=0, yref="y", yanchor="top", yshift=-28,
                               text="<br>".join(parts), showarrow=False,
                               font={"size": 12, "color": "#333333"})  # fmt: skip
    base_layout(fig, chart_title(result), 420)
    fig.update_yaxes(title=_("Questions at this step now"), rangemode="tozero")
    fig.update_layout(margin={"b": 90})
    return localize(fig)


SHIFT_GREY = "#A0A0A0"


def round_shifts(result: ChartResult, size: Size) -> go.Figure:
    """Bump chart: rank per round (1 at the top), one line per question asked more than once.

    Only the largest movers into the latest round get colour, a dash style and
    interval whiskers; the rest are grey, labelled at the right end if the
    latest round asked them. Questions new in the latest round are open dots.
    A withheld rank is a gap in its line.
    """
    served = [r for r in result.rows if r.get("rank") is not None]
    if result.message or not served:
        return empty_figure(result.message or "Every rank is withheld to protect privacy.")
    rounds = result.context.get("rounds") or list(dict.fromkeys(r["round_id"] for r in served))
    movers = list(result.context.get("movers", []))
    lines: dict[str, list[dict]] = {}
    for row in result.rows:
        lines.setdefault(row["question_id"], []).append(row)
    latest = sorted((r for r in served if r["round_id"] == rounds[-1]), key=lambda r: r["rank"])
    repeated = [q for q, rows in lines.items() if len(rows) > 1]
    order = list(dict.fromkeys(movers + [r["question_id"] for r in latest if r["question_id"]
                                         in repeated] + repeated))  # fmt: skip
    new = [r for r in latest if len(lines[r["question_id"]]) == 1]
    if size not in WHOLE:  # the movers and the latest round's best-ranked repeated questions
        order, new = order[:TOP], []
    # Traces and labels are collected and added once: plotly copies what is already
    # there on every add, which made a long bump chart take a second to build.
    traces: list[go.Scatter] = []
    notes: list[dict[str, Any]] = []
    if new:
        traces.append(go.Scatter(
            x=[r["round_id"] for r in new], y=[r["rank"] for r in new], mode="markers",
            name=f"new in {safe_text(rounds[-1])}",
            marker={"color": "#FFFFFF", "size": 8, "line": {"color": "#555555", "width": 1.5}},
            hovertext=[f"{safe_text(r['question_id'])}: new, rank {r['rank']}" for r in new],
            hoverinfo="text",
        ))  # fmt: skip
    # The grey lines are one trace, each question's line ended by a gap: plotly draws
    # one trace per line far more slowly (40 lines took 0.4 s in the browser).
    grey: dict[str, list[Any]] = {"x": [], "y": [], "hovertext": []}
    for qid in reversed(order):  # movers drawn last, on top
        rows = lines[qid]
        colour = movers.index(qid) if qid in movers else None
        ranks = [r.get("rank") for r in rows]
        hover = [f"{safe_text(qid)} in {safe_text(r['round_id'])}: "
                 + (f"rank {r['rank']} (could be {r['rank_low']}-{r['rank_high']})"
                    if r.get("rank") is not None else WITHHELD) for r in rows]  # fmt: skip
        if colour is None:
            grey["x"] += [r["round_id"] for r in rows] + [None]
            grey["y"] += [*ranks, None]
            grey["hovertext"] += [*hover, None]
        else:
            whiskers = {"type": "data", "symmetric": False, "thickness": 1.5,
                        "array": [None if v is None else r["rank_high"] - v
                                  for r, v in zip(rows, ranks, strict=True)],
                        "arrayminus": [None if v is None else v - r["rank_low"]
                                       for r, v in zip(rows, ranks, strict=True)]}  # fmt: skip
            traces.append(go.Scatter(
                x=[r["round_id"] for r in rows], y=ranks, mode="lines+markers",
                connectgaps=False, name=safe_text(qid), showlegend=True, error_y=whiskers,
                line={"color": PALETTE[colour], "width": 3,
                      "dash": DASHES[colour % len(DASHES)]},
                hovertext=hover, hoverinfo="text",
            ))  # fmt: skip
        last = rows[-1]
        if last["round_id"] == rounds[-1] and last.get("rank") is not None:
            notes.append({
                "x": last["round_id"], "y": last["rank"], "xanchor": "left", "xshift": 10,
                "align": "left", "showarrow": False,
                "text": wrap_label(f"{qid} · {'' if last['title'] is None else last['title']}",
                                   16 if size == "phone" else 34,
                                   2 if colour is not None and size != "phone" else 1),
                "font": {"size": 12, "color": "#111111" if colour is not None else "#555555"},
            })  # fmt: skip
    if grey["x"]:
        traces.insert(1 if new else 0, go.Scatter(
            **grey, mode="lines+markers", connectgaps=False, name="other questions",
            showlegend=False, line={"color": SHIFT_GREY, "width": 1.5, "dash": "solid"},
            hoverinfo="text"))  # fmt: skip
    fig = go.Figure(data=traces)
    add_annotations(fig, notes)
    drawn = [r for q in order for r in lines[q] if r.get("rank") is not None] + new
    deepest = max((r["rank_high"] or r["rank"] for r in drawn), default=1)
    base_layout(fig, result.title, max(420, 160 + 26 * deepest))
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=rounds,
                     title="Round", range=[-0.3, len(rounds) - 0.7])  # fmt: skip
    fig.update_yaxes(autorange="reversed", title="Rank (1 = top)", rangemode="tozero",
                     dtick=1 if deepest <= 20 else None)  # fmt: skip
    # the labels at the lines' ends live in the right margin (narrower on a phone)
    fig.update_layout(margin={"r": {"embed": 180, "phone": 130}.get(size, 300)})
    return fig


LEFT_OUT_COLOUR = PALETTE[5]
DOT_GREY = "#767676"  # white rank numbers stay readable on it


TOP_KINDS = {  # name, colour, symbol: shape tells them apart without colour
    "kept": ("in the combined top 10", DOT_GREY, "circle"),
    "left_out": ("left out of the combined top 10", LEFT_OUT_COLOUR, "diamond"),
    "unknown": (f"combined ranking {WITHHELD}", DOT_GREY, "circle"),
    "combined": ("combined (stakeholder-balanced) top 10", PALETTE[0], "square"),
}


def _top_kind(row: dict) -> str:
    if row["group"] == "combined":
        return "combined"
    flag = row["in_combined_top"]
    return "unknown" if flag is None else "kept" if flag else "left_out"


def group_top(result: ChartResult, size: Size) -> go.Figure:
    """A dot grid: questions down, groups across, each dot a group's rank of the question.

    The combined (balanced) column is blue; in a group's column a question the
    combined top ten leaves out is an orange diamond, one it keeps a grey dot.
    """
    if result.message or not result.rows:
        return empty_figure(result.message or "Every group's ranks are withheld to protect "
                            "privacy.")  # fmt: skip
    rows = result.rows
    combined = [r for r in rows if r["group"] == "combined"]
    others = sorted((r for r in rows if r["group"] != "combined"),
                    key=lambda r: (r["rank"], r["question_id"]))  # fmt: skip
    questions = list(dict.fromkeys([r["question_id"] for r in combined]
                                   + [r["question_id"] for r in others]))  # fmt: skip
    title = {r["question_id"]: r.get("title") for r in rows}
    label = {q: wrap_label(f"{q} · {'' if title[q] is None else title[q]}") for q in questions}
    columns = [*dict.fromkeys(r["group"] for r in rows if r["group"] != "combined"), "combined"]
    fig = go.Figure()
    for kind, (name, colour, symbol) in TOP_KINDS.items():
        part = [r for r in rows if _top_kind(r) == kind]
        if not part:
            continue
        fig.add_scatter(
            x=[safe_text(r["group"]) for r in part], y=[label[r["question_id"]] for r in part],
            mode="markers+text", name=name, text=[str(r["rank"]) for r in part],
            textfont={"color": "#FFFFFF", "size": 12},
            marker={"color": colour, "symbol": symbol, "size": 26},
            hovertext=[f"{safe_text(r['question_id'])}: rank {r['rank']} for "
                       f"{safe_text(r['group'])}" for r in part], hoverinfo="text",
        )  # fmt: skip
    base_layout(fig, result.title, max(360, 160 + 48 * len(questions)))
    fig.update_xaxes(type="category", categoryorder="array",
                     categoryarray=[safe_text(c) for c in columns])  # fmt: skip
    fig.update_yaxes(type="category", categoryorder="array", autorange="reversed",
                     categoryarray=[label[q] for q in questions], automargin=True)  # fmt: skip
    return fig


CONSENSUS_WORDS = {"in": "consensus in", "out": "consensus out", "none": "no consensus"}
CONSENSUS_DOTS = (  # (share, low, high, name, colour, symbol): shape tells them apart too
    ("share_important", "ci_low", "ci_high", "rated 4-5 (important)", PALETTE[0], "circle"),
    ("share_unimportant", "unimportant_low", "unimportant_high", "rated 1-2 (unimportant)",
     PALETTE[1], "diamond"),
)  # fmt: skip


def consensus_words(row: dict) -> str:
    """A row's status in words; WITHHELD when withheld, "not rated" when nobody rated it."""
    if "status" in row.get("suppressed", ()):
        return WITHHELD
    return CONSENSUS_WORDS.get(row["status"], "not rated")


def _quartiles_words(row: dict) -> str:
    """The median and IQR after the status (" · median 4.5 (IQR 4-5)"), or WITHHELD."""
    if "median" in row.get("suppressed", ()):
        return f" · median {WITHHELD}"
    if row.get("median") is None or row["median"] != row["median"]:
        return ""
    return f" · median {row['median']:g} (IQR {row['q1']:g}-{row['q3']:g})"


def consensus(result: ChartResult, size: Size) -> go.Figure:
    """Per question (and group): the two shares with Wilson whiskers, the status in words.

    The share rule's thresholds are quiet dotted lines; only the two dots carry colour.
    Under the median rule the words also give the median and interquartile range.
    """
    if result.message or not result.rows:
        return empty_figure(result.message or "No question was rated in this round.")
    rows = result.rows
    if size not in WHOLE:
        keep = list(dict.fromkeys(r["question_id"] for r in rows))[:TOP]
        rows = [r for r in rows if r["question_id"] in keep]
    label = [wrap_label(f"{r['question_id']} · {'' if r['title'] is None else r['title']}"
                        + ("" if r["group"] == "all" else f" · {r['group']}"))
             for r in rows]  # fmt: skip
    fig = go.Figure()
    for field, low, high, name, colour, symbol in CONSENSUS_DOTS:
        part = [(y, r) for y, r in zip(label, rows, strict=True) if r.get(field) is not None
                and r[field] == r[field]]  # fmt: skip
        fig.add_scatter(
            x=[r[field] for _, r in part], y=[y for y, _ in part], mode="markers", name=name,
            marker={"color": colour, "symbol": symbol, "size": 11},
            error_x={"type": "data", "symmetric": False, "color": colour, "thickness": 1.5,
                     "array": [r[high] - r[field] for _, r in part],
                     "arrayminus": [r[field] - r[low] for _, r in part]},
            hovertext=[f"{safe_text(r['question_id'])} ({safe_text(r['group'])}): {name} "
                       f"{r[field]:.0%} ({r[low]:.0%}-{r[high]:.0%}) of {r['raters']:,} raters"
                       for _, r in part], hoverinfo="text",
        )  # fmt: skip
    median = result.context.get("rule") == "median_iqr"
    fig.add_scatter(x=[1.04] * len(rows), y=label, mode="text", showlegend=False,
                    text=[consensus_words(r) + (_quartiles_words(r) if median else "")
                          for r in rows], textposition="middle right",
                    textfont={"color": "#333333"}, hoverinfo="skip")  # fmt: skip
    high, low = result.context.get("high", 70), result.context.get("low", 15)
    for value in () if median else (high, low):
        fig.add_vline(x=value / 100, line={"color": "#9A9A9A", "dash": "dot", "width": 1},
                      annotation_text=f"{value}%", annotation_position="top")  # fmt: skip
    base_layout(fig, result.title, max(360, 160 + 40 * len(rows)))
    fig.update_xaxes(range=[0, 1.9 if median else 1.3], tickformat=".0%",
                     tickvals=[0, 0.25, 0.5, 0.75, 1], title_text="Share of raters")  # fmt: skip
    fig.update_yaxes(type="category", categoryorder="array", autorange="reversed",
                     categoryarray=label, automargin=True)  # fmt: skip
    return fig


def _status_word(row: dict, field: str) -> str:
    if field in row.get("suppressed", ()):
        return WITHHELD
    return CONSENSUS_WORDS.get(row[field], "not rated")


def consensus_change(result: ChartResult, size: Size) -> go.Figure:
    """Per question (and group): the change in the share rating it 4-5, Newcombe whiskers.

    A zero line; the status before and after in words; a changed status in colour.
    """
    if result.message or not result.rows:
        return empty_figure(result.message or "No question was rated in both rounds.")
    rows = result.rows
    if size not in WHOLE:
        keep = list(dict.fromkeys(r["question_id"] for r in rows))[:TOP]
        rows = [r for r in rows if r["question_id"] in keep]
    label = [wrap_label(f"{r['question_id']} · {'' if r['title'] is None else r['title']}"
                        + ("" if r["group"] == "all" else f" · {r['group']}"))
             for r in rows]  # fmt: skip
    fig = go.Figure()
    for changed, name, colour in ((False, "status kept", DOT_GREY),
                                  (True, "status changed", PALETTE[5])):  # fmt: skip
        part = [(y, r) for y, r in zip(label, rows, strict=True)
                if r.get("change") is not None
                and bool(r.get("status_changed")) == changed]  # fmt: skip
        if not part:
            continue
        fig.add_scatter(
            x=[r["change"] for _, r in part], y=[y for y, _ in part], mode="markers", name=name,
            marker={"color": colour, "size": 11, "symbol": "diamond" if changed else "circle"},
            error_x={"type": "data", "symmetric": False, "color": colour, "thickness": 1.5,
                     "array": [r["change_high"] - r["change"] for _, r in part],
                     "arrayminus": [r["change"] - r["change_low"] for _, r in part]},
            hovertext=[f"{safe_text(r['question_id'])} ({safe_text(r['group'])}): "
                       f"{r['change']:+.0%} ({r['change_low']:+.0%} to {r['change_high']:+.0%})"
                       for _, r in part], hoverinfo="text",
        )  # fmt: skip
    fig.add_scatter(x=[1.05] * len(rows), y=label, mode="text", showlegend=False,
                    text=[f"{_status_word(r, 'status_before')} → {_status_word(r, 'status_after')}"
                          for r in rows], textposition="middle right",
                    textfont={"color": "#333333"}, hoverinfo="skip")  # fmt: skip
    fig.add_vline(x=0, line={"color": "#9A9A9A", "width": 1})
    base_layout(fig, result.title, max(360, 160 + 40 * len(rows)))
    fig.update_xaxes(range=[-1, 1.9], tickformat="+.0%", tickvals=[-1, -0.5, 0, 0.5, 1],
                     title_text="Change in the share rating it 4-5")  # fmt: skip
    fig.update_yaxes(type="category", categoryorder="array", autorange="reversed",
                     categoryarray=label, automargin=True)  # fmt: skip
    return fig
