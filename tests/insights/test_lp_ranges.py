"""The LP helper: right answers, and nothing printed by the solver."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy import sparse

from dashboard.insights.lp_ranges import Program

# x + y = 10, y <= 4 (x, y >= 0): x lies in 6..10.
SCRIPT = """
import numpy as np
import pytest
from scipy import sparse
from dashboard.insights.lp_ranges import Program
p = Program(sparse.csr_array(np.array([[1.0, 1.0], [0.0, 1.0]])), np.array([10.0, -np.inf]),
            np.array([10.0, 4.0]), np.zeros(2), np.full(2, np.inf))
print(p.minimum(np.array([1.0, 0.0])), p.maximum(np.array([1.0, 0.0])))
"""


def test_a_program_gives_the_range_of_an_objective() -> None:
    p = Program(sparse.csr_array(np.array([[1.0, 1.0], [0.0, 1.0]])), np.array([10.0, -np.inf]),
                np.array([10.0, 4.0]), np.zeros(2), np.full(2, np.inf))  # fmt: skip
    assert (p.minimum(np.array([1.0, 0.0])), p.maximum(np.array([1.0, 0.0]))) == (6.0, 10.0)
    assert p.maximum(np.array([0.0, 1.0])) == 4.0


def test_the_solver_prints_nothing() -> None:
    """highspy's `Highs` prints a banner to standard output when made: a build's output
    (and anything that reads it) would carry it. A fresh process, so the solver is new."""
    run = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         check=True, timeout=120)  # fmt: skip
    assert run.stdout == "6.0 10.0\n"
    assert "HiGHS" not in run.stderr


def test_a_system_says_unbounded_and_refuses_contradictions() -> None:
    """Nothing caps y: its range is [0, inf); facts that contradict are an error, never a
    range (an audit over broken facts must fail, not pass)."""
    from dashboard.insights.lp_ranges import system

    open_ended = system(2, [(np.array([1.0, 0.0]), 3.0)])
    assert open_ended.range(np.array([1.0, 0.0])) == (3.0, 3.0)
    assert open_ended.range(np.array([0.0, 1.0])) == (0.0, np.inf)
    broken = system(1, [(np.array([1.0]), 1.0), (np.array([1.0]), 2.0)])
    with pytest.raises(RuntimeError):
        broken.range(np.array([1.0]))
