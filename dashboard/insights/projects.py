"""Projects, enrollment funnels and accrual, after disclosure control."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

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


def project_rows(wh: Warehouse, rows: list[dict[str, Any]],
                 filters: Filters) -> list[dict[str, Any]]:  # fmt: skip
    """One project's rows (in the window, for monthly rows): views of the whole result.

    Each project's funnel and accrual are protected once for all projects, so a
    project or a window only selects rows; an unknown project is still an error.
    """
    _check_project(wh, filters.project)
    return [r for r in rows if filters.project in (None, r["project_id"])
            and ("month" not in r or filters.in_window(_date(r["month"])))]  # fmt: skip


def _date(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _check_project(wh: Warehouse, project: str | None) -> None:
    if project is None:
        return
    df = wh.run_static("projects", {})
    if project not in set(df["project_id"]):
        raise FilterError(f"no project {project!r}")


def _accrual_hidden(running: list[int], upstream: list[int], k: int, last: bool) -> list[bool]:
    """Accrual's running totals: a chain, and never 1..k-1 below a served earlier stage.

    (Consented 55 beside 49 enrolled by November would expose the 6 between.)
    """
    force = [any(0 < s - v < k for s in upstream) for v in running]
    if running and last:
        force[-1] = True
    return protect_nested(running, k, force)


@dataclass
class Study:
    """One project's funnel and accrual, with what each chart withholds.

    The funnel's 'enrolled' stage is accrual's final running total: the two are
    withheld together, or one chart would undo the other's protection. Stages
    before 'enrolled' do not depend on anything downstream, so accrual can check
    its totals against them without going round in a circle.
    """

    in_funnel: bool
    chain: pd.DataFrame  # stage, step, members (stages in order)
    withdrawn: int
    months: pd.DataFrame  # month, enrolled
    running: list[int]
    funnel_hidden: list[bool]
    running_hidden: list[bool]


def studies(wh: Warehouse, k: int) -> dict[str, Study]:
    """Every project's protected funnel and accrual, worked out once per build and k."""
    return wh.remember(("studies", k), lambda: _studies(wh, k))


def _studies(wh: Warehouse, k: int) -> dict[str, Study]:
    funnel = wh.run_static("funnel_stages", {"project": None})
    accrual_df = wh.run_static("accrual_months", {"project": None})
    out = {}
    for project_id in sorted(set(funnel["project_id"]) | set(accrual_df["project_id"])):
        frame = funnel[funnel["project_id"] == project_id]
        chain = frame[frame["stage"].isin(STAGE_ORDER)].sort_values("step")
        values = chain["members"].astype(int).tolist()
        plain = protect_nested(values, k)
        before = STAGE_ORDER.index("enrolled")
        upstream = [v for st, v, h in zip(chain["stage"], values, plain, strict=True)
                    if not h and STAGE_ORDER.index(st) < before]  # fmt: skip
        enrolled = [st == "enrolled" for st in chain["stage"]]
        enrolled_hidden = any(h for e, h in zip(enrolled, plain, strict=True) if e)
        months = accrual_df[accrual_df["project_id"] == project_id]
        running = np.cumsum(months["enrolled"].astype(int).to_numpy()).tolist()
        total_hidden = bool(running) and _accrual_hidden(running, upstream, k, last=False)[-1]
        out[str(project_id)] = Study(
            in_funnel=not frame.empty,
            chain=chain,
            withdrawn=int(frame.loc[frame["stage"] == "withdrawn", "members"].astype(int).sum()),
            months=months,
            running=running,
            funnel_hidden=protect_nested(values, k, [e and total_hidden for e in enrolled]),
            running_hidden=_accrual_hidden(running, upstream, k, last=enrolled_hidden),
        )
    return out


def enrollment(wh: Warehouse, filters: Filters, k: int) -> ChartResult:
    """Each project's funnel (members who reached each stage) and enrollment against target.

    Stages nest, so each served stage must differ from the previous served one
    by 0 or at least k: otherwise the drop-off between them would expose people.
    """
    _check_project(wh, filters.project)
    targets = wh.run_static("projects", {})
    target = dict(zip(targets["project_id"], targets["target_enrollment"], strict=True))
    result = new_result("enrollment", "Enrollment funnel by project",
                        "members who reached the stage",
                     filters, wh.snapshot(), k,
                     ["project_id", "stage", "members", "target_enrollment", "share_of_target"],
                     {"members"})  # fmt: skip
    rows = []
    for project_id, study in studies(wh, k).items():
        if filters.project not in (None, project_id) or not study.in_funnel:
            continue
        chain, hidden = study.chain, study.funnel_hidden
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
        row = {"project_id": project_id, "stage": "withdrawn", "members": study.withdrawn,
               "target_enrollment": None, "share_of_target": None}  # fmt: skip
        served = [int(v) for v, h in zip(chain["members"], hidden, strict=True) if not h]
        if not _withdrawn_safe(study.withdrawn, served, k):
            withhold(row, ["members"])
        rows.append(row)
    result.rows = rows
    return result


def accrual(wh: Warehouse, filters: Filters, k: int) -> ChartResult:
    """New enrollments per month and the running total, per project."""
    _check_project(wh, filters.project)
    result = new_result("accrual", "Enrollment accrual over time",
                        "members first enrolled per month",
                     filters, wh.snapshot(), k,
                     ["project_id", "month", "enrolled", "enrolled_to_date"],
                     {"enrolled", "enrolled_to_date"})  # fmt: skip
    rows = []
    for project_id, study in studies(wh, k).items():
        if filters.project not in (None, project_id) or study.months.empty:
            continue
        run_hidden = study.running_hidden
        # A month's enrollments are the difference of two running totals: served only
        # when both totals are, so subtracting served numbers reveals nothing more.
        hidden = [bool(rh or (i > 0 and run_hidden[i - 1])) for i, rh in enumerate(run_hidden)]
        values = study.months["enrolled"].astype(int).tolist()
        for month, value, to_date, h, rh in zip(
            study.months["month"], values, study.running, hidden, run_hidden, strict=True
        ):
            month = month.date() if hasattr(month, "date") else month
            if not filters.in_window(month):
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
