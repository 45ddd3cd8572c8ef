"""The engine: what every surface calls to get a chart's protected rows.

Every view and every API response goes through Engine.run: one place that
validates filters for the chart (as the catalogue declares them), runs it
against the current snapshot, and caches the protected result under the
snapshot's build id (so a rebuild never serves stale numbers). Surfaces ask
the engine, the engine asks insights, insights ask the warehouse.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from flask_caching.backends import BaseCache

from dashboard.cache import cache_key, safe_get, safe_set, shared_cache
from dashboard.catalogue import CATALOGUE, ChartSpec, UnknownChart, spec
from dashboard.config import Settings
from dashboard.db import get_warehouse
from dashboard.filters import Filters
from dashboard.insights.priorities import OpenRound, Round, list_rounds, open_rounds
from dashboard.insights.publication import lookup_result
from dashboard.insights.result import ChartResult
from dashboard.insights.tables import warm_tables

__all__ = ["CATALOGUE", "ChartSpec", "Engine", "UnknownChart"]


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

    def parse(self, chart_id: str, args: Mapping[str, Any]) -> tuple[ChartSpec, Filters]:
        """The chart and validated filters for a request (or a clear error)."""
        chart = spec(chart_id)
        return chart, Filters.parse(args, allowed=chart.filters)

    def pinned(self) -> Engine:
        """This engine fixed to today's snapshot: a long run (publish) reads one build."""
        other = copy.copy(self)
        other.warehouse = self.warehouse.pinned()
        return other

    def warm(self) -> int:
        """Decode the build's published tables now, not on the first requests (see
        insights.tables.warm_tables); how many."""
        return warm_tables(self.warehouse, self.k)

    def rounds(self) -> list[Round]:
        """The rounds with votes, oldest first (for round pickers and round-to-round slides)."""
        return list_rounds(self.warehouse)

    def open_rounds(self) -> list[OpenRound]:
        """Rounds still open at the build's as-of date: named with their dates, never counted."""
        return open_rounds(self.warehouse)

    def example_question(self) -> str | None:
        """A question that exists in the served warehouse (for a chart's example view)."""
        rows = self.run("question-trail", {}).rows
        return rows[0]["question_id"] if rows else None

    def run(self, chart_id: str, args: Mapping[str, Any]) -> ChartResult:
        """Validate, run (or reuse) and return one chart's protected rows."""
        chart, filters = self.parse(chart_id, args)
        return self.run_filters(chart, filters)

    def run_filters(self, chart: ChartSpec, filters: Filters) -> ChartResult:
        """The chart for these filters, computed once per build for each group of people."""
        filters = filters.canonical()
        warehouse = self.warehouse.pinned()
        build_id = warehouse.snapshot().build_id
        key = (build_id, chart.id, filters)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        skey = cache_key(f"{build_id}:k{self.k}", chart.id, filters.to_query())
        result = safe_get(self.shared, skey) if self.shared is not None else None
        if not isinstance(result, ChartResult):
            result = lookup_result(chart, warehouse, filters, self.k)
            if self.shared is not None and result.build_id == build_id:
                safe_set(self.shared, skey, result)
        with self._lock:
            self._cache[(result.build_id, chart.id, filters)] = result
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return result
