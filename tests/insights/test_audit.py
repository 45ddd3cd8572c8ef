"""The disclosure audit: linear programming over everything the priorities chart serves.

The machinery is checked on hand-made 2x2 tables (one where a withheld cell can
be worked out, so the audit can fail, and one where it cannot); then the audit
runs on the fixture network (every round) and on a small synthetic network of
640 members, where groups are small. A withheld count of 1..k-1 must never be
boxed below k by the served counts.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dashboard.insights.audit import Count, Grid, Served, audit, collect, engine_for, system

K = 11


def _range(eq: list[tuple[list[int], float]], objective: list[int]) -> tuple[float, float]:
    """(min, max) of a sum of 2x2 cells [a, b, c, d] given served sums."""
    sys_ = system(4, [(np.array(r, dtype=float), v) for r, v in eq])
    return sys_.range(np.array(objective, dtype=float))


# A 2x2 table a b / c d with a = 3 (withheld); rows and columns as served margins.
ROWS = [[1, 1, 0, 0], [0, 0, 1, 1]]
COLS = [[1, 0, 1, 0], [0, 1, 0, 1]]


def test_a_derivable_withheld_cell_is_caught() -> None:
    """Serving b, c and d beside the total gives a away: the audit pins it at 3."""
    served = [([1, 1, 1, 1], 40.0), ([0, 1, 0, 0], 12.0), ([0, 0, 1, 0], 13.0),
              ([0, 0, 0, 1], 12.0)]  # fmt: skip
    assert _range(served, [1, 0, 0, 0]) == pytest.approx((3.0, 3.0))


def test_a_cell_boxed_by_margins_is_caught() -> None:
    """Margins alone can box a cell below k though it is not pinned: 3 <= a <= 5."""
    served = [(ROWS[0], 5.0), (ROWS[1], 30.0), (COLS[0], 8.0), (COLS[1], 27.0)]
    low, high = _range(served, [1, 0, 0, 0])
    assert high < K and (low, high) == pytest.approx((0.0, 5.0))


def test_a_cell_hidden_with_its_neighbours_is_not_boxed() -> None:
    """Margins of 20 and 30 with every inner cell withheld: a could be 0 or 20."""
    served = [(ROWS[0], 20.0), (ROWS[1], 30.0), (COLS[0], 25.0), (COLS[1], 25.0)]
    assert _range(served, [1, 0, 0, 0]) == pytest.approx((0.0, 20.0))


def test_audit_reports_a_boxed_count_from_served_facts() -> None:
    """The audit itself (not only `system`) flags a withheld group that facts pin."""
    grid = Grid.build(["GB"])
    served = Served("R", "pick", K, grid)
    everyone = served.group(grid.mask({}))
    women = served.group(grid.mask({"sex": "female"}))
    others = [served.group(grid.mask({"sex": s})) for s in ("male", "other", "undisclosed")]
    served.facts.append(Count({}, None, "voters", "v", everyone, 40))
    for sex, g, value in zip(("male", "other", "undisclosed"), others, (12, 12, 13), strict=True):
        served.facts.append(Count({"sex": sex}, None, "voters", "v", g, value))
    served.withheld.append(Count({"sex": "female"}, None, "voters", "v", women, 3))
    report = audit(served)
    assert [(f.low, f.high) for f in report.boxed] == [(3.0, 3.0)]
    assert len(report.pinned) == 1


def _no_boxed(path: Path, round_id: str, max_sets: int | None) -> None:
    served = collect(engine_for(path, K), round_id, max_sets=max_sets)
    report = audit(served)
    if not report.findings:
        pytest.fail("nothing withheld: the audit checked nothing")
    assert [f.describe() for f in report.boxed] == [], report.summary()


@pytest.mark.slow
@pytest.mark.parametrize("round_id", ["R1", "R2", "R3"])  # pick, rank, rate
def test_fixture_network_boxes_no_withheld_count(fixture_warehouse: Path, round_id: str) -> None:
    """Every allowed filter set (the empty ones' finer sets are implied, not asked)."""
    _no_boxed(fixture_warehouse, round_id, max_sets=None)


@pytest.mark.slow
@pytest.mark.parametrize("round_id", [f"R{i}" for i in range(1, 9)])  # dozens of voters
def test_small_network_boxes_no_withheld_count(small_network: Path, round_id: str) -> None:
    """Every allowed filter set (4-25 s a round). R5 boxed 125 counts before complements
    were kept from being revealed from below, and R7 and R8 (rate) 4 and 6 before that
    rule covered the who axis and each question's counts."""
    _no_boxed(small_network, round_id, max_sets=None)


@pytest.mark.slow
def test_small_network_rank_round_by_age_and_sex_boxes_no_withheld_count(
    small_network: Path,
) -> None:
    """R5 of the 640-member network, every filter set of age band and sex.

    Before the build kept complements from being revealed from below, the age table
    withheld ages 60-69 (13 voters) as the complement of under-30 (1), 70-plus (3) and
    unknown (3), while the age x sex table served women 60-69 (13), the band's only
    non-empty part: the three small bands added up to at most 7, each boxed in [0, 7].
    """
    served = collect(engine_for(small_network, K), "R5", dims=("age_band", "sex"))
    report = audit(served)
    if not report.findings:
        pytest.fail("nothing withheld: the audit checked nothing")
    assert [f.describe() for f in report.boxed] == [], report.summary()
