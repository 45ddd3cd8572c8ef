"""Delphi consensus in rate rounds, checked by hand on the fixture.

From tests/fixtures/export/votes.csv and members.csv (k = 11), round R3 (rate), 24 raters:
- Q1: M01-M12 (person_with_ms) rate 5, M25-M36 (caregiver) rate 4: important (4-5) 24,
  unimportant (1-2) 0. Share important 100% (Wilson 86.2%-100%): consensus in.
- Q2: M01-M12 rate 3, M25-M36 rate 2: important 0, unimportant 12 (50%, Wilson
  31.4%-68.6%), rated 3: 12. Neither 70% rule holds: no consensus.
- By role: person_with_ms Q1 12/12 important (in), Q2 0 important, 0 unimportant (none);
  caregiver Q1 12/12 important (in), Q2 12/12 unimportant (out). So Q1 reaches consensus
  in every group, Q2 in some.
- By age band (as of 2026-11-01): born 1975 -> 50-59, born 1990 -> 30-39. Each band has
  6 people with MS and 6 caregivers of each birth year, so in each band Q2 splits
  (important, unimportant, rated 3) = (0, 6, 6) of 12: 6 is below k, so rated 1-2 is
  withheld, and rated 3 with it (else 12 - 0 - 6 would give it away); the status is
  withheld with the unimportant share.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats

from dashboard.config import Settings
from dashboard.db import Warehouse
from dashboard.engine import Engine
from dashboard.figures import chart_figures, summaries
from dashboard.filters import FilterError, Filters
from dashboard.insights import priorities as pr
from dashboard.insights.consensus import status
from dashboard.insights.disclosure import protect_batch
from dashboard.insights.tables import forget_recent_tables

K = 11


def _rows(engine: Engine, args: dict) -> dict[tuple[str, str], dict]:
    return {(r["question_id"], r["group"]): r for r in engine.run("consensus", args).rows}


def _wilson(x: int, n: int) -> tuple[float, float]:
    ci = scipy.stats.binomtest(x, n).proportion_ci(method="wilson")
    return float(ci.low), float(ci.high)


def test_all_raters_by_hand(engine: Engine) -> None:
    result = engine.run("consensus", {})
    assert result.context["round"]["round_id"] == "R3"
    assert [(r["question_id"], r["group"]) for r in result.rows] == [("Q1", "all"), ("Q2", "all")]
    q1, q2 = result.rows
    counts = ("raters", "rated_4_or_5", "rated_1_or_2", "status")
    assert [q1[c] for c in counts] == [24, 24, 0, "in"]
    assert [q2[c] for c in counts] == [24, 0, 12, "none"]
    assert q1["share_important"] == 1.0 and q2["share_unimportant"] == 0.5
    assert "suppressed" not in q1 and "suppressed" not in q2
    assert result.method.startswith("share rule: in = at least 70% rate it 4-5 and below 15%")
    assert result.count_fields == {"raters", "rated_4_or_5", "rated_1_or_2"}
    assert result.context["reach_every"] == ["Q1"] and result.context["reach_none"] == ["Q2"]
    # The same raters and rated 4-5 as the priorities chart serves.
    ranked = {r["question_id"]: r for r in engine.run("priorities", {}).rows}
    for row in result.rows:
        assert ranked[row["question_id"]]["raters"] == row["raters"]
        assert ranked[row["question_id"]]["rated_4_or_5"] == row["rated_4_or_5"]


def test_wilson_intervals_match_scipy(engine: Engine) -> None:
    rows = engine.run("consensus", {"compare": "role"}).rows
    assert len(rows) == 6
    for row in rows:
        for count, low, high in (("rated_4_or_5", "ci_low", "ci_high"),
                                 ("rated_1_or_2", "unimportant_low", "unimportant_high")):  # fmt: skip
            expected = _wilson(row[count], row["raters"])
            assert (row[low], row[high]) == pytest.approx(expected, abs=1e-12)
    q2 = next(r for r in rows if (r["question_id"], r["group"]) == ("Q2", "all"))
    assert (q2["unimportant_low"], q2["unimportant_high"]) == pytest.approx(
        (0.314, 0.686), abs=5e-4
    )


def test_each_group_by_hand_and_how_many_reach_consensus(engine: Engine) -> None:
    result = engine.run("consensus", {"compare": "role"})
    rows = {(r["question_id"], r["group"]): r for r in result.rows}
    assert set(rows) == {(q, g) for q in ("Q1", "Q2")
                         for g in ("all", "person_with_ms", "caregiver")}  # fmt: skip
    got = {key: (r["raters"], r["rated_4_or_5"], r["rated_1_or_2"], r["status"])
           for key, r in rows.items()}  # fmt: skip
    assert got[("Q1", "person_with_ms")] == (12, 12, 0, "in")
    assert got[("Q1", "caregiver")] == (12, 12, 0, "in")
    assert got[("Q2", "person_with_ms")] == (12, 0, 0, "none")
    assert got[("Q2", "caregiver")] == (12, 0, 12, "out")
    ctx = result.context
    assert ctx["groups"] == ["person_with_ms", "caregiver"]  # "other" did not vote in R3
    assert (ctx["reach_every"], ctx["reach_some"], ctx["reach_none"]) == (["Q1"], ["Q2"], [])
    assert summaries.consensus(result) == (
        "Consensus (70% / 15% rule) among all raters: in for "
        "“Can remyelination therapies slow progression?”; out for none. 1 of 2 "
        "questions reach consensus in every group (people with MS, caregivers), 1 in some, "
        "0 in none."
    )
    fig = chart_figures.consensus(result, "page")
    texts = list(fig.data[-1].text)
    assert texts.count("consensus in") == 3 and texts.count("consensus out") == 1
    assert sorted(s.x0 for s in fig.layout.shapes) == [0.15, 0.7]


def test_thresholds_are_parameters_that_change_the_status(engine: Engine) -> None:
    looser = _rows(engine, {"consensus_high": "50"})
    assert looser[("Q2", "all")]["status"] == "out"  # 50% rate it 1-2, 0% rate it 4-5
    assert engine.run("consensus", {"consensus_high": "50"}).method.startswith(
        "share rule: in = at least 50%"
    )
    stricter = _rows(engine, {"consensus_low": "1", "consensus_high": "99"})
    assert stricter[("Q1", "all")]["status"] == "in"  # 100% and 0%: holds at any threshold
    assert stricter[("Q2", "all")]["status"] == "none"
    assert status(7, 1, 10, 70, 15) == "in" and status(7, 2, 10, 70, 15) == "none"
    assert status(1, 7, 10, 70, 15) == "out" and status(0, 0, 0, 70, 15) is None


@pytest.mark.parametrize("args", [{"consensus_high": "0"}, {"consensus_high": "100"},
                                  {"consensus_low": "7.5"}, {"consensus_low": "07"},
                                  {"consensus_high": "seventy"}, {"consensus_low": "-5"},
                                  {"consensus_high": "20", "consensus_low": "30"}])  # fmt: skip
def test_a_bad_threshold_is_refused(engine: Engine, fixture_warehouse, args: dict) -> None:
    with pytest.raises(FilterError):
        Filters.parse(args, allowed=["consensus_high", "consensus_low"])
    from app import create_app

    app = create_app(Settings(warehouse=fixture_warehouse, k=K, query_timeout_s=5,
                              network_name=""))  # fmt: skip
    resp = app.server.test_client().get("/api/v1/charts/consensus.json", query_string=args)
    assert resp.status_code == 400


def test_a_status_is_withheld_with_its_shares(engine: Engine) -> None:
    result = engine.run("consensus", {"compare": "age_band"})
    rows = {(r["question_id"], r["group"]): r for r in result.rows}
    assert result.context["groups"] == ["30-39", "50-59"]
    for band in ("30-39", "50-59"):
        q2 = rows[("Q2", band)]
        assert (q2["raters"], q2["rated_4_or_5"]) == (12, 0)  # served
        assert set(q2["suppressed"]) == {"rated_1_or_2", "share_unimportant",
                                         "unimportant_low", "unimportant_high", "status"}  # fmt: skip
        assert q2["status"] is None and q2["share_unimportant"] is None
        assert rows[("Q1", band)]["status"] == "in"
    assert result.context["reach_undetermined"] == ["Q2"]
    assert result.context["reach_every"] == ["Q1"]
    fig = chart_figures.consensus(result, "page")
    assert "withheld" in list(fig.data[-1].text)
    body = result.to_json()
    assert all(r["status"] is None for r in body["rows"] if "status" in r.get("suppressed", ()))


def test_a_round_without_ratings_says_so(engine: Engine) -> None:
    result = engine.run("consensus", {"round": "R1"})
    assert result.rows == [] and "rate" in result.message


# --- the three-outcome protection -------------------------------------------------------


def _line_safe(values: np.ndarray, hidden: np.ndarray) -> bool:
    """No withheld count of 1..k-1 among the outcomes is the total minus the served others.

    A total (raters) of 1..k-1 is itself withheld, with every field of its row.
    """
    withheld = values[hidden]
    if not hidden.any() or 0 < values.sum() < K:
        return True
    if hidden.sum() == 1:
        return not (0 < withheld[0] < K)  # only a zero or k+ could stand alone
    return bool(withheld.sum() >= K or withheld.sum() == 0)


def test_protect_batch_takes_three_outcomes_along_the_last_axis() -> None:
    rng = np.random.default_rng(16)
    raters = rng.integers(0, 40, size=(30, 4, 3))
    top = rng.integers(0, raters + 1)
    bottom = rng.integers(0, raters - top + 1)
    table = np.stack([top, bottom, raters - top - bottom], axis=-1)
    mask = protect_batch(table, K)
    assert mask.shape == table.shape
    assert not ((table > 0) & (table < K) & ~mask).any()  # primary suppression
    lines = table.reshape(-1, 3), mask.reshape(-1, 3)
    unsafe = [i for i, (v, h) in enumerate(zip(*lines, strict=True)) if not _line_safe(v, h)]
    assert not unsafe
    alone = mask.sum(axis=-1) == 1  # one withheld cell in a line: only in an all-zero line
    assert (table[alone] == 0).all()
    assert ((table.sum(axis=-1) >= K) & mask.any(axis=-1)).any()  # the test has teeth


@pytest.mark.parametrize("dims", [[], ["age_band"], ["role"], ["sex"], ["role", "age_band"],
                                  ["duration_band"]])  # fmt: skip
def test_rated_4_5_1_2_and_3_are_protected_together(fixture_warehouse, dims: list) -> None:
    wh = Warehouse(fixture_warehouse)
    rnd = pr.resolve_round(wh, "R3")
    forget_recent_tables()
    tables = pr.load_tables(wh, rnd, Filters(), dims, K)
    for qid, m in tables.measures.items():
        top, bottom = tables.hidden(qid, "top2", K), tables.hidden(qid, "bottom2", K)
        assert top.shape == (*tables.axes.shape, 3)
        # One split: bottom2's mask is the same three cells with its own outcome first.
        assert (bottom[..., 0] == top[..., 1]).all() and (bottom[..., 1] == top[..., 0]).all()
        assert (bottom[..., 2] == top[..., 2]).all()
        values = np.stack([m["top2"], m["bottom2"], m["voters"] - m["top2"] - m["bottom2"]],
                          axis=-1)  # fmt: skip
        for v, h in zip(values.reshape(-1, 3), top.reshape(-1, 3), strict=True):
            assert _line_safe(v, h), (qid, dims, v, h)
    if dims == ["age_band"]:
        q2 = tables.axes.index(age_band="30-39")
        assert tables.hidden("Q2", "top2", K)[q2].tolist() == [False, True, True]


# --- stability between successive rate rounds (consensus-change) -------------------------


def test_one_rate_round_has_nothing_to_compare(engine: Engine) -> None:
    result = engine.run("consensus-change", {})
    assert result.rows == [] and "two successive rate rounds" in result.message
    assert "two successive" in summaries.consensus_change(result)


@pytest.fixture(scope="module")
def two_rate_rounds(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The fixture plus R4 (rate, 2026-06), rated by the same 24 people as R3.

    M01-M12 rate Q1 5 and Q2 1; M25-M36 rate Q1 3 and Q2 2. So in R4:
    Q1 12 of 24 rate it 4-5, 0 rate it 1-2 (50%: no consensus; it was in, 24 of 24);
    Q2 0 rate it 4-5, 24 rate it 1-2 (consensus out; it was none, 12 of 24 rated 1-2).
    """
    import os
    import shutil

    from dashboard.warehouse.build import build_warehouse
    from tests.conftest import FIXTURE_EXPORT, TEST_KEY

    os.environ["DASHBOARD_PSEUDONYM_KEY"] = TEST_KEY
    folder = tmp_path_factory.mktemp("two-rate")
    export = folder / "export"
    shutil.copytree(FIXTURE_EXPORT, export)
    with (export / "rounds.csv").open("a") as f:
        f.write("R4,Round 4: rate again,2026-06-01,2026-06-30,rate,\n")
    lines = []
    for i in [*range(1, 13), *range(25, 37)]:
        q1, q2 = (5, 1) if i <= 12 else (3, 2)
        lines += [f"R4,Q1,M{i:02d},2026-06-10T12:00:00,{q1}\n",
                  f"R4,Q2,M{i:02d},2026-06-10T12:00:00,{q2}\n"]  # fmt: skip
    with (export / "votes.csv").open("a") as f:
        f.writelines(lines)
    build_warehouse(export, folder / "warehouse.duckdb")
    return Engine(Settings(warehouse=folder / "warehouse.duckdb", k=K, query_timeout_s=5,
                           network_name=""))  # fmt: skip


