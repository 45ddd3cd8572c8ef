"""The publication: everything a chart can serve, protected once by the build.

Charts of a round (the ranking, comparisons, balanced rankings, consensus,
topics, a question's trend, round shifts, each group's top ten) all read one
kind of table: every question's counts over a set of voter dimensions. The
allowed sets are few (every set of up to MAX_GROUP_FILTERS of the five table
axes: who, age band, years since diagnosis, sex, country; role, MS type, MS
course and voter group share the who axis), so the build computes each one
for every round, protects it with disclosure control and stores the result in
the warehouse table `publication`. A request looks a table up (tables.py):
what a page, an embed, a slide, the API or `publish` can serve is fixed when
the release is built, and a rebuilt release is compared with the previous one
from the same cubes (release.py). Its size depends on the categories, never on
the number of members.

Charts that do not read priority tables (members, activity, retention,
countries, rounds, projects, funnels, accrual, headlines, the five steps)
declare `published` in the catalogue: the build runs them for every value of
the filters that change what they protect and stores the finished results
(`published_results`, JSON); other filters (a window, a project, a role's
lines) select rows of a stored result.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, fields
from typing import Any

import duckdb
import pandas as pd

from dashboard.catalogue import CHARTS, ChartSpec
from dashboard.db import BuildReader, Warehouse
from dashboard.filters import GROUP_VALUES, MAX_GROUP_FILTERS, Filters
from dashboard.insights import participation, projects, retention_roles, topics
from dashboard.insights.disclosure import complement_rule
from dashboard.insights.result import ChartResult
from dashboard.insights.tables import (
    FINEST,
    Dense,
    Tables,
    compress,
    decode,
    following,
    forget_recent_tables,
    full_tables,
    round_cells,
    split_key,
    uncompressed,
)

log = logging.getLogger(__name__)
TABLE_AXES = FINEST


def table_splits() -> list[tuple[str, ...]]:
    """Every set of table axes a chart may split by, in the axes' canonical order."""
    return [
        combo
        for size in range(MAX_GROUP_FILTERS + 1)
        for combo in itertools.combinations(TABLE_AXES, size)
    ]


@dataclass(frozen=True)
class PublicationReport:
    """What the build published: for the build's log and the benchmarks."""

    tables: int
    bytes: int
    results: int
    seconds: float

    def describe(self) -> str:
        return (f"{self.tables} protected tables ({self.bytes / 1e6:.1f} MB) and "
                f"{self.results} chart results in {self.seconds:.1f}s")  # fmt: skip


def published_rows(wh: Warehouse, k: int) -> Iterator[tuple[str, str, int, bytes]]:
    """(round_id, split, k, body) of every protected table, round by round."""
    from dashboard.insights.priorities import list_rounds  # priorities reads tables too

    # zlib releases the GIL: each table is compressed on the other core while the next
    # one is protected (its bytes are taken first: a later table may add to it).
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending: list[tuple[str, str, int, Future[bytes]]] = []
        for rnd in list_rounds(wh):
            finest = Dense.of(round_cells(wh, rnd), FINEST)  # one query per round
            # Each split summed from a finer one, through every split of all axes but one.
            finest.prepare_splits([*itertools.combinations(TABLE_AXES, len(TABLE_AXES) - 1),
                                   *table_splits()])  # fmt: skip
            for split in table_splits():
                tables = full_tables(wh, rnd, split, k, finest)  # a reference may be done
                body = pool.submit(compress, uncompressed(tables))
                pending.append((rnd.round_id, split_key(split), k, body))
            while pending:
                round_id, split, k_, body = pending.pop(0)
                yield round_id, split, k_, body.result()


def publish(con: duckdb.DuckDBPyConnection, snapshot: tuple[str, str, str], k: int,
            steps: tuple[str, str]) -> PublicationReport:  # fmt: skip
    """Compute, protect and store everything (`steps` create the two tables from frames)."""
    started = time.monotonic()
    build_id, as_of, network = snapshot
    reader = BuildReader(con, build_id, as_of, network)
    forget_recent_tables()
    try:
        with following(previous_tables(con, reader, k)):  # a chart result may read tables
            tables = pd.DataFrame(list(published_rows(reader, k)),
                                  columns=["round_id", "dims", "k", "body"])  # fmt: skip
            results = pd.DataFrame(list(published_results(reader, k)),
                                   columns=["chart", "key", "k", "body"])  # fmt: skip
    finally:
        forget_recent_tables()
    for name, frame, step in (("publication_frame", tables, steps[0]),
                              ("published_results_frame", results, steps[1])):  # fmt: skip
        con.register(name, frame)
        try:
            con.execute(step)
        finally:
            con.unregister(name)
    report = PublicationReport(len(tables), int(tables["body"].map(len).sum()), len(results),
                               time.monotonic() - started)  # fmt: skip
    log.info("publication: %s", report.describe())
    return report


