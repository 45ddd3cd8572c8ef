"""Ranges of linear objectives over what an attacker knows, by linear programming (HiGHS).

Shared by the audit of one release (audit.py) and the audit of a series of releases of
the country counts (release_audit.py): facts are equalities (served counts) and
inequalities over non-negative unknowns (the finest cells).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import linprog


@dataclass
class System:
    """Facts an attacker holds about non-negative unknowns: A_eq z = b_eq, A_ub z <= b_ub.

    Built once, then asked for the range of many objectives (identical ones once).
    """

    n: int
    a_eq: sparse.csr_array | None = None
    b_eq: np.ndarray | None = None
    a_ub: sparse.csr_array | None = None
    b_ub: np.ndarray | None = None
    solved: int = 0
    _memo: dict[bytes, tuple[float, float]] = field(default_factory=dict)

    def _solve(self, c: np.ndarray) -> float:
        self.solved += 1
        res = linprog(c, A_ub=self.a_ub, b_ub=self.b_ub, A_eq=self.a_eq, b_eq=self.b_eq,
                      bounds=(0, None), method="highs")  # fmt: skip
        if res.status == 3:  # unbounded: nothing served caps it
            return -np.inf
        if res.status != 0:
            raise RuntimeError(f"audit LP failed ({res.status}): {res.message}")
        return float(res.fun)

    def range(self, objective: np.ndarray) -> tuple[float, float]:
        """(min, max) of objective . z over every z the facts allow."""
        objective = np.asarray(objective, dtype=float)
        key = objective.tobytes()
        if key not in self._memo:
            self._memo[key] = (self._solve(objective), -self._solve(-objective))
        return self._memo[key]


def system(
    n: int,
    eq: Sequence[tuple[Any, float]] = (),
    ub: Sequence[tuple[Any, float]] = (),
) -> System:
    """A System from (row, value) equalities and (row, value) "row . z <= value" facts.

    Rows are dense vectors or sparse 1 x n arrays.
    """

    def stack(rows: Sequence[tuple[Any, float]]) -> tuple[Any, Any]:
        if not rows:
            return None, None
        a = sparse.vstack([sparse.csr_array(np.atleast_2d(r)) if isinstance(r, np.ndarray)
                           else r for r, _ in rows]).tocsr()  # fmt: skip
        return a, np.array([v for _, v in rows], dtype=float)

    a_eq, b_eq = stack(eq)
    a_ub, b_ub = stack(ub)
    return System(n, a_eq, b_eq, a_ub, b_ub)


_solvers = threading.local()


def _solver() -> Any:
    """This thread's HiGHS instance: each new one prints HiGHS's banner, so one is kept."""
    import highspy

    if not hasattr(_solvers, "model"):
        _solvers.model = highspy.Highs()
        _solvers.model.setOptionValue("output_flag", False)
    return _solvers.model


class Program:
    """The same facts for many objectives, kept loaded in HiGHS (highspy): only the
    objective changes between solves, so each costs a fraction of a millisecond where
    scipy's `linprog` sets the whole model up again (about 5 ms for the country series).
    Unknowns are non-negative; `eq` rows equal their values, `ub` rows are at most them.
    """

    def __init__(self, n: int, eq: Sequence[tuple[np.ndarray, float]] = (),
                 ub: Sequence[tuple[np.ndarray, float]] = ()) -> None:  # fmt: skip
        import highspy

        self._highspy = highspy
        self.n = n
        self.solved = 0
        self.last_point: np.ndarray | None = None
        rows = [r for r, _ in eq] + [r for r, _ in ub]
        inf = highspy.kHighsInf
        matrix = sparse.csc_array(np.vstack(rows) if rows else np.zeros((0, n)))
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, len(rows)
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_, lp.col_upper_ = np.zeros(n), np.full(n, inf)
        lp.row_lower_ = np.array([v for _, v in eq] + [-inf] * len(ub), dtype=float)
        lp.row_upper_ = np.array([v for _, v in eq] + [v for _, v in ub], dtype=float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr
        lp.a_matrix_.index_ = matrix.indices
        lp.a_matrix_.value_ = matrix.data
        self._lp = lp
        self._model = _solver()
        self._load()
        self._columns = np.arange(n, dtype=np.int32)

    def _load(self) -> None:
        self._model.passModel(self._lp)
        _solvers.owner = self

    def minimum(self, objective: np.ndarray) -> float:
        """The smallest objective . z the facts allow (-inf where nothing bounds it)."""
        self.solved += 1
        if getattr(_solvers, "owner", None) is not self:  # another program used the solver
            self._load()
        model, status = self._model, self._highspy.HighsModelStatus
        model.changeColsCost(self.n, self._columns, np.asarray(objective, dtype=float))
        model.run()
        found = model.getModelStatus()
        if found in (status.kUnbounded, status.kUnboundedOrInfeasible):
            self.last_point = None
            return -np.inf
        if found != status.kOptimal:
            raise RuntimeError(f"audit LP failed: {model.modelStatusToString(found)}")
        self.last_point = np.array(model.getSolution().col_value)
        return float(model.getInfo().objective_function_value)

    def maximum(self, objective: np.ndarray) -> float:
        """The largest objective . z the facts allow (inf where nothing caps it)."""
        return -self.minimum(-np.asarray(objective, dtype=float))
