"""The chart catalogue and the engine that answers it, with a per-build cache.

Every view and every API response goes through Engine.run: one place that
validates filters for the chart, runs it against the current snapshot, and
caches the protected result under the snapshot's build id (so a rebuild
never serves stale numbers).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_caching.backends import BaseCache

from dashboard.cache import cache_key, safe_get, safe_set, shared_cache
from dashboard.config import Settings
from dashboard.db import Warehouse, get_warehouse
from dashboard.filters import GROUP_DIMS, GROUP_VALUES, Filters
from dashboard.insights import headlines, participation, priorities, projects, topics
from dashboard.insights.result import ChartResult

Builder = Callable[[Warehouse, Filters, int], ChartResult]


@dataclass(frozen=True)
class Chart:
    """One chart id: what it shows, which filters it takes, whether it is public."""

    chart_id: str
    title: str
    build: Builder
    filters: tuple[str, ...]
    public: bool = False


G = GROUP_DIMS
CHARTS: dict[str, Chart] = {
    c.chart_id: c
    for c in (
        Chart("priorities", "Research priorities of a round", priorities.priorities,
              ("round", "topic", "method", *G), public=True),
        Chart("priorities-by-group", "Priorities compared between groups", priorities.by_group,
              ("round", "topic", "compare", *G)),
        Chart("priorities-balanced", "Stakeholder-balanced priorities and bridging scores",
              priorities.balanced, ("round", "topic", "compare", "method", *G)),
        Chart("topics", "Questions, votes and discussion by topic", topics.topics,
              ("round", "topic", *G), public=True),
        Chart("question-trail", "From question to study", topics.question_trail,
              ("topic", "question")),
        Chart("question-trend", "One question's support across rounds",
              priorities.question_trend, ("question", *G)),
        Chart("projects", "Research projects by status", projects.projects, ("project",),
              public=True),
        Chart("enrollment", "Enrollment funnel and progress to target", projects.enrollment,
              ("project",), public=True),
        Chart("accrual", "Enrollment accrual over time", projects.accrual,
              ("project", "from", "to")),
        Chart("members", "Members over time by role", participation.members,
              ("role", "from", "to"), public=True),
        Chart("active-members", "Monthly active members", participation.active_members,
              ("role", "from", "to"), public=True),
        Chart("retention", "Retention of join cohorts", participation.retention, ("role",)),
        Chart("countries", "Members by country", participation.countries, ("role",)),
        Chart("rounds", "Votes and comments per round", participation.round_activity, ()),
        Chart("headlines", "The network at a glance, with change", headlines.headlines, ()),
    )
}  # fmt: skip


class UnknownChart(LookupError):
    """No chart has this id."""


def catalogue() -> list[dict[str, Any]]:
    """What /api/v1/charts lists: ids, titles, filters and their allowed values."""
    return [
        {
            "id": c.chart_id,
            "title": c.title,
            "public": c.public,
            "filters": {
                name: list(GROUP_VALUES[name]) if GROUP_VALUES.get(name) else _hint(name)
                for name in c.filters
            },
        }
        for c in CHARTS.values()
    ]


def _hint(name: str) -> str:
    return {
        "round": "a round_id (default: the latest round with votes)",
        "topic": "a topic name",
        "project": "a project_id",
        "question": "a question_id",
        "from": "YYYY-MM-DD",
        "to": "YYYY-MM-DD",
        "compare": "one of " + ", ".join(GROUP_DIMS),
        "method": "share, points, mean, balanced or bridging",
        "country": "ISO 3166-1 alpha-2 code or 'unknown'",
    }.get(name, "")


class Engine:
    """Runs charts against one warehouse with one k, caching by build id."""

    def __init__(
        self, settings: Settings, cache_size: int = 512, shared: BaseCache | None = None
    ) -> None:
        self.settings = settings
        self.warehouse = get_warehouse(settings.warehouse, settings.query_timeout_s)
        self.shared = shared if shared is not None else shared_cache(settings)
        self._cache: OrderedDict[tuple, ChartResult] = OrderedDict()
        self._lock = threading.Lock()
        self._cache_size = cache_size

    @property
    def k(self) -> int:
        return self.settings.k

    def parse(self, chart_id: str, args: Mapping[str, Any]) -> tuple[Chart, Filters]:
        """The chart and validated filters for a request (or a clear error)."""
        chart = CHARTS.get(chart_id)
        if chart is None:
            raise UnknownChart(f"no chart {chart_id[:60]!r}; see /api/v1/charts")
        return chart, Filters.parse(args, allowed=chart.filters)

    def run(self, chart_id: str, args: Mapping[str, Any]) -> ChartResult:
        """Validate, run (or reuse) and return one chart's protected rows."""
        chart, filters = self.parse(chart_id, args)
        return self.run_filters(chart, filters)

    def run_filters(self, chart: Chart, filters: Filters) -> ChartResult:
        warehouse = self.warehouse.pinned()
        build_id = warehouse.snapshot().build_id
        key = (build_id, chart.chart_id, filters)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        skey = cache_key(f"{build_id}:k{self.k}", chart.chart_id, filters.to_query())
        result = safe_get(self.shared, skey) if self.shared is not None else None
        if not isinstance(result, ChartResult):
            result = chart.build(warehouse, filters, self.k)
            if self.shared is not None and result.build_id == build_id:
                safe_set(self.shared, skey, result)
        with self._lock:
            self._cache[(result.build_id, chart.chart_id, filters)] = result
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return result