def previous_tables(con: duckdb.DuckDBPyConnection, wh: Warehouse,
                    k: int) -> Callable[[str, tuple[str, ...]], Tables | None]:  # fmt: skip
    """The previous release's published table of a kept round and split, for k: what the
    build copied into `previous_publication` (dashboard/warehouse/release.py) before the
    previous release was detached. Every cell it withheld stays withheld in this release
    (tables.following); none (a first release, or no such table): None."""
    there = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'previous_publication'"
    ).fetchone() == (1,)
    rows = con.execute(
        "SELECT round_id, dims, body FROM previous_publication WHERE k = $k", {"k": k}
    ).fetchall() if there else []  # fmt: skip
    bodies = {(str(r), str(d)): bytes(b) for r, d, b in rows}

    def lookup(round_id: str, split: tuple[str, ...]) -> Tables | None:
        body = bodies.get((round_id, split_key(split)))
        return None if body is None else decode(body, wh.snapshot(), lambda _: pd.DataFrame())

    return lookup


# --- finished results ---------------------------------------------------------------------


def result_filters(chart: ChartSpec) -> list[Filters]:
    """Every filter set the build publishes a chart's result for (each key value, or none)."""
    assert chart.published is not None
    combos: list[dict[str, str]] = [{}]
    for name in chart.published.keys:
        combos = [{**c, **({name: v} if v else {})} for c in combos
                  for v in (None, *GROUP_VALUES[name])]  # fmt: skip
    return [Filters(**c) for c in combos]


def result_key(chart: ChartSpec, filters: Filters) -> str:
    """How the publication names the result these filters read ("none": no key filter)."""
    assert chart.published is not None
    named = [f"{n}={getattr(filters, n)}" for n in chart.published.keys
             if getattr(filters, n) is not None]  # fmt: skip
    return "&".join(named) or "none"


def published_results(wh: Warehouse, k: int) -> Iterator[tuple[str, str, int, str]]:
    """(chart, key, k, body) of every published chart result, and the discussion counts
    (every view of topics and questions reads them)."""
    yield topics.PUBLISHED_AS, "none", k, topics.encode_discussion(topics.compute_discussion(wh, k))
    yield (participation.COUNTRY_TABLE, "none", k,
           participation.encode_country_table(participation.country_table(wh, k)))  # fmt: skip
    yield projects.FUNNEL_SERVED, "none", k, projects.encode_funnel_served(wh, k)
    yield retention_roles.RETENTION_ROLES, "none", k, retention_roles.encode(wh, k)
    for chart in CHARTS:
        if chart.published is None:
            continue
        for filters in result_filters(chart):
            result = chart.data(wh, filters, k)
            yield chart.id, result_key(chart, filters), k, encode_result(result)


def _tagged(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, frozenset | set):
        return sorted(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"cannot publish a {type(value).__name__}")


def _untagged(obj: dict[str, Any]) -> Any:
    if obj.keys() == {"$date"}:
        return dt.date.fromisoformat(obj["$date"])
    if obj.keys() == {"$datetime"}:
        return dt.datetime.fromisoformat(obj["$datetime"])
    return obj


def _copied(value: Any) -> Any:
    """A request's own copy of a decoded result's part: of JSON's types only dicts and
    lists can change (a third of `copy.deepcopy`'s time: the members charts' context is
    a few thousand of them)."""
    kind = type(value)
    if kind is dict:
        return {key: _copied(item) for key, item in value.items()}
    if kind is list:
        return [_copied(item) for item in value]
    return value


SKIPPED = {"filters"}  # the request's own filters go back in when a result is read


def encode_result(result: ChartResult) -> str:
    """A finished result as JSON, dates tagged so they come back as dates."""
    body = {f.name: getattr(result, f.name) for f in fields(result) if f.name not in SKIPPED}
    return json.dumps(body, default=_tagged)


def decode_result(body: str, filters: Filters) -> ChartResult:
    """A published result, as the request's filters ask for it."""
    data = json.loads(body, object_hook=_untagged)
    data["count_fields"] = frozenset(data["count_fields"])
    return ChartResult(filters=filters, **data)


def lookup_result(chart: ChartSpec, wh: Warehouse, filters: Filters, k: int) -> ChartResult:
    """The chart's published result for these filters, its rows picked by the chart's view.

    Charts the build does not publish as results read its protected tables instead;
    a k the build did not publish for is computed on the spot (tests, experiments), with
    complements chosen by the warehouse's own rule, as its build would have.
    """
    rule = wh.snapshot().complement_rule
    if not rule:  # the build's own reader: the build has set its rule
        return _lookup(chart, wh, filters, k)
    with complement_rule(rule):
        return _lookup(chart, wh, filters, k)


def _lookup(chart: ChartSpec, wh: Warehouse, filters: Filters, k: int) -> ChartResult:
    if chart.published is None:
        return chart.data(wh, filters, k)
    key = result_key(chart, filters)

    def read() -> ChartResult | None:
        found, _ = wh.run_named("published_result", {"chart": chart.id, "key": key, "k": k})
        return None if found.empty else decode_result(str(found["body"].iloc[0]), Filters())

    stored = wh.remember(("published result", chart.id, key, k), read)  # once per build
    if stored is None:
        return chart.data(wh, filters, k)
    result = copy.copy(stored)
    result.filters, result.context = filters, _copied(stored.context)
    rows = [dict(r) for r in stored.rows]  # a request's rows are its own
    result.rows = chart.published.view(wh, rows, filters) if chart.published.view else rows
    return result
