"""Releases that do not contradict each other: closed periods keep what was published.

Publishing the same network twice, the second time after a few members withdrew
consent, must not let anyone subtract the two releases and learn about those
members. The policy (README, "Releases"): what a release published about a
closed round or a complete month is carried into every later release
unchanged. The build copies the previous release's aggregates (never member
rows) for those periods over the ones it just computed; disclosure control is
deterministic and the build keeps the previous release's complement rule
(`complement_rule` in build_info), so every count about a frozen period is served
exactly as before. The previous release's published tables of the kept rounds are
copied too (`previous_publication`, for the build only), and every cell they withheld
is given as withheld when this release protects the same counts (tables.following):
this release withholds the union of those cells and its rule's choices, safe because
both are. Those cells are already safe and the counts are the same, so no rule adds one
to them: every release withholds in the kept rounds exactly what the release before
withheld, by whichever rule either chose complements. So a series can move to another
rule (`build --complement-rule`, recorded in build_info): rounds closed since are
protected by the new rule, the kept ones keep the cells served before, and the releases
after it follow the new rule and keep those cells again. A move needs the previous
release's tables of every kept round for this k, or the build stops (without them, as
for a release made by older code, the kept rounds are protected afresh by the previous
release's rule, which a build follows unless told otherwise). Withdrawn members' rows
still leave the warehouse, and nothing new is computed from them. A round still open
is not published at all (its counts appear once, in the first release after it
closes); the running month is not published;
running totals that still grow (discussion counts, members enrolled in a study, to
the end of the last complete month) are served again at the previous release's value
unless they moved by 0 or at least k (`held`).
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dashboard.insights.disclosure import COMPLEMENT_RULES, CURRENT_RULE

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Frozen:
    """An aggregate table, which of its rows a previous release fixed, and its row order."""

    table: str
    rows: str  # SQL condition over the table's columns; frozen_rounds / $month / $quarter
    order: str


# Every aggregate a served count about a past period is computed from. A new aggregate of
# a past period belongs here, or its counts may change between releases.
FROZEN: tuple[Frozen, ...] = (
    Frozen("vote_cube", "round_id IN (SELECT round_id FROM frozen_rounds)",
           "round_id, question_id"),
    Frozen("rank_position_cube", "round_id IN (SELECT round_id FROM frozen_rounds)",
           "round_id, question_id, position"),
    Frozen("voter_cube", "round_id IN (SELECT round_id FROM frozen_rounds)", "round_id"),
    Frozen("round_comment_cube", "round_id IN (SELECT round_id FROM frozen_rounds)",
           "round_id"),
    Frozen("member_cube", "joined_month < $month", "joined_month"),
    Frozen("active_cube", "month < $month", "month"),
    Frozen("accrual", "month < $month", "project_id, month"),
    Frozen("funnel", "month < $month", "project_id, step, month"),
    Frozen("retention_cube", "cohort + to_months(3 * quarters_since_join) < $quarter",
           "cohort"),
    Frozen("comment_cube", "month < $month", "question_id, month"),
    Frozen("topic_comment_cube", "month < $month", "topic, month"),
    Frozen("enrolled_cube", "month < $month", "month"),
)  # fmt: skip

# Results of the previous release that this one reads to hold running totals (counts to
# the end of the last complete month that still grow): the discussion counts, the
# headlines, members per country and role, and the study funnels' last served counts
# (dashboard/insights/topics.py, headlines.py, participation.py, projects.py; see `held`),
# the monthly series, whose withheld months stay withheld (participation.members), and
# retention's roles, whose withheld cells stay withheld while their counts do not change
# (retention_roles.py).
PREVIOUS_RESULTS = (
    "discussion",
    "headlines",
    "country-table",
    "funnel-served",
    "members",
    "accrual",
    "retention-roles",
)
# Of those, the ones whose withheld cells depend on the complement rule: a move to another
# rule needs them, as it needs the kept rounds' tables (retention_roles.py).
RULE_DEPENDENT_RESULTS = frozenset({"retention-roles"})


def held(new: int, served: int | None, k: int) -> int:
    """A running total as this release serves it: the new value, unless it moved by 1 to
    k-1 from the value the previous release served, which is then served again.

    The totals it is used for are counted from kept months, so they never go down; each
    served value is then the last one plus 0 or at least k, and so is the difference of
    any two of them, whichever releases they come from.
    """
    if served is not None and 0 < abs(new - served) < k:
        return served
    return new


@dataclass
class Comparison:
    """What a build compared against, and what it kept from there."""

    previous: str | None = None  # the previous release's file
    previous_build_id: str | None = None
    previous_as_of: dt.date | None = None
    frozen_rounds: list[str] = field(default_factory=list)
    frozen_before: dt.date | None = None  # complete months before this one are kept
    # How this release chooses complements: the previous release's rule, so the kept periods
    # withhold exactly the same cells (a first release uses the current rule), unless the
    # build asked for another one.
    complement_rule: str = field(default_factory=lambda: CURRENT_RULE)
    # The previous release's rule when this release moved to another one (None: it did not).
    moved_from: str | None = None
    warnings: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """One line for the build's output."""
        if self.previous_build_id is None:
            return ("no previous release: this is a first release, nothing was kept "
                    "(name the release it replaces with --previous FILE)")  # fmt: skip
        rounds = ", ".join(self.frozen_rounds) or "none"
        rule = (f"chosen {self.complement_rule}, as it chose them" if self.moved_from is None
                else f"chosen {self.complement_rule} (it chose them {self.moved_from}: every "
                "cell it withheld in the kept rounds stays withheld)")  # fmt: skip
        return (f"compared with release {self.previous_build_id} (as of {self.previous_as_of}, "
                f"{self.previous}): kept closed rounds {rounds} and every complete month "
                f"before {self.frozen_before:%Y-%m} as published; discussion counts and "
                "members enrolled in a study are served as it served them unless they moved "
                "by 0 or at least k; rounds still open are not published; complements "
                f"{rule}")  # fmt: skip


