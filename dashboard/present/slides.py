"""What a slide shows: Engine results (already disclosure-controlled) made into one message.

A chart's plain slide is its catalogue figure with its summary as the headline
(`chart_slide`). The renderers here are the slides that say more than that:
each asks the Engine for charts, exactly as a page does, and returns a title,
a one-sentence headline, a figure and a footnote saying which uncertainty
applies. The catalogue names them; nothing here keeps a list of charts. No SQL
here: every number has passed disclosure control, and values derived here (a
change between rounds, a quarter's newcomers) use only served values, so they
reveal nothing the charts do not.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go

from dashboard.figures import chart_figures, summaries
from dashboard.figures.chart_figures import STATUS_LABELS
from dashboard.figures.tables import table_figure
from dashboard.figures.theme import PALETTE, base_layout, empty_figure, safe_text
from dashboard.filters import FilterError
from dashboard.insights.result import WITHHELD, WITHHELD_NOTE, ChartResult, show_count
from dashboard.insights.stats import newcombe_difference

if TYPE_CHECKING:
    from dashboard.catalogue import ChartSpec
    from dashboard.engine import Engine
    from dashboard.present.viewurl import View

CENSUS = "Counts of everyone, not a sample: no sampling interval applies."


@dataclass
class SlideContent:
    """One rendered slide, before it is laid out for a screen or a file."""

    title: str
    headline: str
    figure: go.Figure
    footnote: str = ""
    as_of: str = ""
    build_id: str = ""
    charts: list[str] = field(default_factory=list)
    error: str | None = None
    subtitle: str = ""  # who and which round, when the chart's own title does not say it


def _stamp(content: SlideContent, *results: ChartResult) -> SlideContent:
    if results:
        content.as_of, content.build_id = results[0].as_of, results[0].build_id
        content.charts = [r.chart for r in results]
    return content


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%"


# Overview ------------------------------------------------------------------


def chart_slide(engine: Engine, view: View, chart: ChartSpec) -> SlideContent:
    """A chart's plain slide: its figure at slide size, its summary as the headline."""
    result = engine.run(chart.id, chart.page_args(view.args))
    content = SlideContent(result.title, chart.summary(result), chart.figure(result, "slide"),
                           chart.footnote)  # fmt: skip
    return _stamp(content, result)


def overview(engine: Engine, view: View) -> SlideContent:
    heads = engine.run("headlines", {})
    return _stamp(SlideContent("The network at a glance", summaries.headlines(heads),
                               chart_figures.headlines(heads, "slide"), CENSUS), heads)  # fmt: skip


# Priorities ----------------------------------------------------------------


def ranking(engine: Engine, view: View) -> SlideContent:
    args = {k: v for k, v in view.args.items() if k not in ("compare", "vs", "question")}
    result = engine.run("priorities", args)
    top = [r for r in result.rows if r.get("rank")][:10]
    if result.message:
        headline = result.message
    else:
        tied = [r["question_id"] for r in top if r.get("tier") == 1]
        headline = (
            f"Top: {top[0]['question_id']} · {top[0]['title']}. "
            + (f"Statistically tied with it: {', '.join(tied[1:])}." if len(tied) > 1
               else "No other question is tied with it.")
            if top else summaries.ALL_WITHHELD
        )  # fmt: skip
    foot = ("Whiskers are 95% intervals (Wilson for shares, t for means and points); "
            "questions in the same tier are statistically tied.")  # fmt: skip
    if any(not r.get("rank") for r in result.rows):
        foot += f" {WITHHELD_NOTE}"
    fig = chart_figures.priorities(result, "slide")
    return _stamp(SlideContent(result.title, headline, fig, foot), result)


