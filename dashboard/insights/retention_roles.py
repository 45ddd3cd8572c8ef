"""Retention's roles, protected as one table per cohort year and year since joining, and
carried across releases.

The roles' active and inactive counts form one table whose margins (all roles' active,
each role's cohort) are served, so it is protected as a whole: the all-roles figure minus
the served roles can no longer expose a withheld one. It is the one finished result whose
complements depend on the complement rule (a 3 x 2 table: about one random table in five
is decided differently by `smallest-first` and `knock-on`; the others are single lines or
nested series). A cohort's counts stop changing once its quarters are complete (release.py
freezes them), so when a series moves to another rule (`build --complement-rule`), the
same counts would be decided afresh and a complement withheld last month could be served
this month, giving back the cell it protected. So each release keeps, inside the warehouse
and never served (`RETENTION_ROLES`), the counts it decided on and what it withheld; the
next release gives those cells as withheld wherever the counts are unchanged (the union
of two safe patterns is safe) and decides the others afresh.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from dashboard.db import Snapshot, Warehouse
from dashboard.insights.disclosure import protect
from dashboard.insights.earlier_releases import previous_body
from dashboard.warehouse.contract import ROLES

# The published result that keeps them (publication.py; release.py, PREVIOUS_RESULTS).
RETENTION_ROLES = "retention-roles"

Cell = tuple[int, int]  # cohort year, years since joining


def cohorts(wh: Warehouse) -> tuple[pd.DataFrame, Snapshot]:
    """retention_cells with each quarter's cohort year and whole years since joining."""
    df, snap = wh.run_named("retention_cells", {})
    return df.assign(cohort_year=pd.to_datetime(df["cohort"]).dt.year,
                     years=(df["quarters_since_join"] // 4).astype(int)), snap  # fmt: skip


def tables(df: pd.DataFrame) -> dict[Cell, np.ndarray]:
    """Per cell: roles x (active in the year's first quarter, the rest of the cohort)."""
    first_q = df[df["quarters_since_join"] % 4 == 0]
    active = first_q.groupby(["cohort_year", "years", "role"])["active"].sum()
    sizes = (df.drop_duplicates(["cohort", "role"])
               .groupby(["cohort_year", "role"])["cohort_size"].sum())  # fmt: skip
    out = {}
    for cohort_year, years in sorted({(int(c), int(y)) for c, y, _ in active.index}):
        got = [int(active.get((cohort_year, years, role), 0)) for role in ROLES]
        size = [int(sizes.get((cohort_year, role), 0)) for role in ROLES]
        pairs = [[a, max(s - a, 0)] for a, s in zip(got, size, strict=True)]
        out[(cohort_year, years)] = np.array(pairs, dtype=np.int64)
    return out


Decided = dict[Cell, tuple[np.ndarray, np.ndarray]]  # per cell: counts, withheld mask


def withheld(counts: dict[Cell, np.ndarray], k: int, before: Decided) -> dict[Cell, np.ndarray]:
    """Per cell, the withheld mask (roles x 2); where the release before decided on the same
    counts, at least what it withheld."""
    out = {}
    for cell, table in counts.items():
        given = None
        if cell in before and np.array_equal(before[cell][0], table):
            given = np.where(before[cell][1], 1, -1).astype(np.int8)
        out[cell] = protect(table, k, given=given)
    return out


def role_masks(wh: Warehouse, k: int) -> dict[Cell, dict[str, bool]]:
    """Per cell and role: whether that role's "active" is withheld (once per build and k)."""
    return {cell: {role: bool(mask[j, 0]) for j, role in enumerate(ROLES)}
            for cell, (_, mask) in _decided(wh, k).items()}  # fmt: skip


def encode(wh: Warehouse, k: int) -> str:
    """The counts decided on and the cells withheld, as the publication keeps them (JSON)."""
    return json.dumps({f"{c}|{y}": {"counts": t.tolist(), "withheld": m.astype(int).tolist()}
                       for (c, y), (t, m) in sorted(_decided(wh, k).items())})  # fmt: skip


def _decided(wh: Warehouse, k: int) -> Decided:
    """Per cell: its counts and mask, worked out once per build and k."""

    def compute() -> Decided:
        counts = tables(cohorts(wh)[0])
        masks = withheld(counts, k, _previous(wh, k))
        return {cell: (counts[cell], masks[cell]) for cell in counts}

    return wh.remember(("retention roles", k), compute)


def _previous(wh: Warehouse, k: int) -> Decided:
    body: Any
    body, _ = previous_body(wh, RETENTION_ROLES, k)
    out = {}
    for name, kept in (body or {}).items():
        cohort_year, years = (int(part) for part in name.split("|"))
        out[(cohort_year, years)] = (np.array(kept["counts"], dtype=np.int64),
                                     np.array(kept["withheld"], dtype=bool))  # fmt: skip
    return out
