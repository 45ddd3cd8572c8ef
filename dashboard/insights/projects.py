"""Projects, enrollment funnels and accrual, after disclosure control."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dashboard.db import Warehouse
from dashboard.filters import FilterError, Filters
from dashboard.insights.disclosure import protect_nested
from dashboard.insights.earlier_releases import previous_counts, previous_withheld
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


@dataclass
class Study:
    """One project's funnel and accrual, with what each chart withholds.

    Accrual's running totals are a monthly series, each month decided from the months
    before it only (a later release decides the months it shares with this one the same
    way). The funnel counts who had reached each stage by the end of the last complete
    month, so it grows from release to release; it adapts to accrual, never the other way:
    its 'enrolled' stage is accrual's last running total (the same people: withheld
    together, and kept served where accrual serves it), and a stage before it is withheld
    where it is 1..k-1 above a running total accrual serves (consented 55 beside 49
    enrolled by November would expose the 6 between).
    """

    in_funnel: bool
    chain: pd.DataFrame  # stage, step, members (stages in order)
    withdrawn: int
    months: pd.DataFrame  # month, enrolled
    running: list[int]
    funnel_hidden: list[bool]
    running_hidden: list[bool]
    withdrawn_hidden: bool = False


# The funnel's last served counts, in the build's published results (publication.py), for
# the next release to compare with (release.py, PREVIOUS_RESULTS).
FUNNEL_SERVED = "funnel-served"


def studies(wh: Warehouse, k: int) -> dict[str, Study]:
    """Every project's protected funnel and accrual, worked out once per build and k."""
    return wh.remember(("studies", k), lambda: _studies(wh, k))


def _studies(wh: Warehouse, k: int) -> dict[str, Study]:
    funnel = wh.run_static("funnel_stages", {"project": None})
    accrual_df = wh.run_static("accrual_months", {"project": None})
    before = previous_counts(wh, FUNNEL_SERVED, k)
    kept_hidden = previous_withheld(wh, "accrual", k, ("project_id",), "enrolled_to_date")
    out = {}
    for project_id in sorted(set(funnel["project_id"]) | set(accrual_df["project_id"])):
        frame = funnel[funnel["project_id"] == project_id]
        chain = frame[frame["stage"].isin(STAGE_ORDER)].sort_values("step")
        stages, values = chain["stage"].tolist(), chain["members"].astype(int).tolist()
        months = accrual_df[accrual_df["project_id"] == project_id]
        running = np.cumsum(months["enrolled"].astype(int).to_numpy()).tolist()
        # What the release before withheld stays withheld (see participation.members).
        force = [(str(m)[:10], str(project_id)) in kept_hidden for m in months["month"]]
        running_hidden = protect_nested(running, k, force)
        served_running = [v for v, h in zip(running, running_hidden, strict=True) if not h]
        total_hidden = bool(running) and running_hidden[-1]

        force, anchors = [], set()
        for i, (stage, value) in enumerate(zip(stages, values, strict=True)):
            near = _near_earlier(before, str(project_id), stages[i:], value, k)
            if stage == "enrolled":
                force.append(total_hidden or near)
                anchors.add(i)
            elif STAGE_ORDER.index(stage) < STAGE_ORDER.index("enrolled"):
                force.append(near or any(0 < value - r < k for r in served_running))
            else:  # served only beside a served 'enrolled' (accrual's totals contain it)
                force.append(near or total_hidden)
        funnel_hidden = protect_nested(values, k, force, anchors=anchors)
        if "enrolled" in stages and funnel_hidden[stages.index("enrolled")]:
            after = stages.index("enrolled")
            funnel_hidden = [h or i > after for i, h in enumerate(funnel_hidden)]
        withdrawn = int(frame.loc[frame["stage"] == "withdrawn", "members"].astype(int).sum())
        served = [v for v, h in zip(values, funnel_hidden, strict=True) if not h]
        # Earlier releases' served stages are known too: the withdrawn count is checked
        # against them as well.
        earlier = [v for key, v in before.items() if key.startswith(f"{project_id}|")
                   and not key.endswith("|withdrawn")]  # fmt: skip
        out[str(project_id)] = Study(
            in_funnel=not frame.empty,
            chain=chain,
            withdrawn=withdrawn,
            months=months,
            running=running,
            funnel_hidden=funnel_hidden,
            running_hidden=running_hidden,
            withdrawn_hidden=_moved(before, f"{project_id}|withdrawn", withdrawn, k)
            or not _withdrawn_safe(withdrawn, served + earlier, k),
        )
    return out


def _near_earlier(before: dict[str, int], project_id: str, stages: list[str], value: int,
                  k: int) -> bool:  # fmt: skip
    """Whether a stage's count (the first of `stages`, then the stages after it) is 1..k-1
    away from what an earlier release last served: for the stage itself either way; for
    a later stage or the withdrawn, which it now contains, above it (consented 28 then,
    eligible 36 now: 8 people)."""
    if _moved(before, f"{project_id}|{stages[0]}", value, k):
        return True
    contained = [before.get(f"{project_id}|{s}") for s in [*stages[1:], "withdrawn"]]
    return any(w is not None and 0 < value - w < k for w in contained)


def _moved(before: dict[str, int], key: str, value: int, k: int) -> bool:
    """1..k-1 away from what an earlier release last served for this count."""
    last = before.get(key)
    return last is not None and 0 < abs(value - last) < k


def encode_funnel_served(wh: Warehouse, k: int) -> str:
    """Per "project|stage", the count this release serves, or where it withholds it, the
    one an earlier release last served: what the next release compares with (JSON)."""
    last = dict(previous_counts(wh, FUNNEL_SERVED, k))
    for project_id, study in studies(wh, k).items():
        stages = [*study.chain["stage"], "withdrawn"]
        values = [*study.chain["members"].astype(int), study.withdrawn]
        hidden = [*study.funnel_hidden, study.withdrawn_hidden]
        for stage, value, hide in zip(stages, values, hidden, strict=True):
            if not hide:
                last[f"{project_id}|{stage}"] = int(value)
    return json.dumps(dict(sorted(last.items())))


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
        if study.withdrawn_hidden:
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
