"""Projects, enrollment funnels and accrual, after disclosure control."""

from __future__ import annotations

import numpy as np

from dashboard.db import Warehouse
from dashboard.filters import FilterError, Filters
from dashboard.insights.disclosure import protect_nested
from dashboard.insights.result import ChartResult, new_result, withhold

STAGE_ORDER = ("invited", "screened", "eligible", "consented", "enrolled", "completed")


def projects(wh: Warehouse, filters: Filters, k: int) -> ChartResult:
    """Every project with its status and kind (projects are not people: no suppression)."""
    df, snap = wh.run_named("projects", {})
    cols = list(df.columns)
    result = new_result("projects", "Research projects by status", "one row per project",
                     filters, snap, k, cols, set())  # fmt: skip
    if filters.project:
        df = df[df["project_id"] == filters.project]
    result.rows = df.astype(object).where(df.notna(), None).to_dict("records")
    return result


def _check_project(wh: Warehouse, project: str | None) -> None:
    if project is None:
        return
    df = wh.run_static("projects", {})
    if project not in set(df["project_id"]):
        raise FilterError(f"no project {project!r}")


def _funnel_enrolled_hidden(wh: Warehouse, k: int) -> dict[str, bool]:
    """Per project: whether the funnel alone would withhold its 'enrolled' count."""
    df, _ = wh.run_named("funnel_stages", {"project": None})
    out = {}
    for project_id, frame in df.groupby("project_id", sort=True):
        chain = frame[frame["stage"].isin(STAGE_ORDER)].sort_values("step")
        hidden = protect_nested(chain["members"].astype(int).tolist(), k)
        out[str(project_id)] = any(h for st, h in zip(chain["stage"], hidden, strict=True)
                                   if st == "enrolled")  # fmt: skip
    return out


def _upstream_stages(wh: Warehouse, k: int) -> dict[str, list[int]]:
    """Per project: the served funnel counts of the stages before 'enrolled'.

    Their protection does not depend on anything downstream, so accrual can use
    them without going round in a circle.
    """
    df, _ = wh.run_named("funnel_stages", {"project": None})
    out: dict[str, list[int]] = {}
    for project_id, frame in df.groupby("project_id", sort=True):
        chain = frame[frame["stage"].isin(STAGE_ORDER)].sort_values("step")
        values = chain["members"].astype(int).tolist()
        hidden = protect_nested(values, k)
        out[str(project_id)] = [
            v
            for st, v, h in zip(chain["stage"], values, hidden, strict=True)
            if not h and STAGE_ORDER.index(st) < STAGE_ORDER.index("enrolled")
        ]
    return out


def _accrual_hidden(running: list[int], upstream: list[int], k: int, last: bool) -> list[bool]:
    """Accrual's running totals: a chain, and never 1..k-1 below a served earlier stage.

    (Consented 55 beside 49 enrolled by November would expose the 6 between.)
    """
    force = [any(0 < s - v < k for s in upstream) for v in running]
    if last:
        force[-1] = True
    return protect_nested(running, k, force)


def _accrual_total_hidden(wh: Warehouse, k: int) -> dict[str, bool]:
    """Per project: whether accrual alone would withhold its final running total."""
    df, _ = wh.run_named("accrual_months", {"project": None})
    upstream = _upstream_stages(wh, k)
    out = {}
    for project_id, frame in df.groupby("project_id", sort=True):
        running = np.cumsum(frame["enrolled"].astype(int).to_numpy()).tolist()
        hidden = _accrual_hidden(running, upstream.get(str(project_id), []), k, last=False)
        out[str(project_id)] = bool(hidden[-1])
    return out


