"""The median and interquartile range consensus rule (`consensus_rule=median_iqr`), by hand.

From tests/fixtures/export/votes.csv (k = 11), round R3 (rate), 24 raters:
- Q1: M01-M12 (person_with_ms) rate 5, M25-M36 (caregiver) rate 4. Sorted, the 24
  ratings are twelve 4s then twelve 5s (0-based positions 0-11 and 12-23). Quartiles
  are Hyndman-Fan type 7: h = (n - 1) p = 23 p. Median: h = 11.5, between x[11] = 4 and
  x[12] = 5: 4.5. q1: h = 5.75, x[5] = x[6] = 4: 4. q3: h = 17.25, x[17] = x[18] = 5: 5.
  IQR 1, median >= 4: consensus in.
- Q2: M01-M12 rate 3, M25-M36 rate 2: twelve 2s then twelve 3s: median 2.5, q1 2, q3 3.
  IQR 1 but the median is neither >= 4 nor <= 2: no consensus.
- By role: person_with_ms Q1 all 5 (5, 5, 5: in), Q2 all 3 (3, 3, 3: none); caregiver
  Q1 all 4 (4, 4, 4: in), Q2 all 2 (2, 2, 2: out).
- By age band: each band has 6 of each birth year, so Q1 splits rated 4 / rated 5 as
  6 / 6 of 12 (both below k): the median, quartiles and status are withheld although
  raters (12), rated 4-5 (12) and rated 1-2 (0) are served and the share rule's status
  is shown.
"""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.config import Settings
from dashboard.db import Warehouse
from dashboard.engine import Engine
from dashboard.figures import chart_figures, summaries
from dashboard.filters import FilterError, Filters
from dashboard.insights import priorities as pr
from dashboard.insights.consensus import median_status, quantile
from dashboard.insights.result import WITHHELD, to_csv
from dashboard.insights.tables import forget_recent_tables

K = 11
MEDIAN = {"consensus_rule": "median_iqr"}


def _rows(engine: Engine, args: dict) -> dict[tuple[str, str], dict]:
    return {(r["question_id"], r["group"]): r for r in engine.run("consensus", args).rows}


def test_median_rule_by_hand(engine: Engine) -> None:
    result = engine.run("consensus", {**MEDIAN, "compare": "role"})
    got = {key: (r["median"], r["q1"], r["q3"], r["status"])
           for key, r in _rows(engine, {**MEDIAN, "compare": "role"}).items()}  # fmt: skip
    assert got == {
        ("Q1", "all"): (4.5, 4.0, 5.0, "in"),
        ("Q2", "all"): (2.5, 2.0, 3.0, "none"),
        ("Q1", "person_with_ms"): (5.0, 5.0, 5.0, "in"),
        ("Q1", "caregiver"): (4.0, 4.0, 4.0, "in"),
        ("Q2", "person_with_ms"): (3.0, 3.0, 3.0, "none"),
        ("Q2", "caregiver"): (2.0, 2.0, 2.0, "out"),
    }
    assert result.method.startswith(
        "median and interquartile range rule: in = median rating "
        "at least 4 and interquartile range (q3 - q1) at most 1"
    )
    assert result.context["rule"] == "median_iqr"
    # Every field of the share rule is still there, unchanged.
    share = engine.run("consensus", {"compare": "role"})
    for mine, theirs in zip(result.rows, share.rows, strict=True):
        assert {c: mine[c] for c in share.columns if c != "status"} == {
            c: theirs[c] for c in share.columns if c != "status"
        }
        assert set(result.columns) == {*share.columns, "median", "q1", "q3"}
    assert (result.context["reach_every"], result.context["reach_some"]) == (["Q1"], ["Q2"])


def test_quartiles_match_numpy_type_7() -> None:
    """An independent computation: numpy's "linear" method is Hyndman-Fan type 7."""
    rng = np.random.default_rng(3)
    for _ in range(300):
        counts = tuple(int(c) for c in rng.integers(0, 6, size=5))
        if not sum(counts):
            assert np.isnan(quantile(counts, 0.5))
            continue
        ratings = np.repeat(np.arange(1, 6), counts)
        for p in (0.25, 0.5, 0.75):
            assert quantile(counts, p) == pytest.approx(np.quantile(ratings, p, method="linear"))
    assert median_status(4, 4, 5) == "in" and median_status(4, 3.75, 5) == "none"
    assert median_status(2, 1, 2) == "out" and median_status(2.25, 2, 3) == "none"
    assert median_status(float("nan"), float("nan"), float("nan")) is None


def test_median_is_withheld_unless_every_rating_count_is_served(engine: Engine) -> None:
    rows = _rows(engine, {**MEDIAN, "compare": "age_band"})
    share = _rows(engine, {"compare": "age_band"})
    for band in ("30-39", "50-59"):
        q1 = rows[("Q1", band)]
        assert (q1["raters"], q1["rated_4_or_5"], q1["rated_1_or_2"]) == (12, 12, 0)
        assert set(q1["suppressed"]) == {"median", "q1", "q3", "status"}
        assert q1["median"] is q1["q1"] is q1["q3"] is q1["status"] is None
        assert share[("Q1", band)]["status"] == "in"  # the share rule can still say it
        q2 = rows[("Q2", band)]  # (0, 6, 6): rated 1-2 withheld as before, and the median
        assert {"rated_1_or_2", "median", "status"} <= set(q2["suppressed"])
    result = engine.run("consensus", {**MEDIAN, "compare": "age_band"})
    csv = to_csv(result)
    assert csv.count(WITHHELD) >= 4 * 4
    assert "median" in csv.splitlines()[0]