def test_change_between_two_rate_rounds_by_hand(two_rate_rounds: Engine) -> None:
    result = two_rate_rounds.run("consensus-change", {})
    assert result.context["rounds"] == ["R3", "R4"]
    rows = {r["question_id"]: r for r in result.rows}
    q1, q2 = rows["Q1"], rows["Q2"]
    assert (q1["share_before"], q1["share_after"], q1["change"]) == (1.0, 0.5, -0.5)
    assert (q1["status_before"], q1["status_after"], q1["status_changed"]) == ("in", "none", True)
    assert (q2["share_before"], q2["share_after"], q2["change"]) == (0.0, 0.0, 0.0)
    assert (q2["status_before"], q2["status_after"], q2["status_changed"]) == ("none", "out", True)
    # Newcombe's hybrid Wilson interval, from scipy's Wilson bounds (independent of stats.py).
    l1, u1 = _wilson(12, 24)
    l2, u2 = _wilson(24, 24)
    low = -0.5 - ((0.5 - l1) ** 2 + (u2 - 1.0) ** 2) ** 0.5
    high = -0.5 + ((u1 - 0.5) ** 2 + (1.0 - l2) ** 2) ** 0.5
    assert (q1["change_low"], q1["change_high"]) == pytest.approx((low, high), abs=1e-12)
    assert result.context["status_changed"] == ["Q1", "Q2"]
    assert summaries.consensus_change(result) == (
        "2 questions were rated in R3 and R4; consensus status changed for 2 (“Can "
        "remyelination therapies slow progression?”, “How can families, employers and carers "
        "help with fatigue?”); the share rating it 4-5 clearly moved for 1 (“Can remyelination "
        "therapies slow progression?”): another round could still change the picture."
    )
    fig = chart_figures.consensus_change(result, "page")
    assert "consensus in → no consensus" in list(fig.data[-1].text)
    # The round asked is the later one; R3 has no rate round before it.
    assert two_rate_rounds.run("consensus-change", {"round": "R3"}).message
    assert two_rate_rounds.run("consensus", {"round": "R4"}).rows[1]["status"] == "out"


def test_a_change_is_withheld_with_a_share(two_rate_rounds: Engine) -> None:
    rows = two_rate_rounds.run("consensus-change", {"compare": "age_band"}).rows
    by = {(r["question_id"], r["group"]): r for r in rows}
    # In each age band Q2 splits (0, 6, 6) of 12 in R3: its status is withheld there.
    q2 = by[("Q2", "30-39")]
    assert {"status_before", "status_changed"} <= set(q2["suppressed"])
    assert q2["status_changed"] is None and q2["share_before"] == 0.0  # rated 4-5 is served