def enrollment(wh: Warehouse, filters: Filters, k: int) -> ChartResult:
    """Each project's funnel (members who reached each stage) and enrollment against target.

    Stages nest, so each served stage must differ from the previous served one
    by 0 or at least k: otherwise the drop-off between them would expose people.
    """
    _check_project(wh, filters.project)
    df, snap = wh.run_named("funnel_stages", {"project": filters.project})
    targets = wh.run_static("projects", {})
    target = dict(zip(targets["project_id"], targets["target_enrollment"], strict=True))
    result = new_result("enrollment", "Enrollment funnel by project",
                        "members who reached the stage",
                     filters, snap, k,
                     ["project_id", "stage", "members", "target_enrollment", "share_of_target"],
                     {"members"})  # fmt: skip
    rows = []
    accrual_hidden = _accrual_total_hidden(wh, k)
    for project_id, frame in df.groupby("project_id", sort=True):
        chain = frame[frame["stage"].isin(STAGE_ORDER)].sort_values("step")
        # 'enrolled' is also the accrual chart's final running total: the two charts
        # withhold it together, or one would undo the other's protection.
        force = [st == "enrolled" and accrual_hidden.get(str(project_id), False)
                 for st in chain["stage"]]  # fmt: skip
        hidden = protect_nested(chain["members"].astype(int).tolist(), k, force)
        for (stage, members), hide in zip(
            chain[["stage", "members"]].itertuples(index=False), hidden, strict=True
        ):
            goal = target.get(project_id)
            goal = None if goal is None or goal != goal else int(goal)
            row = {"project_id": project_id, "stage": stage, "members": int(members),
                   "target_enrollment": goal,
                   "share_of_target": int(members) / goal if goal and stage == "enrolled"
                   else None}  # fmt: skip
            if hide:
                withhold(row, ["members", "share_of_target"])
            rows.append(row)
        withdrawn = frame[frame["stage"] == "withdrawn"]["members"].astype(int).sum()
        row = {"project_id": project_id, "stage": "withdrawn", "members": int(withdrawn),
               "target_enrollment": None, "share_of_target": None}  # fmt: skip
        served = [int(v) for v, h in zip(chain["members"], hidden, strict=True) if not h]
        if not _withdrawn_safe(int(withdrawn), served, k):
            withhold(row, ["members"])
        rows.append(row)
    result.rows = rows
    return result


def accrual(wh: Warehouse, filters: Filters, k: int) -> ChartResult:
    """New enrollments per month and the running total, per project."""
    _check_project(wh, filters.project)
    df, snap = wh.run_named("accrual_months", {"project": filters.project})
    result = new_result("accrual", "Enrollment accrual over time",
                        "members first enrolled per month",
                     filters, snap, k, ["project_id", "month", "enrolled", "enrolled_to_date"],
                     {"enrolled", "enrolled_to_date"})  # fmt: skip
    rows = []
    funnel_hidden = _funnel_enrolled_hidden(wh, k)
    upstream = _upstream_stages(wh, k)
    for project_id, frame in df.groupby("project_id", sort=True):
        values = frame["enrolled"].astype(int).to_numpy()
        running = np.cumsum(values)
        # The final total is the funnel's 'enrolled' count: withheld together (see enrollment).
        run_hidden = _accrual_hidden(running.tolist(), upstream.get(str(project_id), []), k,
                                     last=funnel_hidden.get(str(project_id), False))  # fmt: skip
        # A month's enrollments are the difference of two running totals: served only
        # when both totals are, so subtracting served numbers reveals nothing more.
        hidden = [bool(rh or (i > 0 and run_hidden[i - 1])) for i, rh in enumerate(run_hidden)]
        for month, value, to_date, h, rh in zip(
            frame["month"], values, running, hidden, run_hidden, strict=True
        ):
            month = month.date() if hasattr(month, "date") else month
            if (filters.date_from and month < filters.date_from.replace(day=1)) or (
                filters.date_to and month > filters.date_to
            ):
                continue
            row = {"project_id": project_id, "month": month, "enrolled": int(value),
                   "enrolled_to_date": int(to_date)}  # fmt: skip
            withheld = [n for n, f in (("enrolled", h), ("enrolled_to_date", rh)) if f]
            if withheld:
                withhold(row, withheld)
            rows.append(row)
    result.rows = rows
    return result


def _withdrawn_safe(withdrawn: int, served: list[int], k: int) -> bool:
    """Whether the withdrawn count may be served next to the served funnel stages.

    Withdrawals happen somewhere along the funnel, so a reader could subtract the
    withdrawn count from any served stage or any drop-off between two served stages;
    none of those results may be 1..k-1.
    """
    if 0 < withdrawn < k:
        return False
    amounts = served + [a - b for i, a in enumerate(served) for b in served[i + 1 :]]
    return all(not 0 < abs(x - withdrawn) < k for x in amounts)
