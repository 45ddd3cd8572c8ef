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


@dataclass
class System:
    """Facts an attacker holds about non-negative unknowns: A_eq z = b_eq, A_ub z <= b_ub.

    Built once, then asked for the range of many objectives (identical ones once). The
    facts are loaded into HiGHS once (`Program`) and each solve starts from the last
    basis: scipy's `linprog` set the whole model up again for each of the two solves
    per objective (three quarters of the fixture's rating audit went to that).
    """

    n: int
    a_eq: sparse.csr_array | None = None
    b_eq: np.ndarray | None = None
    a_ub: sparse.csr_array | None = None
    b_ub: np.ndarray | None = None
    solved: int = 0
    _memo: dict[bytes, tuple[float, float]] = field(default_factory=dict)
    _program: Program | None = None

    def _solve(self, c: np.ndarray) -> float:
        self.solved += 1
        if self._program is None:
            self._program = self.program()
        low = self._program.minimum(c)  # -inf where unbounded: nothing served caps it
        if self._program.status == "unbounded or infeasible":  # facts that contradict
            raise RuntimeError("audit LP failed: the facts may be infeasible")
        return low

    def program(self) -> Program:
        """These facts as a `Program` (rows: the equalities, then the inequalities)."""
        parts = [(sparse.csr_array((0, self.n)), np.zeros(0), np.zeros(0))]
        if self.a_eq is not None and self.b_eq is not None:
            parts.append((self.a_eq, self.b_eq, self.b_eq))
        if self.a_ub is not None and self.b_ub is not None:
            parts.append((self.a_ub, np.full(len(self.b_ub), -np.inf), self.b_ub))
        rows = sparse.vstack([sparse.csr_array(a) for a, _, _ in parts]).tocsr()
        lower = np.concatenate([np.asarray(lo, float) for _, lo, _ in parts])
        upper = np.concatenate([np.asarray(up, float) for _, _, up in parts])
        return Program(rows, lower, upper, np.zeros(self.n), np.full(self.n, np.inf))

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
    """This thread's HiGHS instance, kept for its basis between programs.

    highspy's `Highs` prints HiGHS's banner to standard output when it is made (its
    callbacks, which we do not use, start the log before any option can be set): the
    core class it extends has every method used here and prints nothing with
    `output_flag` off, so a build's output is its own."""
    import highspy

    if not hasattr(_solvers, "model"):
        core = getattr(getattr(highspy, "_core", None), "_Highs", None)
        _solvers.model = core() if core is not None else highspy.Highs()
        _solvers.model.setOptionValue("output_flag", False)
        _solvers.model.setOptionValue("presolve", "off")  # keep the basis between solves
    return _solvers.model


class Program:
    """The same facts for many objectives, kept loaded in HiGHS (highspy): only the
    objective changes between solves, where scipy's `linprog` sets the whole model up
    again each time (about 5 ms for a short country series, minutes for a long one).

    `rows` is a sparse matrix of facts, each `row_lower <= row . z <= row_upper`, over
    unknowns within `col_lower..col_upper` (a known unknown is fixed there: the simplex
    keeps it out of the basis, where an equality row would cost a row of the basis).
    Without presolve, each solve starts from the basis the last one ended with, and the
    primal simplex keeps it feasible when only the objective changes (on the country
    series, 10 to 40 times fewer iterations than HiGHS's defaults).
    A program drives the solver of the thread that made it: use it on that thread.
    """

    def __init__(self, rows: sparse.sparray, row_lower: np.ndarray, row_upper: np.ndarray,
                 col_lower: np.ndarray, col_upper: np.ndarray) -> None:  # fmt: skip
        import highspy

        self._highspy = highspy
        self.n = rows.shape[1]
        self.solved = 0
        self.last_point: np.ndarray | None = None
        self.status = ""  # of the last solve: "", "unbounded", "unbounded or infeasible"
        self._basis: Any = None  # HiGHS's basis when another program took the solver
        self._warm = False
        self._lp = _lp(highspy, sparse.csc_array(rows), row_lower, row_upper, col_lower,
                       col_upper)  # fmt: skip
        self._columns = np.arange(self.n, dtype=np.int32)
        self._model = _solver()
        self._load()

    def _load(self) -> None:
        """Load this program into the thread's solver, keeping the basis the program there
        before it ended with (for when it is loaded again) and restoring this one's."""
        before = getattr(_solvers, "owner", None)
        if before is not None and before is not self and before._warm:
            before._basis = self._model.getBasis()
        self._model.passModel(self._lp)
        self._warm = self._basis is not None
        if self._warm:
            self._model.setBasis(self._basis)
        _solvers.owner = self

    def _run(self, objective: np.ndarray) -> float:
        """Minimise objective . (every column); -inf where nothing bounds it."""
        self.solved += 1
        if getattr(_solvers, "owner", None) is not self:  # another program used the solver
            self._load()
        model, status = self._model, self._highspy.HighsModelStatus
        model.changeColsCost(len(self._columns), self._columns, objective)
        # From no basis the dual simplex is the faster (5 to 10 times on the country
        # series); from the last one the primal, which keeps it feasible.
        model.setOptionValue("simplex_strategy", 4 if self._warm else 1)
        model.run()
        self._warm = True
        found = model.getModelStatus()
        self.status = ("unbounded or infeasible" if found == status.kUnboundedOrInfeasible
                       else "unbounded" if found == status.kUnbounded else "")  # fmt: skip
        if found in (status.kUnbounded, status.kUnboundedOrInfeasible):
            self.last_point = None
            return -np.inf
        if found != status.kOptimal:
            raise RuntimeError(f"audit LP failed: {model.modelStatusToString(found)}")
        self.last_point = np.array(model.getSolution().col_value)[: self.n]
        return float(model.getInfo().objective_function_value)

    def minimum(self, objective: np.ndarray) -> float:
        """The smallest objective . z the facts allow (-inf where nothing bounds it)."""
        return self._run(np.asarray(objective, dtype=float))

    def maximum(self, objective: np.ndarray) -> float:
        """The largest objective . z the facts allow (inf where nothing caps it)."""
        return -self.minimum(-np.asarray(objective, dtype=float))


