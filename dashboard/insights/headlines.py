"""Headline numbers for the overview, each with the same number for the previous period.

Every people count here is either taken from a chart that already passed
disclosure control (members, enrollments, a round's votes) or protected here
(active members in a 90-day window), so the headlines add nothing an attacker
could not already subtract from served charts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from dashboard.db import Warehouse
from dashboard.filters import Filters
from dashboard.insights import participation, priorities, projects
from dashboard.insights.disclosure import primary
from dashboard.insights.result import ChartResult, new_result, withhold

# people: whether value/previous count people (disclosure control applies) or things.
COLUMNS = ["measure", "label", "value", "previous", "change", "compared_with", "people", "note"]
# change is not listed: for members and enrollments it is a count of people
# (new joiners) and is kept at 0 or >= k by construction; for active members it
# is the difference of two different groups, not a group.
COUNTED = {"value", "previous"}


def _months_back(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def _row(measure: str, label: str, value: Any, previous: Any, compared: str, note: str = "",
         people: bool = True) -> dict[str, Any]:  # fmt: skip
    row = {"measure": measure, "label": label, "value": value, "previous": previous,
           "change": None if value is None or previous is None else value - previous,
           "compared_with": compared, "people": people, "note": note}  # fmt: skip
    gone = [f for f in ("value", "previous") if people and row[f] is None]
    if gone:
        withhold(row, [*gone, "change"])
    return row


def _members(wh: Warehouse, k: int) -> dict[str, Any]:
    rows = [r for r in participation.members(wh, Filters(), k).rows
            if r["role"] == "all" and r["members"] is not None]  # fmt: skip
    if not rows:
        return _row("members", "Members", None, None, "3 months earlier")
    latest = rows[-1]
    earlier = [r for r in rows if r["month"] <= _months_back(latest["month"], 3)]
    return _row("members", "Members", latest["members"],
                earlier[-1]["members"] if earlier else None,
                f"{_months_back(latest['month'], 3):%B %Y}",
                f"running total at the end of {latest['month']:%B %Y}")  # fmt: skip


def _active(wh: Warehouse, as_of: dt.date, k: int) -> dict[str, Any]:
    df = wh.run_static("active_windows", {"as_of": as_of})
    counts = {p: int(df.loc[df["period"] == p, "active"].sum()) for p in ("current", "previous")}
    hidden = primary(np.array([counts["current"], counts["previous"]]), k)
    value = None if hidden[0] else counts["current"]
    previous = None if hidden[1] else counts["previous"]
    return _row("active_90_days", "Active in the last 90 days", value, previous,
                "the 90 days before", "any vote, comment or other participation")  # fmt: skip


def _questions(wh: Warehouse, as_of: dt.date) -> dict[str, Any]:
    q = wh.run_static("questions", {"topic": None})
    submitted = pd.to_datetime(q["submitted_on"]).dropna()
    before = int((submitted <= pd.Timestamp(as_of - dt.timedelta(days=90))).sum())
    return _row("questions", "Research questions", len(q), before, "90 days earlier",
                "suggested by members", people=False)  # fmt: skip


def _votes(wh: Warehouse, k: int) -> dict[str, Any]:
    rounds = priorities.list_rounds(wh)
    totals: list[int | None] = []
    for rnd in rounds[-2:]:
        rows = priorities.priorities(wh, Filters(round=rnd.round_id), k).rows
        counts = [r.get(rnd.vote.vote_count) for r in rows]
        # A sum of served counts only: with one withheld, the sum would reveal it.
        totals.append(None if not rows or any(c is None for c in counts) else sum(counts))
    if not rounds:
        return _row("votes_latest_round", "Votes in the latest round", None, None, "")
    previous = totals[0] if len(totals) == 2 else None
    latest = rounds[-1]
    prev_name = rounds[-2].name if len(rounds) > 1 else "no earlier round"
    return _row("votes_latest_round", f"Votes in {latest.name}", totals[-1], previous, prev_name,
                "one vote = one member's pick, rank or rating of one question")  # fmt: skip


def _projects_open(wh: Warehouse, k: int) -> dict[str, Any]:
    rows = projects.projects(wh, Filters(), k).rows
    open_now = sum(1 for r in rows if r["status"] == "open_for_participation")
    return _row("projects_open", "Projects open for participation", open_now, None, "",
                "the export has no status history, so no change is shown",
                people=False)  # fmt: skip


def _enrolled(wh: Warehouse, as_of: dt.date, k: int) -> dict[str, Any]:
    """Distinct members enrolled in any study, now and three months earlier.

    Served only where a reader cannot subtract it from the per-study counts to
    find a small group: enrollments minus distinct members (people counted in
    two studies) must be 0 or at least k, and so must the growth between the two.
    """
    cutoff = _months_back(dt.date(as_of.year, as_of.month, 1), 3)
    r = wh.run_named("enrolled_members", {"cutoff": cutoff})[0].iloc[0]
    values = []
    for when in ("now", "then"):
        people, rows = int(r[f"members_{when}"]), int(r[f"enrollments_{when}"])
        safe = not primary(np.array([people, rows - people]), k).any()
        values.append(people if safe else None)
    if values[0] is not None and values[1] is not None and 0 < values[0] - values[1] < k:
        values[1] = None  # the growth would be a small group
    return _row(
        "enrolled",
        "Members enrolled in a study",
        values[0],
        values[1],
        f"before {cutoff:%B %Y}",
        "distinct members, whatever the number of studies",
    )


def headlines(wh: Warehouse, filters: Filters, k: int) -> ChartResult:
    """Six headline numbers, each beside the same number one period earlier."""
    snap = wh.snapshot()
    as_of = dt.date.fromisoformat(str(snap.as_of))
    result = new_result("headlines", "The network at a glance", "change = value - previous",
                        filters, snap, k, COLUMNS, COUNTED)  # fmt: skip
    result.rows = [_members(wh, k), _active(wh, as_of, k), _questions(wh, as_of), _votes(wh, k),
                   _projects_open(wh, k), _enrolled(wh, as_of, k)]  # fmt: skip
    return result
