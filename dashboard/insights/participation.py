"""Participation: growth, activity, retention and geography, after disclosure control."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from dashboard.db import Warehouse
from dashboard.filters import Filters
from dashboard.insights import retention_roles
from dashboard.insights.disclosure import protect, protect_nested, protect_with_increments
from dashboard.insights.earlier_releases import previous_body, previous_withheld
from dashboard.insights.release_audit import CountryRelease, leaks
from dashboard.insights.release_audit import key as leak_key
from dashboard.insights.result import ChartResult, new_result, withhold
from dashboard.insights.vote_methods import vote_method
from dashboard.warehouse.contract import ROLES

ALL = "all"
log = logging.getLogger(__name__)


def role_rows(wh: Warehouse, rows: list[dict[str, Any]], filters: Filters) -> list[dict[str, Any]]:
    """One role's lines (or every line and "all") in the window: views of the whole result.

    Members and active members are protected over every role and month at once,
    so choosing a role or a window only selects rows: the build publishes one result.
    """
    return [r for r in rows if (filters.role is None or r["role"] == filters.role)
            and filters.in_window(r["month"])]  # fmt: skip


def timeline_events(wh: Warehouse) -> list[dict[str, Any]]:
    """Every round (open to close) and every event of events.csv, for the time series to mark.

    In the result's context, so a published result carries them and every surface's
    figure draws them; the figure keeps those within its own window of months. Staff
    text about the network, not about people: nothing here goes through disclosure control.
    """

    def day(value: Any) -> dt.date | None:
        return None if value is None or pd.isna(value) else pd.Timestamp(value).date()

    df = wh.run_static("timeline_events", {})
    return [{"kind": str(r.kind), "label": str(r.label),
             "round_id": None if r.round_id is None or pd.isna(r.round_id) else str(r.round_id),
             "starts_on": day(r.starts_on), "ends_on": day(r.ends_on)}
            for r in df.itertuples()]  # fmt: skip


def _month_role_table(df: pd.DataFrame, value: str) -> tuple[list[dt.date], np.ndarray]:
    months = sorted(df["month"].unique())
    table = np.zeros((len(months), len(ROLES)), dtype=np.int64)
    pos = {m: i for i, m in enumerate(months)}
    for row in df.itertuples():
        table[pos[row.month], ROLES.index(row.role)] += int(getattr(row, value))
    return [pd.Timestamp(m).date() for m in months], table


def new_members(wh: Warehouse) -> tuple[list[dt.date], np.ndarray, Any]:
    """New members per month and role (what is withheld follows from the running totals:
    `members`; a mask over the whole month x role table would change past months' cells
    whenever a month is added, so none is computed)."""
    df, snap = wh.run_named("member_months", {})
    months, table = _month_role_table(df, "members")
    return months, table, snap


def members(wh: Warehouse, filters: Filters, k: int) -> ChartResult:
    """Members over time by role: new members per month and the running total.

    A running total is served only where the new members since the last
    served total are 0 or at least k, so no month's newcomers can be found
    by subtracting two totals; the all-roles total only where every role's is.
    """
    months, table, snap = new_members(wh)
    result = new_result("members", "Members over time, by role", "monthly new and cumulative",
                     filters, snap, k, ["month", "role", "new_members", "members"],
                     {"new_members", "members"})  # fmt: skip
    result.context["events"] = timeline_events(wh)
    cumulative = np.cumsum(table, axis=0)
    cum_hidden = np.zeros(table.shape, dtype=bool)
    # Month by month, each decision from the months before it only: a later release, with
    # more months, decides every month it shares with this one the same way (release.py).
    # (Keeping year ends served by withholding the months before them, for retention's
    # cohort sizes, changed months already published once the year's end arrived.)
    # What the release before withheld stays withheld (it may have been made by other
    # rules): a subset of a valid series is valid, and this one then serves nothing about
    # those months that the other did not.
    before = previous_withheld(wh, "members", k, ("role",), "members")
    for j, role in enumerate(ROLES):
        force = [(str(m), role) in before for m in months]
        cum_hidden[:, j] = protect_nested(cumulative[:, j].tolist(), k, force)
    total = cumulative.sum(axis=1)
    # The total of all roles is served only where every role's total is: then it is
    # their sum and reveals nothing. (Served beside withheld roles, its monthly change
    # minus the served roles' changes exposed a handful of caregivers and others.)
    total_hidden = [bool(cum_hidden[i].any()) for i in range(len(months))]
    new_total = table.sum(axis=1)
    rows = []
    for i, month in enumerate(months):
        if not filters.in_window(month):
            continue
        for j, role in enumerate(ROLES):
            if filters.role and role != filters.role:
                continue
            row = {"month": month, "role": role, "new_members": int(table[i, j]),
                   "members": int(cumulative[i, j])}  # fmt: skip
            # New members are the difference of two running totals: served only when
            # both totals are, so they reveal nothing the totals do not (see README).
            new_hidden = cum_hidden[i, j] or (i > 0 and cum_hidden[i - 1, j])
            withheld = [n for n, h in (("new_members", new_hidden),
                                       ("members", cum_hidden[i, j])) if h]  # fmt: skip
            if withheld:
                withhold(row, withheld)
            rows.append(row)
        if not filters.role:
            row = {"month": month, "role": ALL, "new_members": int(new_total[i]),
                   "members": int(total[i])}  # fmt: skip
            withheld = []
            if total_hidden[i] or (i > 0 and total_hidden[i - 1]):
                withheld.append("new_members")
            if total_hidden[i]:
                withheld.append("members")
            if withheld:
                withhold(row, withheld)
            rows.append(row)
    result.rows = rows
    return result


def active_members(wh: Warehouse, filters: Filters, k: int) -> ChartResult:
    """Monthly active members (any participation in the month), by role and in all."""
    df, snap = wh.run_named("active_months", {})
    result = new_result("active-members", "Monthly active members, by role",
                     "members with any activity in the month", filters, snap, k,
                     ["month", "role", "active"], {"active"})  # fmt: skip
    result.context["events"] = timeline_events(wh)
    months, table = _month_role_table(df.rename(columns={"active": "value"}), "value")
    rows = []
    for i, month in enumerate(months):
        if not filters.in_window(month):
            continue
        hidden = protect(table[i], k)  # the month's total is served too
        for j, role in enumerate(ROLES):
            if filters.role and role != filters.role:
                continue
            row = {"month": month, "role": role, "active": int(table[i, j])}
            if hidden[j]:
                withhold(row, ["active"])
            rows.append(row)
        if not filters.role:
            row = {"month": month, "role": ALL, "active": int(table[i].sum())}
            if 0 < table[i].sum() < k:
                withhold(row, ["active"])
            rows.append(row)
    result.rows = rows
    return result


def retention(wh: Warehouse, filters: Filters, k: int) -> ChartResult:
    """Share of each yearly join cohort active in each year since joining (all roles)."""
    df, snap = retention_roles.cohorts(wh)
    result = new_result("retention", "Retention of join cohorts", "active in year N after joining",
                     filters, snap, k,
                     ["cohort", "years_since_join", "cohort_size", "active", "share_active"],
                     {"cohort_size", "active"})  # fmt: skip
    role_hidden = retention_roles.role_masks(wh, k)
    if filters.role:
        df = df[df["role"] == filters.role]
    # A cohort's size is the members chart's running total at the end of its year
    # minus the one at the end of the year before: served only when both are, so
    # it reveals nothing that subtracting served totals would not.
    role = filters.role or ALL
    totals = [(r["month"], r["members"]) for r in _all_members(wh, k).rows
              if r["role"] == role]  # fmt: skip
    sizes: dict[int, tuple[int, bool]] = {}
    for year in sorted(df["cohort_year"].unique()):
        end = [v for m, v in totals if m.year <= year]
        before = [v for m, v in totals if m.year < year]
        start_total = before[-1] if before else 0
        if not end or end[-1] is None or start_total is None:
            sizes[int(year)] = (0, False)
        else:
            sizes[int(year)] = (int(end[-1]) - int(start_total), True)
    # "Active in year N" is measured in the first quarter of that year: an
    # exact distinct count, where adding up quarters would count people twice.
    first_q = df[df["quarters_since_join"] % 4 == 0]
    grouped = first_q.groupby(["cohort_year", "years"], as_index=False)["active"].sum()
    rows = []
    for r in grouped.itertuples():
        size, size_ok = sizes.get(int(r.cohort_year), (0, False))
        active = int(r.active)
        hidden = protect(np.array([active, max(size - active, 0)]), k)
        if filters.role:  # protected with the other roles, whose total "all" shows
            key = (int(r.cohort_year), int(r.years))
            hidden[0] |= role_hidden.get(key, {}).get(filters.role, True)
        row = {"cohort": int(r.cohort_year), "years_since_join": int(r.years),
               "cohort_size": size, "active": active,
               "share_active": active / size if size else None}  # fmt: skip
        withheld = []
        if not size_ok or 0 < size < k:
            withheld = ["cohort_size", "active", "share_active"]
        elif hidden[0]:
            withheld = ["active", "share_active"]
        if withheld:
            withhold(row, withheld)
        rows.append(row)
    result.method = "members of the yearly cohort active in the first quarter of year N"
    result.rows = rows
    return result


# What this release served per "country|role" and "country|all" (or, where it withheld
# a count, what an earlier release last served), in the build's published results
# (publication.py), for the next release to compare with (release.py, PREVIOUS_RESULTS).
COUNTRY_TABLE = "country-table"


@dataclass(frozen=True)
class CountryTable:
    """Members per country (rows, sorted) and role (ROLES), and what is withheld: by role
    (`hidden`) and in the all-roles view (`total_hidden`, per country)."""

    names: list[str]
    table: np.ndarray
    hidden: np.ndarray
    total_hidden: np.ndarray
    last_served: dict[str, int]
    # Every kept release's counts and what it served, this one last (release_audit.py).
    history: list[CountryRelease] = field(default_factory=list)


def country_table(wh: Warehouse, k: int) -> CountryTable:
    """Members per country and role to the end of the last complete month, protected.

    They grow from release to release, and earlier releases' values stay known: a count
    is withheld where it is 1..k-1 above what an earlier release last served for it (its
    increment is protected like a count, complements included, so the withheld ones
    together hide at least k of new members), as well as where it is small. A role's
    total over countries is the members chart's last running total: where that chart
    withholds it, one more cell of the column is withheld (a never-served row, so the
    column cannot add up to it). A country withheld in the all-roles view is withheld in
    every role, or its roles would add up to it.
    """

    def compute() -> CountryTable:
        df, _ = wh.run_named("country_members", {})
        names = sorted(df["country"].unique())
        table = np.zeros((len(names), len(ROLES)), dtype=np.int64)
        for r in df.itertuples():
            table[names.index(r.country), ROLES.index(r.role)] += int(r.members)
        before, history = _previous_country_table(wh, k)
        base = np.array([[before.get(f"{n}|{role}", 0) for role in ROLES] for n in names],
                        dtype=np.int64).reshape(table.shape)  # fmt: skip
        # A release made before totals were kept served each country as its roles' sum.
        base_total = np.array([before.get(f"{n}|all", sum(before.get(f"{n}|{r}", 0)
                                                          for r in ROLES)) for n in names],
                              dtype=np.int64)  # fmt: skip
        margins = _members_margins_withheld(wh, k)
        totals = table.sum(axis=1)

        def decide(forced: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            # The all-roles view: one line of countries (and the never-served margin cell).
            total_hidden = _protect_with_increments(
                totals[:, None], np.maximum(totals - base_total, 0)[:, None], k,
                np.array([[margins[ALL]]]), forced=forced[:, None],
            )[:, 0]  # fmt: skip
            hidden = _protect_with_increments(
                table, np.maximum(table - base, 0), k,
                np.array([[margins[role] for role in ROLES]]),
                forced=np.repeat((total_hidden | forced)[:, None], len(ROLES), axis=1),
            )  # fmt: skip
            return total_hidden, hidden

        margins_served = np.array([not margins[role] for role in (*ROLES, ALL)])
        total_hidden, hidden = _audited(history, tuple(names), table, margins_served, k, decide)
        last = dict(before)
        for i, name in enumerate(names):
            if not total_hidden[i]:
                last[f"{name}|all"] = int(totals[i])
            for j, role in enumerate(ROLES):
                if not hidden[i, j]:
                    last[f"{name}|{role}"] = int(table[i, j])
        served = CountryRelease(tuple(names), table, ~hidden, ~total_hidden, margins_served)
        return CountryTable(names, table, hidden, total_hidden, dict(sorted(last.items())),
                            [*history, served])  # fmt: skip

    return wh.remember(("country table", k), compute)


def _protect_with_increments(counts: np.ndarray, increments: np.ndarray, k: int,
                             margin_withheld: np.ndarray,
                             forced: np.ndarray | None = None) -> np.ndarray:  # fmt: skip
    """Withheld cells of a countries x roles table (`protect_with_increments`). A last,
    never-served row of zeros stands for each column's margin: withheld where the members
    chart withholds it."""
    extra = np.zeros((1, counts.shape[1]), dtype=np.int64)
    fixed = np.zeros((counts.shape[0] + 1, counts.shape[1]), dtype=np.int8)
    fixed[-1] = np.where(margin_withheld, 1, -1)
    start = np.zeros(fixed.shape, dtype=bool)
    if forced is not None:
        start[:-1] = forced
    mask = protect_with_increments(np.vstack([counts, extra]), np.vstack([increments, extra]),
                                   k, fixed=fixed, forced=start)  # fmt: skip
    return mask[:-1]


def _all_members(wh: Warehouse, k: int) -> ChartResult:
    """The members chart over every role and month, worked out once per build and k for the
    charts that stand beside its totals (retention's cohorts, the countries' margins)."""
    return wh.remember(("members, all roles", k), lambda: members(wh, Filters(), k))


def _members_margins_withheld(wh: Warehouse, k: int) -> dict[str, bool]:
    """Per role (and "all"): whether the members chart withholds its last running total."""
    rows = _all_members(wh, k).rows
    if not rows:
        return dict.fromkeys([*ROLES, ALL], False)
    last = max(r["month"] for r in rows)
    return {r["role"]: r["members"] is None for r in rows if r["month"] == last}


def encode_country_table(found: CountryTable) -> str:
    """What this release served per count, and every kept release's counts and decisions,
    as the publication stores them (JSON)."""
    return json.dumps({"last": found.last_served,
                       "releases": [r.encode() for r in found.history]})  # fmt: skip


def _previous_country_table(wh: Warehouse, k: int) -> tuple[dict[str, int], list[CountryRelease]]:
    """What earlier releases last served per "country|role" and "country|all", and the
    kept releases (none in a first release; none kept by a release made before the
    audit over releases, whose body is the served values alone)."""
    body, _ = previous_body(wh, COUNTRY_TABLE, k)
    if body is None:
        return {}, []
    if "last" not in body:
        return {key: int(v) for key, v in body.items()}, []
    kept = [CountryRelease.decode(r, len(ROLES)) for r in body.get("releases", [])]
    return {key: int(v) for key, v in body["last"].items()}, kept


# How many times the build withholds more after the audit finds a count given away, before
# it withholds every non-zero count of the release instead.
AUDIT_ATTEMPTS = 4


def _audited(history: list[CountryRelease], names: tuple[str, ...], table: np.ndarray,
             margins_served: np.ndarray, k: int,
             decide: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
             ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """`decide`'s (total_hidden, hidden), after the audit over every kept release and this
    one (release_audit.py): where it finds a count of 1 to k-1 given away that the kept
    releases alone do not give away, the countries concerned are withheld in every role
    (with whatever complements that needs) and the audit runs again; if it still finds
    one, every non-zero count of this release is withheld, which serves nothing about
    members per country that the kept releases and the members chart do not."""
    totals = table.sum(axis=1)
    forced = np.zeros(len(names), dtype=bool)
    earlier: set | None = None
    for _ in range(AUDIT_ATTEMPTS):
        total_hidden, hidden = decide(forced)
        release = CountryRelease(names, table, ~hidden, ~total_hidden, margins_served)
        found = leaks([*history, release], k)
        if found and earlier is None:
            nothing = CountryRelease(names, table, table == 0, totals == 0, margins_served)
            earlier = {leak_key(x) for x in leaks([*history, nothing], k)}
            if earlier:
                log.warning(
                    "countries: the kept releases already give away %d counts of "
                    "1 to %d (releases made before this audit)",
                    len(earlier),
                    k - 1,
                )
        new = [x for x in found if leak_key(x) not in (earlier or set())]
        if not new:
            return total_hidden, hidden
        more = forced | np.isin(np.array(names), [x.country for x in new])
        log.info("countries: withholding %s in every role, or this release would give "
                 "away %d counts of 1 to %d with the kept ones", ", ".join(
                     n for n, f in zip(names, more & ~forced, strict=True) if f),
                 len(new), k - 1)  # fmt: skip
        if (more == forced).all():
            break
        forced = more
    log.warning(
        "countries: the audit over releases still finds counts given away; every "
        "non-zero count of this release is withheld"
    )
    return totals > 0, table > 0


def countries(wh: Warehouse, filters: Filters, k: int) -> ChartResult:
    """Members by country (and role, when filtered)."""
    snap = wh.snapshot()
    result = new_result("countries", "Members by country", "members who have not withdrawn",
                     filters, snap, k, ["country", "members"], {"members"})  # fmt: skip
    found = country_table(wh, k)
    if filters.role:
        col = ROLES.index(filters.role)
        values, hidden = found.table[:, col], found.hidden[:, col]
    else:
        values, hidden = found.table.sum(axis=1), found.total_hidden
    rows = []
    for name, value, hide in zip(found.names, values, hidden, strict=True):
        row = {"country": name, "members": int(value)}
        if hide:
            withhold(row, ["members"])
        rows.append(row)
    result.rows = sorted(rows, key=lambda r: (r["members"] is None, -(r["members"] or 0)))
    return result


def round_activity(wh: Warehouse, filters: Filters, k: int) -> ChartResult:
    """Per round: members who voted, votes cast, comments posted while it was open.

    Voters are the priorities chart's own count, served under its rule; in a
    rate round they are served only if no question's "voted but did not rate
    it" (voters minus raters) is 1..k-1. Votes add up the per-question counts,
    so they are served only when none of those is withheld.
    """
    from dashboard.insights.priorities import list_rounds, load_tables

    comments, snap = wh.run_named("round_comments", {})
    by_round = {r.round_id: r for r in comments.itertuples()}
    columns = ["round_id", "round", "method", "opens_on", "closes_on", "voters", "votes",
               "comments", "commenters"]  # fmt: skip
    result = new_result("rounds", "Votes and comments per round",
                        "votes = member-question choices; comments posted while the round "
                        "was open", filters, snap, k, columns,
                        {"voters", "votes", "comments", "commenters"})  # fmt: skip
    rounds = {r.round_id: r for r in list_rounds(wh)}
    static = wh.run_static("rounds", {})
    for r in static.itertuples():
        row: dict[str, Any] = {"round_id": r.round_id, "round": r.name, "method": r.method,
                               "opens_on": pd.Timestamp(r.opens_on).date(),
                               "closes_on": pd.Timestamp(r.closes_on).date(),
                               "voters": 0, "votes": 0}  # fmt: skip
        withheld = []
        if r.round_id in rounds:
            tables = load_tables(wh, rounds[r.round_id], Filters(), [], k)
            voters = int(tables.voters[()])
            counts = {q: int(m["voters"][()]) for q, m in tables.measures.items()}
            hidden = [bool(tables.hidden(q, "voters", k)[(0,)]) for q in counts]
            row.update(voters=voters, votes=sum(counts.values()))
            unsafe_voters = bool(tables.voters_hidden[()])
            if not vote_method(r.method).serves_voters:  # see Tables.hidden
                unsafe_voters |= any(0 < voters - c < k for c in counts.values())
            if unsafe_voters:
                withheld.append("voters")
            if any(hidden) or 0 < row["votes"] < k:
                withheld.append("votes")
        c = by_round.get(r.round_id)
        row["comments"] = int(c.comments) if c else 0
        row["commenters"] = int(c.commenters) if c else 0
        withheld += [f for f in ("comments", "commenters") if 0 < row[f] < k]
        if withheld:
            withhold(row, withheld)
        result.rows.append(row)
    return result