class Capped(Program):
    """A point of the facts that takes as many of some objectives as it can to their caps
    or beyond at once: it maximises the sum of min(objective . z, cap) over the chosen ones
    (one more column each, at most its cap and at most its objective). Bounded whatever
    the facts leave unbounded, so one solve can show many objectives reach their caps.
    (One program to k and to 0 together, each choice starting from the other's basis, was
    slower on the country series than two.)"""

    def __init__(self, program: Program, objectives: sparse.sparray,
                 cap: float | np.ndarray) -> None:  # fmt: skip
        import highspy

        self._highspy = highspy
        base, m = program._lp, objectives.shape[0]
        self.n = program.n
        self.solved = 0
        self.last_point = None
        self.status = ""
        self._basis, self._warm = None, False
        inf = highspy.kHighsInf
        rows = sparse.block_array([[_matrix(base), None],
                                   [-sparse.csr_array(objectives), sparse.eye_array(m)]],
                                  format="csc")  # fmt: skip
        self._lp = _lp(highspy, rows,
                       np.concatenate([base.row_lower_, np.full(m, -inf)]),
                       np.concatenate([base.row_upper_, np.zeros(m)]),
                       np.concatenate([base.col_lower_, np.full(m, -inf)]),
                       np.concatenate([base.col_upper_,
                                       np.broadcast_to(np.asarray(cap, float), m)]))  # fmt: skip
        self._columns = np.arange(self.n + m, dtype=np.int32)
        self._model = _solver()
        self._load()

    def point(self, chosen: np.ndarray) -> np.ndarray | None:
        """The point for the chosen objectives (a bool per objective)."""
        cost = np.concatenate([np.zeros(self.n), -np.asarray(chosen, dtype=float)])
        self._run(cost)
        return self.last_point


def _matrix(lp: Any) -> sparse.csc_array:
    """A HighsLp's constraint matrix (column-wise)."""
    matrix = lp.a_matrix_
    shape = (lp.num_row_, lp.num_col_)
    return sparse.csc_array((np.asarray(matrix.value_), np.asarray(matrix.index_),
                             np.asarray(matrix.start_)), shape=shape)  # fmt: skip


def _lp(highspy: Any, rows: sparse.csc_array, row_lower: np.ndarray, row_upper: np.ndarray,
        col_lower: np.ndarray, col_upper: np.ndarray) -> Any:  # fmt: skip
    lp = highspy.HighsLp()
    lp.num_row_, lp.num_col_ = rows.shape
    lp.col_cost_ = np.zeros(rows.shape[1])
    lp.col_lower_, lp.col_upper_ = np.asarray(col_lower, float), np.asarray(col_upper, float)
    lp.row_lower_, lp.row_upper_ = np.asarray(row_lower, float), np.asarray(row_upper, float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = rows.indptr
    lp.a_matrix_.index_ = rows.indices
    lp.a_matrix_.value_ = rows.data
    return lp
