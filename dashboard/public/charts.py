"""The public charts: which charts and filters the world may see, and what they render to.

This module is the whole public surface. A chart the catalogue does not mark
public, or a filter outside its `public` list, cannot be reached from an embed
or the static publish, whatever is asked. Results still come from the Engine,
so the same disclosure control applies, and figures and summaries are the
catalogue's, the same as on the page and the slide.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go
import plotly.io as pio

from dashboard.catalogue import CATALOGUE, PUBLIC_GROUPS, public_charts
from dashboard.filters import GROUP_VALUES, FilterError, Filters
from dashboard.insights.result import ChartResult, to_csv

if TYPE_CHECKING:
    from dashboard.engine import Engine

# Coarse filters only (a round, and one broad group), as the catalogue declares them.
PUBLIC_FILTERS: dict[str, tuple[str, ...]] = {c.id: c.public or () for c in public_charts()}


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
            "columns": r.columns,
            "rows": r.to_json()["rows"],
            "figure": json.loads(pio.to_json(self.figure, validate=False)),
        }

    def json_bytes(self) -> bytes:
        """The payload, serialized once (it is cached by build id)."""
        return json.dumps(self.payload(), separators=(",", ":"), allow_nan=False).encode()

    def csv(self) -> str:
        """Exactly the numbers shown; every withheld value reads "withheld"."""
        return to_csv(self.result)


def embed_path(chart_id: str) -> str:
    """Where a public chart's embed page lives."""
    return f"/embed/{chart_id}/"


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
    chart = CATALOGUE[chart_id]
    result = engine.run_filters(chart, filters)
    return PublicView(result, chart.figure(result, "embed"), chart.summary(result))


def combinations(engine: Engine, chart_id: str) -> Iterator[Filters]:
    """Every public filter set of a chart (for the static publish)."""
    names = PUBLIC_FILTERS[chart_id]
    choices: list[list[tuple[str, str] | None]] = []
    if "round" in names:
        rounds = engine.rounds()
        choices.append([None, *(("round", r.round_id) for r in rounds)])
    if "project" in names:
        projects = engine.run("projects", {}).rows
        choices.append([None, *(("project", p["project_id"]) for p in projects)])
    groups = [g for g in PUBLIC_GROUPS if g in names]
    if groups:
        choices.append([None, *((g, v) for g in groups for v in GROUP_VALUES[g])])
    for combo in itertools.product(*choices):
        yield parse(chart_id, dict(c for c in combo if c))
