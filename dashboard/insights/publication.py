"""The publication: every priority table a chart can serve, protected once by the build.

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
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass

import duckdb
import pandas as pd

from dashboard.db import BuildReader, Warehouse
from dashboard.filters import MAX_GROUP_FILTERS
from dashboard.insights.tables import (
    FINEST,
    Dense,
    encode,
    forget_recent_tables,
    full_tables,
    round_cells,
    split_key,
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
    seconds: float

    def describe(self) -> str:
        return (f"{self.tables} protected tables ({self.bytes / 1e6:.1f} MB) "
                f"in {self.seconds:.1f}s")  # fmt: skip


def published_rows(wh: Warehouse, k: int) -> Iterator[tuple[str, str, int, bytes]]:
    """(round_id, split, k, body) of every protected table, round by round."""
    from dashboard.insights.priorities import list_rounds  # priorities reads tables too

    for rnd in list_rounds(wh):
        finest = Dense.of(round_cells(wh, rnd), FINEST)  # one query per round
        for split in table_splits():
            tables = full_tables(wh, rnd, split, k, finest)  # a reference may be done
            yield rnd.round_id, split_key(split), k, encode(tables)


def publish(con: duckdb.DuckDBPyConnection, snapshot: tuple[str, str, str], k: int,
            step_sql: str) -> PublicationReport:  # fmt: skip
    """Compute, protect and store every table (`step_sql` creates `publication`)."""
    started = time.monotonic()
    build_id, as_of, network = snapshot
    reader = BuildReader(con, build_id, as_of, network)
    forget_recent_tables()
    try:
        rows = list(published_rows(reader, k))
    finally:
        forget_recent_tables()
    frame = pd.DataFrame(rows, columns=["round_id", "dims", "k", "body"])
    con.register("publication_frame", frame)
    try:
        con.execute(step_sql)
    finally:
        con.unregister("publication_frame")
    report = PublicationReport(len(rows), int(sum(len(r[3]) for r in rows)),
                               time.monotonic() - started)  # fmt: skip
    log.info("publication: %s", report.describe())
    return report