def carry_over(con: duckdb.DuckDBPyConnection, previous: Path | None, rule: str | None = None,
               k: int | None = None) -> Comparison:  # fmt: skip
    """Replace this build's aggregates of frozen periods by the previous release's.

    Runs inside the build's transaction, after the aggregates are built, with the
    previous release attached as `prev` (see `attached`). A table whose columns
    changed since the previous release cannot be kept: the build says so in a
    warning instead of silently publishing new values. `rule`: the complement rule
    asked for (None: the previous release's, or the current one for a first release);
    moving to another rule needs the previous release's tables of every kept round for
    `k` (the build's threshold), or the build stops.
    """
    if rule is not None and rule not in COMPLEMENT_RULES:
        raise ValueError(f"unknown complement rule {rule!r}: {', '.join(COMPLEMENT_RULES)}")
    found = Comparison()
    if previous is None:
        found.complement_rule = rule or CURRENT_RULE
        _copy_results(con, False)
        _copy_publication(con, False)
        _record(con, found)
        return found
    try:
        info = con.execute("SELECT build_id, as_of FROM prev.build_info").fetchone()
    except duckdb.Error as exc:
        info, why = None, str(exc).splitlines()[0]
    else:
        why = "it has no build_info"
    if info is None:
        raise UnreadablePrevious(
            f"the release this build follows, {previous}, is not a readable release ({why}); "
            "name the last good release with --previous FILE, or build a first release "
            "with --first-release"
        )
    found.previous, (found.previous_build_id, found.previous_as_of) = str(previous), info
    found.complement_rule = _previous_rule(con)
    if rule is not None and rule != found.complement_rule:
        found.moved_from, found.complement_rule = found.complement_rule, rule
    month = found.previous_as_of.replace(day=1)
    quarter = month.replace(month=(month.month - 1) // 3 * 3 + 1)
    found.frozen_before = month
    # A round is kept if it had closed when the previous release was made and is the
    # same round now (same method, cap and dates); otherwise it is computed afresh.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE frozen_rounds AS "
        "SELECT p.round_id FROM prev.rounds AS p JOIN rounds AS r USING (round_id) "
        "WHERE p.closes_on < $as_of AND p.method = r.method "
        "AND p.max_choices IS NOT DISTINCT FROM r.max_choices "
        "AND p.opens_on = r.opens_on AND p.closes_on = r.closes_on ORDER BY p.round_id",
        {"as_of": found.previous_as_of},
    )
    found.frozen_rounds = [r[0] for r in con.execute("FROM frozen_rounds").fetchall()]
    values = {"month": month, "quarter": quarter}
    for frozen in FROZEN:
        if not _same_columns(con, frozen.table):
            found.warnings.append(
                f"{frozen.table} changed shape since release {found.previous_build_id}: "
                "its past periods are computed afresh, not kept"
            )
            continue
        params = {k: v for k, v in values.items() if f"${k}" in frozen.rows}
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE kept AS SELECT * FROM ("
            f"SELECT * FROM {frozen.table} WHERE NOT coalesce({frozen.rows}, false) "
            f"UNION ALL SELECT * FROM prev.{frozen.table} WHERE coalesce({frozen.rows}, false)"
            f") ORDER BY {frozen.order}",
            params,
        )
        con.execute(f"CREATE OR REPLACE TABLE {frozen.table} AS FROM kept")
        con.execute("DROP TABLE kept")
    missing_tables = _copy_publication(con, True, k)
    if found.moved_from is not None and missing_tables:
        raise UnreadablePrevious(
            f"release {found.previous_build_id} published no tables for k={k} of kept rounds "
            f"{', '.join(missing_tables)}: the cells it withheld there cannot be kept withheld, "
            f"so this build cannot move from {found.moved_from} to {found.complement_rule}; "
            "build without --complement-rule, or build a first release with --first-release"
        )
    copied = _copy_results(con, True)
    there = {row[0] for row in con.execute("SELECT DISTINCT chart FROM previous_results")
             .fetchall()}  # fmt: skip
    if found.moved_from is not None and RULE_DEPENDENT_RESULTS - there:
        raise UnreadablePrevious(
            f"release {found.previous_build_id} did not publish "
            f"{', '.join(sorted(RULE_DEPENDENT_RESULTS - there))}: the cells it withheld "
            f"there cannot be kept withheld, so this build cannot move from "
            f"{found.moved_from} to {found.complement_rule}; build without "
            "--complement-rule, or build a first release with --first-release"
        )
    if not copied:
        found.warnings.append(
            f"release {found.previous_build_id} has no published results: discussion counts "
            "and members enrolled are served as computed, not held at its values"
        )
    else:
        missing = [name for name in PREVIOUS_RESULTS if name not in there]
        if missing:
            found.warnings.append(
                f"release {found.previous_build_id} (older code) did not publish "
                f"{', '.join(missing)}: those counts are compared with nothing this time"
            )
    _record(con, found)
    return found


