"""The public charts: which charts and filters the world may see, and what they render to.

This module is the whole public surface. A chart or filter not listed here
cannot be reached from an embed or the static publish, whatever is asked.
Results still come from the Engine, so the same disclosure control applies.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from dashboard.api import to_csv
from dashboard.figures.charts import make_bar_figure, make_line_figure, make_priorities_figure
from dashboard.figures.summaries import priorities_summary
from dashboard.filters import GROUP_VALUES, FilterError, Filters
from dashboard.insights.charts import CHARTS, Engine
from dashboard.insights.priorities import list_rounds
from dashboard.insights.result import ChartResult

# Coarse filters only: a round, and one broad group (role, or relapsing vs progressive).
PUBLIC_FILTERS: dict[str, tuple[str, ...]] = {
    "priorities": ("round", "role", "ms_course"),
    "topics": ("round", "role", "ms_course"),
    "projects": (),
    "enrollment": ("project",),
    "members": ("role",),
    "active-members": ("role",),
}
PUBLIC_GROUPS = ("role", "ms_course")


class NotPublic(LookupError):
    """The chart is not public (or does not exist)."""


@dataclass(frozen=True)
class PublicView:
    """What one embed shows: the protected result, its figure and a one-line summary."""

    result: ChartResult
    figure: go.Figure
    summary: str

    def payload(self) -> dict[str, Any]:
        """The JSON an embed page renders (and the static publish writes)."""
        r = self.result
        return {
            "chart": r.chart,
            "title": r.title,
            "summary": self.summary,
            "as_of": r.as_of,
            "build_id": r.build_id,
            "k": r.k,
            "filters": r.filters.describe(),
            "figure": json.loads(pio.to_json(self.figure, validate=False)),
        }

    def json_bytes(self) -> bytes:
        """The payload, serialized once (it is cached by build id)."""
        return json.dumps(self.payload(), separators=(",", ":"), allow_nan=False).encode()

    def csv(self) -> str:
        """Exactly the numbers shown, with withheld counts as "<k"."""
        return to_csv(self.result)


def parse(chart_id: str, args: Mapping[str, Any]) -> Filters:
    """Validate a public request: a public chart and only its coarse filters."""
    if chart_id not in PUBLIC_FILTERS:
        raise NotPublic(f"no public chart {chart_id[:60]!r}")
    filters = Filters.parse(args, allowed=PUBLIC_FILTERS[chart_id])
    if len(filters.group_dims()) > 1:
        raise FilterError("public charts take at most one group filter (role or ms_course)")
    return filters


def data_key(filters: Filters) -> str:
    """The file-name form of a filter set, shared by the server and the static publish."""
    query = filters.to_query()
    return "&".join(f"{k}={query[k]}" for k in sorted(query)) or "all"


def parse_key(chart_id: str, key: str) -> Filters:
    """The inverse of data_key; anything malformed is a FilterError."""
    if key == "all":
        return parse(chart_id, {})
    args: dict[str, str] = {}
    for part in key.split("&"):
        name, eq, value = part.partition("=")
        if not eq or name in args:
            raise FilterError("malformed data key")
        args[name] = value
    filters = parse(chart_id, args)
    if data_key(filters) != key:
        raise FilterError("data key is not in canonical form")
    return filters


def view(engine: Engine, chart_id: str, filters: Filters) -> PublicView:
    """Run one public chart and build what the embed shows."""
    if chart_id not in PUBLIC_FILTERS:
        raise NotPublic(chart_id)
    result = engine.run_filters(CHARTS[chart_id], filters)
    figure, summary = RENDERERS[chart_id](result)
    return PublicView(result, figure, summary)


def combinations(engine: Engine, chart_id: str) -> Iterator[Filters]:
    """Every public filter set of a chart (for the static publish)."""
    names = PUBLIC_FILTERS[chart_id]
    choices: list[list[tuple[str, str] | None]] = []
    if "round" in names:
        rounds = list_rounds(engine.warehouse)
        choices.append([None, *(("round", r.round_id) for r in rounds)])
    if "project" in names:
        projects = engine.run("projects", {}).rows
        choices.append([None, *(("project", p["project_id"]) for p in projects)])
    groups = [g for g in PUBLIC_GROUPS if g in names]
    if groups:
        choices.append([None, *((g, v) for g in groups for v in GROUP_VALUES[g])])
    for combo in itertools.product(*choices):
        yield parse(chart_id, dict(c for c in combo if c))


# --- one renderer per public chart: (figure, one-sentence summary) -------------------


def _priorities(result: ChartResult) -> tuple[go.Figure, str]:
    top = [r for r in result.rows if r.get("rank")][:10] or result.rows[:10]
    fig = make_priorities_figure(top, result.method, result.title, result.k)
    return fig, priorities_summary(result)


def _topics(result: ChartResult) -> tuple[go.Figure, str]:
    fig = make_bar_figure(result.rows, "topic", "votes", result.title, result.k)
    served = [r for r in result.rows if r.get("votes")]
    top = max(served, key=lambda r: r["votes"], default=None)
    summary = (
        f"Votes in {len(served)} topics; most votes: {top['topic']} ({top['votes']:,})."
        if top
        else f"No topic has enough votes to show (fewer than {result.k})."
    )
    return fig, summary


def _projects(result: ChartResult) -> tuple[go.Figure, str]:
    counts: dict[str, int] = {}
    for row in result.rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    rows = [{"status": s.replace("_", " "), "projects": n} for s, n in counts.items()]
    fig = make_bar_figure(rows, "status", "projects", result.title, result.k)
    parts = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in counts.items())
    return fig, f"{len(result.rows)} projects: {parts}."


def _enrollment(result: ChartResult) -> tuple[go.Figure, str]:
    if result.filters.project:
        fig = make_bar_figure(result.rows, "stage", "members", result.title, result.k)
        enrolled = next((r for r in result.rows if r["stage"] == "enrolled"), None)
        shown = enrolled and enrolled.get("members")
        summary = (
            f"{result.filters.project}: {shown:,} members enrolled"
            + (f" of a target of {enrolled['target_enrollment']:,}." if enrolled.get(
                "target_enrollment") else ".")
            if shown
            else f"{result.filters.project}: fewer than {result.k} enrolled, or not yet open."
        )  # fmt: skip
        return fig, summary
    rows = [r for r in result.rows if r["stage"] == "enrolled"]
    fig = make_bar_figure(rows, "project_id", "members", result.title, result.k)
    served = [r for r in rows if r.get("members")]
    total = sum(r["members"] for r in served)
    return (
        fig,
        f"{len(served)} projects have enrolled members that can be shown ({total:,} in all).",
    )


def _monthly(field: str, axis: str, phrase: str):
    """A renderer for a monthly series by role: line figure + its latest served value."""

    def render(result: ChartResult) -> tuple[go.Figure, str]:
        fig = make_line_figure(result.rows, "month", field, "role", result.title, axis)
        series = [r for r in result.rows if r.get(field)]
        last = series[-1] if series else None
        summary = (f"{last[field]:,} members ({last['role'].replace('_', ' ')}) {phrase} "
                   f"{last['month']}." if last else result.title)  # fmt: skip
        return fig, summary

    return render


_members = _monthly("members", "Members (cumulative)", "as of")
_active = _monthly("active", "Active members", "active in")


RENDERERS = {
    "priorities": _priorities,
    "topics": _topics,
    "projects": _projects,
    "enrollment": _enrollment,
    "members": _members,
    "active-members": _active,
}
