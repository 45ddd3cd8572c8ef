"""An attacker with linear algebra: can any withheld small count be worked out?

For one round, ask the priorities chart for every allowed combination of up
to three voter filters, and collect every count it serves (the group's voters,
each question's picks). Each served count is a sum over the finest groups
(role x MS type x years since diagnosis x sex). A count is derivable from the
served ones exactly when its indicator vector lies in their span; none of
1..k-1 may be. This covers subtraction of any kind (neighbouring filters,
totals minus categories, relapsing minus RRMS, ...), not only the patterns
test_disclosure.py tries one by one.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import duckdb
import numpy as np
import pytest

from dashboard.config import Settings
from dashboard.engine import Engine
from dashboard.filters import GROUP_VALUES, WHO_DIMS

K = 11
COURSE = {"RRMS": "relapsing", "CIS": "relapsing", "SPMS": "progressive", "PPMS": "progressive"}
PWMS = "person_with_ms"


def _atoms() -> list[dict[str, str]]:
    """The finest groups, with every dimension's value for each."""
    out = []
    for role in GROUP_VALUES["role"]:
        mine = role == PWMS
        for ms_type in GROUP_VALUES["ms_type"][:5] if mine else ("not-applicable",):
            for duration in GROUP_VALUES["duration_band"][:5] if mine else ("not-applicable",):
                for sex in GROUP_VALUES["sex"]:
                    course = COURSE.get(ms_type, ms_type)
                    group = role if not mine else (
                        "unknown-course" if ms_type == "unknown" else course)  # fmt: skip
                    out.append({"role": role, "ms_type": ms_type, "ms_course": course,
                                "voter_group": group, "duration_band": duration,
                                "sex": sex})  # fmt: skip
    return out


ATOMS = _atoms()
KEY = ("role", "ms_type", "duration_band", "sex")


def _matches(atom: dict[str, str], cell: dict) -> bool:
    """A cell names one value per dimension, or a frozenset of values (a union)."""
    return all(atom[d] in v if isinstance(v, frozenset) else atom[d] == v
               for d, v in cell.items())  # fmt: skip


def _vector(cell: dict) -> np.ndarray:
    return np.array([_matches(a, cell) for a in ATOMS], dtype=float)


def _truth(counts: dict[tuple, int], cell: dict) -> int:
    return sum(counts.get(tuple(a[d] for d in KEY), 0) for a in ATOMS if _matches(a, cell))


def _in_span(rows: list[np.ndarray], xs: np.ndarray) -> np.ndarray:
    """For each row of xs, whether it is a linear combination of `rows`."""
    if not rows:
        return np.zeros(len(xs), dtype=bool)
    _, sv, vt = np.linalg.svd(np.array(rows), full_matrices=False)
    basis = vt[sv > 1e-9 * sv[0]]
    residual = xs - (xs @ basis.T) @ basis
    return np.abs(residual).max(axis=1) < 1e-6


def derivable_small_counts(path: Path, round_id: str, dims: list[str]) -> list[tuple]:
    """Every (what, question, group, count) with count in 1..k-1 that served counts reveal."""
    engine = Engine(Settings(warehouse=path, k=K, query_timeout_s=30, network_name=""))
    con = duckdb.connect(str(path), read_only=True)
    sql = ("SELECT role, ms_type, duration_band, sex, sum(voters) FROM voter_cube "
           "WHERE round_id = ? GROUP BY ALL")  # fmt: skip
    voters = {tuple(r[:4]): int(r[4]) for r in con.execute(sql, [round_id]).fetchall()}
    chosen: dict[str, dict[tuple, int]] = {}
    sql = ("SELECT question_id, role, ms_type, duration_band, sex, sum(voters) FROM vote_cube "
           "WHERE round_id = ? GROUP BY ALL")  # fmt: skip
    for r in con.execute(sql, [round_id]).fetchall():
        chosen.setdefault(r[0], {})[tuple(r[1:5])] = int(r[5])
    con.close()
    cells, served_voters = [], []
    served_chosen: dict[str, list[np.ndarray]] = {}
    for n in range(4):
        for names in itertools.combinations(dims, n):
            for values in itertools.product(*(GROUP_VALUES[d] for d in names)):
                cell = dict(zip(names, values, strict=True))
                cells.append(cell)
                if sum(d in WHO_DIMS for d in names) > 1:
                    continue  # refused as a filter; still a group an attacker wants
                result = engine.run("priorities", {"round": round_id, **cell})
                for row in result.rows:
                    if row.get("voters") is not None:
                        served_voters.append(_vector(cell))
                    count = row.get("picks", row.get("ranked", row.get("raters")))
                    if count is not None:
                        served_chosen.setdefault(row["question_id"], []).append(_vector(cell))
    # Unions too: complementary suppression promises that withheld cells of a line add
    # up to k or more, so any set of a dimension's categories (within one filter) counts.
    for dim in ("duration_band", "ms_type"):
        fixers = [{}] + [{d: v} for d in dims if d != dim for v in GROUP_VALUES[d]]
        values = GROUP_VALUES[dim]
        for size in range(2, len(values)):
            for chosen_values in itertools.combinations(values, size):
                for fixer in fixers:
                    cells.append({**fixer, dim: frozenset(chosen_values)})
    leaks = []
    xs = np.array([_vector(cell) for cell in cells])
    v_known = _in_span(served_voters, xs)
    v_true = [_truth(voters, cell) for cell in cells]
    leaks += [("voters", None, cell, v) for cell, v, known in zip(cells, v_true, v_known,
              strict=True) if known and 0 < v < K]  # fmt: skip
    for qid, rows in served_chosen.items():
        c_known = _in_span(rows, xs)
        for i, cell in enumerate(cells):
            c = _truth(chosen[qid], cell)
            if c_known[i] and 0 < c < K:
                leaks.append(("chosen", qid, cell, c))
            if c_known[i] and v_known[i] and 0 < v_true[i] - c < K:
                leaks.append(("not chosen", qid, cell, v_true[i] - c))
    return leaks


WHO = ["role", "ms_type", "ms_course", "voter_group", "duration_band"]


@pytest.mark.parametrize("round_id", ["R1", "R2", "R3"])
def test_fixture_network_reveals_no_small_count(fixture_warehouse: Path, round_id: str) -> None:
    assert derivable_small_counts(fixture_warehouse, round_id, [*WHO, "sex"]) == []


@pytest.mark.parametrize("round_id", ["R4", "R5", "R8"])  # pick, rank, rate
def test_demo_network_reveals_no_small_count(demo_warehouse: Path, round_id: str) -> None:
    """Role, MS type, MS course and voter group overlap (relapsing = RRMS + CIS):
    before they shared one protected axis, this found 92 derivable counts in R4.
    Years since diagnosis "not-applicable" are the who axis's "not-applicable":
    before the duration table took that column from the who table, 10 voters of
    R4 Q0087 (5-9 years or unknown) were 72 - 11 - 39 - 12 (an independent review)."""
    assert derivable_small_counts(demo_warehouse, round_id, WHO) == []


def test_demo_network_with_sex_reveals_no_small_count(demo_warehouse: Path) -> None:
    assert derivable_small_counts(demo_warehouse, "R8", ["ms_course", "sex", "duration_band"]) == []