def _previous_rule(con: duckdb.DuckDBPyConnection) -> str:
    """The complement rule the previous release was built with: releases made before rules
    had names used "smallest-first". A rule this code does not know cannot be followed."""
    if "complement_rule" not in dict(_columns(con, "prev", "build_info")):
        return "smallest-first"
    row = con.execute("SELECT complement_rule FROM prev.build_info").fetchone()
    rule = row[0] if row else None
    if rule not in COMPLEMENT_RULES:
        raise UnreadablePrevious(
            f"the release this build follows was protected by a complement rule this code "
            f"does not know ({rule!r}); build with the code that made it, or build a first "
            "release with --first-release"
        )
    return str(rule)


def _copy_results(con: duckdb.DuckDBPyConnection, from_previous: bool) -> bool:
    """Keep what the previous release published for the running totals (`held`) in this
    warehouse as `previous_results` (empty in a first release), for the publication step,
    which runs after the previous release is detached. Whether there was any to copy."""
    names = ", ".join(f"'{name}'" for name in PREVIOUS_RESULTS)
    source = "SELECT chart, k, body FROM prev.published_results"
    there = from_previous and con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_catalog = 'prev' AND table_name = 'published_results'"
    ).fetchone() == (1,)
    if not there:
        source = "SELECT '' AS chart, 0 AS k, '' AS body WHERE false"
    con.execute(
        "CREATE OR REPLACE TABLE previous_results AS SELECT CAST(chart AS VARCHAR) AS chart, "
        f"CAST(k AS INTEGER) AS k, CAST(body AS VARCHAR) AS body FROM ({source}) "
        f"WHERE chart IN ({names}) ORDER BY chart, k"
    )
    return bool(con.execute("SELECT count(*) FROM previous_results").fetchone()[0])  # type: ignore[index]


