"""Participation: growth, activity, retention and geography, after disclosure control."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import numpy as np
import pandas as pd

from dashboard.db import Warehouse
from dashboard.filters import Filters
from dashboard.insights.disclosure import protect, protect_nested
from dashboard.insights.result import ChartResult, new_result, withhold
from dashboard.insights.vote_methods import vote_method
from dashboard.warehouse.contract import ROLES
from dashboard.warehouse.release import held

ALL = "all"


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
    for j in range(len(ROLES)):
        cum_hidden[:, j] = protect_nested(cumulative[:, j].tolist(), k)
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
    df, snap = wh.run_named("retention_cells", {})
    result = new_result("retention", "Retention of join cohorts", "active in year N after joining",
                     filters, snap, k,
                     ["cohort", "years_since_join", "cohort_size", "active", "share_active"],
                     {"cohort_size", "active"})  # fmt: skip
    df = df.assign(
        cohort_year=pd.to_datetime(df["cohort"]).dt.year,
        years=(df["quarters_since_join"] // 4).astype(int),
    )
    role_hidden = _active_by_role_hidden(df, k)
    if filters.role:
        df = df[df["role"] == filters.role]
    # A cohort's size is the members chart's running total at the end of its year
    # minus the one at the end of the year before: served only when both are, so
    # it reveals nothing that subtracting served totals would not.
    role = filters.role or ALL
    totals = [(r["month"], r["members"]) for r in members(wh, Filters(role=filters.role), k).rows
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


def _active_by_role_hidden(df: pd.DataFrame, k: int) -> dict[tuple[int, int], dict[str, bool]]:
    """Per (cohort year, years since joining): whether each role's "active" is withheld.

    The roles' active and inactive counts form one table whose margins (all roles'
    active, each role's cohort) are served, so it is protected as a whole: the
    all-roles figure minus the served roles can no longer expose a withheld one.
    """
    first_q = df[df["quarters_since_join"] % 4 == 0]
    active = first_q.groupby(["cohort_year", "years", "role"])["active"].sum()
    sizes = (df.drop_duplicates(["cohort", "role"])
               .groupby(["cohort_year", "role"])["cohort_size"].sum())  # fmt: skip
    out: dict[tuple[int, int], dict[str, bool]] = {}
    for cohort_year, years in {(int(c), int(y)) for c, y, _ in active.index}:
        table = np.array([[int(active.get((cohort_year, years, role), 0)),
                           max(int(sizes.get((cohort_year, role), 0))
                               - int(active.get((cohort_year, years, role), 0)), 0)]
                          for role in ROLES], dtype=np.int64)  # fmt: skip
        mask = protect(table, k)
        out[(cohort_year, years)] = {role: bool(mask[j, 0]) for j, role in enumerate(ROLES)}
    return out


# The country x role table as served, in the build's published results (publication.py),
# for the next release to hold its counts (release.py, PREVIOUS_RESULTS).
COUNTRY_TABLE = "country-table"


def country_table(wh: Warehouse, k: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Members per country (rows, sorted) and role (ROLES), as this release serves them,
    and per role the members the held cells leave out.

    Counted to the end of the last complete month, so they grow from release to release:
    each cell is served as the previous release served it unless it moved by 0 or at
    least k (`held`; a cell that release did not have counts from 0), and a country's
    total is the sum of its served cells. So no count served in two releases differs by
    1..k-1 (it would tell how many joined there that month). The members chart serves
    each role's true total, so what the held cells leave out (its total minus theirs) is
    a count of people too: `countries` protects it as one more row, never served.
    """

    def compute() -> tuple[list[str], np.ndarray, np.ndarray]:
        df, _ = wh.run_named("country_members", {})
        names = sorted(df["country"].unique())
        table = np.zeros((len(names), len(ROLES)), dtype=np.int64)
        for r in df.itertuples():
            table[names.index(r.country), ROLES.index(r.role)] += int(r.members)
        true_totals = table.sum(axis=0)
        before = _previous_country_table(wh, k)
        if before is not None:
            for i, name in enumerate(names):
                for j, role in enumerate(ROLES):
                    table[i, j] = held(int(table[i, j]), before.get(f"{name}|{role}", 0), k)
        return names, table, true_totals - table.sum(axis=0)

    return wh.remember(("country table", k), compute)


def encode_country_table(names: list[str], table: np.ndarray, *_: Any) -> str:
    """The served country x role counts as the publication stores them (JSON)."""
    return json.dumps({f"{name}|{role}": int(table[i, j]) for i, name in enumerate(names)
                       for j, role in enumerate(ROLES)})  # fmt: skip


def _previous_country_table(wh: Warehouse, k: int) -> dict[str, int] | None:
    """What the previous release served per "country|role" (None in a first release, or
    after one made before these counts were kept)."""
    stored, _ = wh.run_named("previous_result", {"chart": COUNTRY_TABLE, "k": k})
    if stored.empty:
        return None
    return {key: int(v) for key, v in json.loads(str(stored["body"].iloc[0])).items()}


def countries(wh: Warehouse, filters: Filters, k: int) -> ChartResult:
    """Members by country (and role, when filtered)."""
    snap = wh.snapshot()
    result = new_result("countries", "Members by country", "members who have not withdrawn",
                     filters, snap, k, ["country", "members"], {"members"})  # fmt: skip
    names, table, left_out = country_table(wh, k)
    # The last row, never served: who the held cells leave out (0 in a first release).
    if filters.role:
        col = ROLES.index(filters.role)
        values, hidden = table[:, col], protect(np.vstack([table, left_out]), k)[:-1, col]
    else:
        values = table.sum(axis=1)
        hidden = protect(np.append(values, left_out.sum()), k)[:-1]
    rows = []
    for name, value, hide in zip(names, values, hidden, strict=True):
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