def change_rows(engine: Engine, args: dict[str, str]) -> tuple[dict[str, Any], list[dict]]:
    """Support for each question in a round and the round before, with the change.

    The change is a difference of two served shares with Newcombe's hybrid
    Wilson interval. It treats the rounds as independent samples; many members
    vote in both, which makes the interval wider than it needs to be, not narrower.
    """
    rounds = engine.rounds()
    ids = [r.round_id for r in rounds]
    latest_id = args.get("round") or (ids[-1] if ids else None)
    if latest_id not in ids:
        raise FilterError(f"no round {latest_id!r} with votes")
    i = ids.index(latest_id)
    if i == 0:
        return {"latest": rounds[i], "previous": None}, []
    latest, previous = rounds[i], rounds[i - 1]
    base = {k: v for k, v in args.items()
            if k not in ("round", "method", "compare", "vs", "question")}  # fmt: skip
    now = engine.run("priorities", {**base, "round": latest.round_id})
    before = engine.run("priorities", {**base, "round": previous.round_id})
    meta = {"latest": latest, "previous": previous, "results": (now, before),
            "message": now.message or before.message}  # fmt: skip
    then = {r["question_id"]: r for r in before.rows}
    rows = []
    for row in now.rows:
        old = then.get(row["question_id"])
        a = latest.vote.support(row)
        b = previous.vote.support(old) if old else None
        item = {"question_id": row["question_id"], "title": row["title"],
                "rank": row.get("rank"), "rank_before": old.get("rank") if old else None,
                "share": None, "share_before": None, "difference": None,
                "difference_low": None, "difference_high": None}  # fmt: skip
        if a:
            item["share"] = a[0] / a[1]
        if b:
            item["share_before"] = b[0] / b[1]
        if a and b:
            d, low, high = newcombe_difference(a[0], a[1], b[0], b[1])
            if not math.isnan(d):
                item.update(difference=d, difference_low=low, difference_high=high)
        rows.append(item)
    rows.sort(key=lambda r: (r["difference"] is None, -(r["difference"] or 0)))
    return meta, rows


def change(engine: Engine, view: View) -> SlideContent:
    meta, rows = change_rows(engine, view.args)
    latest, previous = meta["latest"], meta.get("previous")
    title = f"What changed since the previous round: {latest.name}"
    if previous is None:
        msg = "There is no earlier round with votes to compare with."
        return SlideContent(title, msg, empty_figure(msg))
    if meta["message"]:
        return _stamp(SlideContent(title, meta["message"], empty_figure(meta["message"])),
                      *meta["results"])  # fmt: skip
    shown = [r for r in rows if r["difference"] is not None][:10]
    fig = go.Figure()
    labels = [f"{safe_text(r['question_id'])} · {safe_text(r['title'], 50)}" for r in shown]
    fig.add_scatter(
        x=[r["share_before"] for r in shown],
        y=labels,
        mode="markers",
        name=previous.name,
        marker={"symbol": "circle-open", "size": 16, "color": "#555555", "line": {"width": 3}},
    )
    fig.add_scatter(
        x=[r["share"] for r in shown], y=labels, mode="markers+text", name=latest.name,
        marker={"symbol": "circle", "size": 16, "color": PALETTE[0]},
        text=[f"{r['difference'] * 100:+.0f} pts (95% CI {r['difference_low'] * 100:+.0f} to "
              f"{r['difference_high'] * 100:+.0f})" for r in shown],
        textposition="middle right", cliponaxis=False,
    )  # fmt: skip
    for r, label in zip(shown, labels, strict=True):
        fig.add_shape(type="line", x0=r["share_before"], x1=r["share"], y0=label, y1=label,
                      line={"color": "#999999", "width": 2}, layer="below")  # fmt: skip
    base_layout(fig, title, max(360, 80 + 60 * len(shown)))
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(
        title="Share of voters who supported it",
        range=[0, 1.6],
        tickformat=".0%",
        tickvals=[0, 0.25, 0.5, 0.75, 1],
    )
    rose = [r for r in shown if r["difference_low"] > 0]
    fell = [r for r in shown if r["difference_high"] < 0]
    parts = []
    if rose:
        parts.append("Rose: " + ", ".join(f"{r['question_id']} ({r['difference'] * 100:+.0f} pts)"
                                          for r in rose))  # fmt: skip
    if fell:
        parts.append("Fell: " + ", ".join(f"{r['question_id']} ({r['difference'] * 100:+.0f} pts)"
                                          for r in fell))  # fmt: skip
    headline = ("; ".join(parts) + "." if parts else
                "No change in support is clear beyond the 95% intervals.")  # fmt: skip
    foot = (f"Support = share of voters who {latest.vote.support_meaning} ({latest.name}) vs "
            f"who {previous.vote.support_meaning} ({previous.name})"
            + ("; the rounds asked differently, so compare with care" if latest.method !=
               previous.method else "")
            + ". Change with Newcombe 95% interval; 'rose'/'fell' only when it excludes 0. "
            "Withheld values stay withheld.")  # fmt: skip
    return _stamp(SlideContent(title, headline, fig, foot), *meta["results"])


# Projects ------------------------------------------------------------------