def _copy_publication(con: duckdb.DuckDBPyConnection, from_previous: bool,
                      k: int | None = None) -> list[str]:  # fmt: skip
    """Keep the previous release's published tables of the frozen rounds for this build as
    the temporary `previous_publication` (the publication step reads it after the previous
    release is detached: every cell they withheld stays withheld; never stored in the
    release). The frozen rounds that have no table for `k` there (none when k is None)."""
    there = from_previous and con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_catalog = 'prev' AND table_name = 'publication'"
    ).fetchone() == (1,)
    source = "SELECT '' AS round_id, '' AS dims, 0 AS k, ''::BLOB AS body WHERE false"
    if there:
        source = ("SELECT round_id, dims, k, body FROM prev.publication "
                  "WHERE round_id IN (SELECT round_id FROM frozen_rounds)")  # fmt: skip
    con.execute(
        "CREATE OR REPLACE TEMP TABLE previous_publication AS SELECT CAST(round_id AS VARCHAR) "
        "AS round_id, CAST(dims AS VARCHAR) AS dims, CAST(k AS INTEGER) AS k, "
        f"CAST(body AS BLOB) AS body FROM ({source}) ORDER BY round_id, dims, k"
    )
    if not from_previous or k is None:
        return []
    rows = con.execute(
        "SELECT round_id FROM frozen_rounds WHERE round_id NOT IN "
        "(SELECT round_id FROM previous_publication WHERE k = $k) ORDER BY round_id",
        {"k": k},
    ).fetchall()
    return [str(r[0]) for r in rows]


def _record(con: duckdb.DuckDBPyConnection, found: Comparison) -> None:
    """Keep what the release was compared against in the warehouse itself."""
    con.execute(
        "CREATE OR REPLACE TABLE release_info AS SELECT CAST($previous_build_id AS VARCHAR) "
        "AS previous_build_id, CAST($previous_as_of AS DATE) AS previous_as_of, "
        "CAST($frozen_before AS DATE) AS frozen_before, CAST($rounds AS VARCHAR[]) "
        "AS frozen_rounds",
        {"previous_build_id": found.previous_build_id, "previous_as_of": found.previous_as_of,
         "frozen_before": found.frozen_before, "rounds": found.frozen_rounds},
    )  # fmt: skip


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> list[tuple[str, str]]:
    """A table's (column, type) pairs in order; empty when the table is not there."""
    sql = ("SELECT column_name, data_type FROM information_schema.columns "
           "WHERE table_catalog = $db AND table_name = $table "
           "ORDER BY ordinal_position")  # fmt: skip
    return con.execute(sql, {"db": catalog, "table": table}).fetchall()


def _same_columns(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    there = _columns(con, "prev", table)
    return bool(there) and _columns(con, _current_catalog(con), table) == there


def _current_catalog(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute("SELECT current_database()").fetchone()
    return str(row[0]) if row else ""


class UnreadablePrevious(RuntimeError):
    """The previous release exists but cannot be read: the build will not silently reset."""


class attached:
    """ATTACH the previous release read-only as `prev` (a copy if this process has it open).

    Outside any transaction: DuckDB attaches and detaches databases between them.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path | None) -> None:
        self.con, self.path, self.copy = con, path, None

    def __enter__(self) -> Path | None:
        if self.path is None:
            return None
        try:
            self.con.execute("ATTACH $path AS prev (READ_ONLY)", {"path": str(self.path)})
        except duckdb.Error:
            # The same process may have the file open with other settings (a server that
            # rebuilds in-process): read a copy instead.
            folder = Path(tempfile.mkdtemp(prefix=".previous-", dir=self.path.parent))
            self.copy = folder / self.path.name
            shutil.copyfile(self.path, self.copy)
            try:
                self.con.execute("ATTACH $path AS prev (READ_ONLY)", {"path": str(self.copy)})
            except duckdb.Error as exc:
                shutil.rmtree(folder, ignore_errors=True)
                self.path = None
                raise UnreadablePrevious(
                    f"the release this build follows, {self.copy.name}, cannot be read ({exc}); "
                    "name the last good release with --previous FILE, or build a first "
                    "release with --first-release"
                ) from None
        return self.path

    def __exit__(self, *exc: object) -> None:
        if self.path is None:
            return
        self.con.execute("DETACH prev")
        if self.copy is not None:
            shutil.rmtree(self.copy.parent, ignore_errors=True)