def _read(tables: pr.Tables, flags: np.ndarray) -> np.ndarray:
    """Flags of the cells a chart reads: a who axis's "everyone" is read from a coarser
    table (disclosure control leaves it to that table's decisions)."""
    if "who" not in tables.axes.dims:
        return flags
    axis = tables.axes.dims.index("who")
    flags = flags.copy()
    index = [slice(None)] * flags.ndim
    index[axis] = tables.axes.values[axis].index("everyone")
    flags[tuple(index)] = False
    return flags


def test_rating_counts_are_protected_nested_in_the_three_way_split(fixture_warehouse) -> None:
    """Rated 5 / rated 4 within rated 4-5, rated 1 / rated 2 within rated 1-2: withheld
    wherever the whole is, and each line of a served whole safe on its own."""
    wh = Warehouse(fixture_warehouse)
    rnd = pr.resolve_round(wh, "R3")
    for dims in ([], ["age_band"], ["role"], ["role", "age_band"], ["duration_band"]):
        forget_recent_tables()
        tables = pr.load_tables(wh, rnd, Filters(), dims, K)
        for qid, m in tables.measures.items():
            for part, whole, outcome in (("top1", "top2", 0), ("bottom1", "bottom2", 1)):
                mask = tables.hidden(qid, part, K)
                outer = tables.hidden(qid, "top2", K)[..., outcome]
                assert mask.shape == (*tables.axes.shape, 2)
                assert (mask[..., 0] | ~outer).all() and (mask[..., 1] | ~outer).all()
                values = np.stack([m[part], m[whole] - m[part]], axis=-1)
                shown = _read(tables, (values > 0) & (values < K) & ~mask)
                assert not shown.any()
                alone = (mask.sum(axis=-1) == 1) & ~outer
                assert (values[_read(tables, alone)] == 0).all()
    forget_recent_tables()
    tables = pr.load_tables(wh, rnd, Filters(), ["age_band"], K)
    cell = tables.axes.index(age_band="30-39")
    assert tables.hidden("Q1", "top1", K)[cell].tolist() == [True, True]  # 6 and 6
    assert tables.hidden("Q1", "top2", K)[cell].tolist() == [False, False, False]


@pytest.mark.parametrize("bad", ["median", "MEDIAN_IQR", "iqr", "share,median_iqr", "1"])
def test_a_bad_rule_is_refused(fixture_warehouse, bad: str) -> None:
    with pytest.raises(FilterError, match=r"consensus_rule=.*use one of share, median_iqr"):
        Filters.parse({"consensus_rule": bad}, allowed=["consensus_rule"])
    from app import create_app

    app = create_app(Settings(warehouse=fixture_warehouse, k=K, query_timeout_s=5,
                              network_name=""))  # fmt: skip
    client = app.server.test_client()
    resp = client.get("/api/v1/charts/consensus.json", query_string={"consensus_rule": bad})
    assert resp.status_code == 400 and "median_iqr" in resp.get_json()["error"]
    ok = client.get("/api/v1/charts/consensus.json", query_string=MEDIAN).get_json()
    assert ok["rows"][0]["median"] == 4.5 and ok["method"].startswith("median and inter")
    listed = next(c for c in client.get("/api/v1/charts").get_json()["charts"]
                  if c["id"] == "consensus")  # fmt: skip
    assert "median_iqr" in listed["filters"]["consensus_rule"]


def test_summary_figure_and_slide_say_the_rule(engine: Engine) -> None:
    result = engine.run("consensus", {**MEDIAN, "compare": "role"})
    assert summaries.consensus(result) == (
        "Consensus (median rule: in = median rating 4 or more, out = 2 or less, each with an "
        "interquartile range of at most 1) among all raters: in for "
        "“Can remyelination therapies slow progression?”; out for none. 1 of 2 "
        "questions reach consensus in every group (people with MS, caregivers), 1 in some, 0 "
        "in none."
    )
    for size in ("page", "slide", "embed"):
        fig = chart_figures.consensus(result, size)
        texts = list(fig.data[-1].text)
        assert "consensus in · median 4.5 (IQR 4-5)" in texts
        assert not fig.layout.shapes  # no share thresholds under the median rule
    withheld = engine.run("consensus", {**MEDIAN, "compare": "age_band"})
    texts = list(chart_figures.consensus(withheld, "page").data[-1].text)
    assert f"{WITHHELD} · median {WITHHELD}" in texts
    change = engine.run("consensus-change", MEDIAN)
    assert "two successive" in change.message  # one rate round in the fixture
    assert "median and interquartile range rule" in change.method


@pytest.mark.slow
def test_fixture_rate_round_boxes_no_rating_count(fixture_warehouse) -> None:
    """The LP audit over every filter set `consensus` accepts under the median rule: the
    attacker knows every served raters, rated 4-5 and rated 1-2, and all five rating
    counts wherever a median is served (more than the quartiles say). No withheld count
    of 1..10 (raters, rated 4-5, 1-2, 3, each rating value) is boxed below k (~2 min)."""
    from dashboard.insights.audit import audit_ratings, collect_ratings, engine_for

    served = collect_ratings(engine_for(fixture_warehouse, K), "R3")
    report = audit_ratings(served)
    assert len(report.findings) > 100, report.summary()  # the audit has teeth
    assert any(f.count.field == "rated_5" for f in report.findings)
    assert any(f.field.startswith("rated_") and len(f.field) == 7 for f in served.facts)
    assert [f.describe() for f in report.boxed] == [], report.summary()
