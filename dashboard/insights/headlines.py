"""Headline numbers for the overview, each with the same number for the previous period.

Every people count here is either taken from a chart that already passed
disclosure control (members, active members, a closed round's votes) or protected
here (members enrolled in a study), so the headlines add nothing an attacker could
not already subtract from served charts.

Across releases (README "Releases: what a rebuild may change"): every count is about
complete months or closed rounds, which later releases keep as published; the one
running total that still grows (members enrolled) moves only by 0 or at least k.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import numpy as np
import pandas as pd

from dashboard.db import Warehouse
from dashboard.filters import Filters
from dashboard.insights import participation, priorities, projects
from dashboard.insights.disclosure import primary
from dashboard.insights.earlier_releases import previous_body
from dashboard.insights.result import ChartResult, new_result, withhold
from dashboard.warehouse.release import held

log = logging.getLogger(__name__)

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


def _active(wh: Warehouse, k: int) -> dict[str, Any]:
    """Members active in the last complete month, beside the same three months earlier.

    The active members chart's own served counts: single complete months, which later
    releases keep as published. (A count over several months, such as the last 90 days,
    is not: a window overlapping months already published would count afresh, without
    the members who withdrew since, and fall below a month it contains.)
    """
    rows = [r for r in participation.active_members(wh, Filters(), k).rows
            if r["role"] == "all"]  # fmt: skip
    if not rows:
        return _row("active_last_month", "Active in the last complete month", None, None,
                    "3 months earlier")  # fmt: skip
    latest = rows[-1]
    earlier = _months_back(latest["month"], 3)
    then = next((r["active"] for r in rows if r["month"] == earlier), 0)
    return _row(
        "active_last_month",
        f"Active in {latest['month']:%B %Y}",
        latest["active"],
        then,
        f"{earlier:%B %Y}",
        "any vote, comment or other participation in the month",
    )


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


def _enrolled(wh: Warehouse, k: int) -> dict[str, Any]:
    """Distinct members enrolled in any study by the end of the last complete month,
    beside what the previous release served.

    Served only where a reader cannot subtract it from the per-study counts to find a
    small group: enrollments minus distinct members (people counted in two studies) must
    be 0 or at least k. It is a running total that still grows, counted from months later
    releases keep (so it never goes down): a value that moved by 1 to k-1 from the one the
    previous release served is served as it was (`held`), so any two served values differ
    by 0 or at least k. The previous release's value is the one compared with; a first
    release has none.
    """
    r = wh.run_named("enrolled_members", {})[0].iloc[0]
    people, rows = int(r["members"]), int(r["enrollments"])
    safe = not primary(np.array([people, rows - people]), k).any()
    before, as_of = _previous_enrolled(wh, k)
    value = held(people, before, k) if safe else None
    if value is not None and value != people:
        log.info("headlines: members enrolled moved by 1 to %d since the previous release and "
                 "are served as it served them", k - 1)  # fmt: skip
    return _row(
        "enrolled",
        "Members enrolled in a study",
        value,
        before,
        f"the release of {as_of}" if as_of else "no earlier release",
        "distinct members, whatever the number of studies, to the end of the last complete "
        "month; updated when it has changed by at least k",
    )


def _previous_enrolled(wh: Warehouse, k: int) -> tuple[int | None, str | None]:
    """The last "members enrolled" the releases before this one served, and the as-of
    date of the one this release follows (None, None in a first release)."""
    body, as_of = previous_body(wh, "headlines", k)
    if body is None:
        return None, None
    rows = body.get("rows", [])
    row = next((r for r in rows if r.get("measure") == "enrolled"), {})
    # Where it withheld its value, the one it compared with is still the last served.
    served = row.get("value") if row.get("value") is not None else row.get("previous")
    return (None if served is None else int(served)), as_of


def headlines(wh: Warehouse, filters: Filters, k: int) -> ChartResult:
    """Six headline numbers, each beside the same number one period earlier."""
    snap = wh.snapshot()
    as_of = dt.date.fromisoformat(str(snap.as_of))
    result = new_result("headlines", "The network at a glance", "change = value - previous",
                        filters, snap, k, COLUMNS, COUNTED)  # fmt: skip
    result.rows = [_members(wh, k), _active(wh, k), _questions(wh, as_of), _votes(wh, k),
                   _projects_open(wh, k), _enrolled(wh, k)]  # fmt: skip
    return result