def _date(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return value.date().isoformat() if hasattr(value, "date") else str(value)[:10]


def board(engine: Engine, view: View) -> SlideContent:
    result = engine.run("projects", view.args)
    counts = {s: sum(1 for r in result.rows if r["status"] == s) for s in STATUS_LABELS}
    fig = chart_figures.projects(result, "slide")
    headline = f"{len(result.rows)} projects; {counts['open_for_participation']} open now."
    foot = "Projects are not people: these counts are exact."
    return _stamp(SlideContent(result.title, headline, fig, foot), result)


def open_projects(engine: Engine, view: View) -> SlideContent:
    result = engine.run("projects", view.args)
    rows = [r for r in result.rows if r["status"] == "open_for_participation"]
    fig = table_figure(
        ["Project", "Kind", "Target", "Closes"],
        [[r["title"] for r in rows], [str(r["kind"]).replace("_", " ") for r in rows],
         [r["target_enrollment"] for r in rows], [_date(r["closes_on"]) for r in rows]],
        "No project is open for participation right now.",
    )  # fmt: skip
    headline = (f"{len(rows)} project{'s' if len(rows) != 1 else ''} open for participation."
                if rows else "No project is open for participation right now.")  # fmt: skip
    return _stamp(SlideContent("Projects open for participation", headline, fig), result)


def _progress(row: dict[str, Any]) -> str:
    """ "120 of 200 (60%)", or "withheld (target 200)": never a count for a withheld one."""
    target = f"{row['target_enrollment']:,}"
    if row["members"] is None:
        return f"{WITHHELD} (target {target})"
    share = row["share_of_target"]
    pct = "" if share is None else f" ({_pct(share)})"
    return f"{show_count(row['members'])} of {target}{pct}"


def enrollment(engine: Engine, view: View) -> SlideContent:
    result = engine.run("enrollment", view.args)
    rows = [r for r in result.rows if r["stage"] == "enrolled" and r.get("target_enrollment")]
    if not rows:
        msg = "No project has an enrollment target yet."
        return _stamp(SlideContent(result.title, msg, empty_figure(msg)), result)
    fig = go.Figure(go.Bar(
        x=[min(r["share_of_target"] or 0, 1.5) for r in rows],
        y=[safe_text(r["project_id"]) for r in rows], orientation="h",
        marker={"color": [PALETTE[0] if r["share_of_target"] is not None else "#BBBBBB"
                          for r in rows]},
        text=[_progress(r) for r in rows],
        textposition="outside",
    ))  # fmt: skip
    fig.add_vline(x=1, line={"dash": "dash", "color": "#111111"})
    base_layout(fig, "Enrollment progress to target", max(320, 80 + 60 * len(rows)))
    fig.update_xaxes(title="Share of target enrolled", tickformat=".0%", range=[0, 1.6])
    fig.update_yaxes(autorange="reversed", automargin=True)
    served = [r for r in rows if r["share_of_target"] is not None]
    met = sum(1 for r in served if r["share_of_target"] >= 1)
    headline = f"{len(served)} of {len(rows)} studies can be shown; {met} reached the target."
    foot = f"{CENSUS} {WITHHELD_NOTE}"
    return _stamp(SlideContent("Enrollment progress", headline, fig, foot), result)


def results(engine: Engine, view: View) -> SlideContent:
    result = engine.run("projects", view.args)
    rows = [r for r in result.rows if r["status"] in ("results_available", "completed")]
    rows.sort(key=lambda r: r["status"] != "results_available")
    fig = table_figure(
        ["Project", "Status", "From the question", "Results"],
        [[r["title"] for r in rows], [STATUS_LABELS[r["status"]] for r in rows],
         [r.get("origin_question_title") or "—" for r in rows],
         [r.get("results_url") or "not yet" for r in rows]],
        "No study has delivered results yet.",
    )  # fmt: skip
    shared = sum(1 for r in rows if r["status"] == "results_available")
    headline = (f"{shared} stud{'ies have' if shared != 1 else 'y has'} shared results; "
                f"{len(rows) - shared} more completed.")  # fmt: skip
    return _stamp(SlideContent("Results delivered", headline, fig), result)


# Participation -------------------------------------------------------------


def growth(engine: Engine, view: View) -> SlideContent:
    result = engine.run("members", view.args)
    fig = chart_figures.members(result, "slide")
    role = view.args.get("role", "all")
    series = [(r["month"], r["members"]) for r in result.rows if r["role"] == role]
    end = dt.date.fromisoformat(result.as_of[:10])

    def total_at(day: dt.date) -> int | None:
        """The running total on a day: the last month at or before it (None if withheld)."""
        before = [v for m, v in series if m <= day]
        return before[-1] if before else 0

    now, year_ago = total_at(end), total_at(_minus_year(end))
    who = "members" if role == "all" else f"members ({role.replace('_', ' ')})"
    if now is None:
        headline = f"The latest running total is {WITHHELD} to protect privacy."
    elif year_ago is None:
        headline = f"{now:,} {who} as of {result.as_of}."
    else:
        headline = f"{now:,} {who} as of {result.as_of}: {now - year_ago:+,} in the last 12 months."
    return _stamp(SlideContent("How the network has grown", headline, fig,
                               CENSUS + " Gaps are totals withheld to protect people."),
                  result)  # fmt: skip


def _minus_year(month: dt.date) -> dt.date:
    return month.replace(year=month.year - 1)


def _quarter(d: dt.date) -> tuple[int, int]:
    return d.year, (d.month - 1) // 3 + 1


def quarter_rows(result: ChartResult, role: str, as_of: str) -> list[dict[str, Any]]:
    """New members per quarter as differences of served running totals.

    The last quarter may be running ("so far"). A quarter whose bounding totals
    are withheld is withheld too, so nothing the growth chart hides comes back.
    """
    series = sorted((r["month"], r["members"]) for r in result.rows if r["role"] == role)
    if not series:
        return []
    end = dt.date.fromisoformat(as_of[:10])
    first, last = _quarter(series[0][0]), _quarter(end)
    quarters = []
    y, q = first
    while (y, q) <= last:
        quarters.append((y, q))
        y, q = (y + 1, 1) if q == 4 else (y, q + 1)

    def total_through(year: int, quarter: int) -> int | None:
        before = [v for m, v in series if _quarter(m) <= (year, quarter)]
        if not before:
            return 0
        return before[-1]

    out = []
    for i, (y, q) in enumerate(quarters):
        now = total_through(y, q)
        prev = total_through(*quarters[i - 1]) if i else 0
        new = None if now is None or prev is None else now - prev
        out.append({"quarter": f"{y} Q{q}", "new_members": new, "complete": (y, q) < last})
    return out


def new_members(engine: Engine, view: View) -> SlideContent:
    result = engine.run("members", view.args)
    role = view.args.get("role", "all")
    rows = quarter_rows(result, role, result.as_of)[-5:]
    if not rows:
        msg = "No members to show yet."
        return _stamp(SlideContent("New members this quarter", msg, empty_figure(msg)), result)
    fig = go.Figure(go.Bar(
        x=[r["quarter"] + ("" if r["complete"] else " (so far)") for r in rows],
        y=[r["new_members"] or 0 for r in rows],
        text=[show_count(r["new_members"]) for r in rows], textposition="outside",
        marker={"color": [PALETTE[0] if r["complete"] else PALETTE[4] for r in rows],
                "pattern": {"shape": ["" if r["complete"] else "/" for r in rows]}},
    ))  # fmt: skip
    base_layout(fig, "New members per quarter")
    fig.update_yaxes(title="New members", rangemode="tozero")
    done = [r for r in rows if r["complete"]]
    if len(done) >= 2 and None not in (done[-1]["new_members"], done[-2]["new_members"]):
        a, b = done[-1]["new_members"], done[-2]["new_members"]
        rel = f", {(a - b) / b * 100:+.0f}%" if b else ""
        headline = (f"{a:,} new members in {done[-1]['quarter']} against {b:,} in "
                    f"{done[-2]['quarter']} ({a - b:+,}{rel}).")  # fmt: skip
    elif len(done) >= 2:
        headline = (f"New members in {done[-2]['quarter']} and {done[-1]['quarter']} cannot be "
                    f"compared: {WITHHELD} to protect privacy.")  # fmt: skip
    else:
        headline = "There are not yet two complete quarters to compare."
    running = [r for r in rows if not r["complete"]]
    if running:
        headline += f" {running[-1]['quarter']} so far: {show_count(running[-1]['new_members'])}."
    foot = (f"{CENSUS} Quarters are differences of the running totals the growth chart "
            f"serves; where one is withheld the quarter reads {WITHHELD}.")  # fmt: skip
    return _stamp(SlideContent("New members this quarter", headline, fig, foot), result)


def activity(engine: Engine, view: View) -> SlideContent:
    result = engine.run("active-members", view.args)
    fig = chart_figures.active_members(result, "slide")
    role = view.args.get("role", "all")
    series = [r for r in result.rows if r["role"] == role]
    if len(series) >= 2 and None not in (series[-1]["active"], series[-2]["active"]):
        a, b = series[-1]["active"], series[-2]["active"]
        month = f"{series[-1]['month']:%B %Y}"
        headline = f"{a:,} active members in {month}, against {b:,} the month before."
    elif series:
        month = f"{series[-1]['month']:%B %Y}"
        headline = f"Active members in {month}: {show_count(series[-1]['active'])}."
    else:
        headline = "No activity to show yet."
    return _stamp(SlideContent("How active members are", headline, fig, CENSUS), result)


SlideRenderer = Callable[["Engine", "View"], SlideContent]
