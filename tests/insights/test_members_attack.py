"""Members over time: no small group of joiners can be worked out from served numbers.

Every served running total and monthly count (all roles and each role) is a sum
over month x role cells; any set of roles over any run of months whose true
size is 1..k-1 must not lie in the span of the served sums.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import duckdb
import numpy as np

from dashboard.config import Settings
from dashboard.engine import Engine
from dashboard.warehouse.contract import ROLES

K = 11


def test_no_group_of_joiners_is_derivable(demo_warehouse: Path) -> None:
    engine = Engine(Settings(warehouse=demo_warehouse, k=K, query_timeout_s=30, network_name=""))
    rows = list(engine.run("members", {}).rows)
    for role in ROLES:
        rows += engine.run("members", {"role": role}).rows
    months = sorted({r["month"] for r in rows})
    at = {m: i for i, m in enumerate(months)}
    n_m, n_r = len(months), len(ROLES)
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    truth = np.zeros((n_m, n_r))
    for month, role, n in con.execute(
        "SELECT joined_month, role, sum(members) FROM member_cube GROUP BY ALL"
    ).fetchall():
        truth[at[month], ROLES.index(role)] += n
    con.close()

    def cells(roles, first: int, last: int) -> np.ndarray:
        v = np.zeros((n_m, n_r))
        for j in roles:
            v[first : last + 1, j] = 1
        return v.ravel()

    served = []
    for r in rows:
        roles = range(n_r) if r["role"] == "all" else [ROLES.index(r["role"])]
        if r["members"] is not None:
            served.append(cells(roles, 0, at[r["month"]]))
        if r["new_members"] is not None:
            served.append(cells(roles, at[r["month"]], at[r["month"]]))
    _, sv, vt = np.linalg.svd(np.array(served), full_matrices=False)
    basis = vt[sv > 1e-9 * sv[0]]
    leaks = []
    for n in range(1, n_r + 1):
        for roles in itertools.combinations(range(n_r), n):
            for first in range(n_m):
                for last in range(first, min(n_m, first + 24)):
                    x = cells(roles, first, last)
                    size = float((truth.ravel() * x).sum())
                    if 0 < size < K and np.abs(x - (x @ basis.T) @ basis).max() < 1e-6:
                        leaks.append(([ROLES[j] for j in roles], months[first], months[last], size))
    assert leaks == [], leaks[:5]
