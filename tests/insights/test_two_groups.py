"""Two groups compared (issue #15 item 4) on the fixture, counted by hand in
fixtures/export/README.md: R3 is rated by 12 people with RRMS (M01-M12: Q1 5, Q2 3) and
12 caregivers (M25-M36: Q1 4, Q2 2); progressive MS (SPMS, PPMS) is 8 people."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
import scipy.stats

from dashboard.engine import Engine
from dashboard.figures import chart_figures, summaries
from dashboard.figures.dumbbell import COMPARED_SCORES, make_dumbbell_figure
from dashboard.filters import FilterError, Filters
from dashboard.insights import stats
from dashboard.insights.result import WITHHELD
from dashboard.insights.two_groups import ASK, by_difference, choose_score, group_filters
from dashboard.insights.vote_methods import MEAN, SHARE_4_OR_5, vote_method

CHART = "priorities-two-groups"
PWMS_VS_CAREGIVERS = {"round": "R3", "role": "person_with_ms", "vs": "role=caregiver"}


def _rows(result) -> dict[str, dict]:
    return {r["question_id"]: r for r in result.rows}


# --- statistics -----------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b"), [((4.2, 0.9, 40), (3.7, 1.3, 25)),
                                      ((2.0, 0.5, 12), (2.1, 0.4, 300))])  # fmt: skip
def test_welch_from_served_means_and_intervals_agrees_with_scipy(a, b) -> None:
    """Only the served mean, 95% t-interval and count go in; scipy's Welch test (from the
    raw standard deviations) comes out."""
    served = []
    for mean, sd, n in (a, b):
        half = stats.t_quantile_975(n - 1) * sd / math.sqrt(n)
        served += [mean, mean - half, mean + half, n]
    d, low, high, p = stats.welch_difference(*served)
    test = scipy.stats.ttest_ind_from_stats(*a, *b, equal_var=False)
    assert d == pytest.approx(a[0] - b[0])
    assert p == pytest.approx(test.pvalue, rel=1e-9)
    (m1, s1, n1), (m2, s2, n2) = a, b
    v1, v2 = s1 * s1 / n1, s2 * s2 / n2
    df = (v1 + v2) ** 2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
    half = scipy.stats.t.ppf(0.975, df) * (m1 - m2) / test.statistic  # t * standard error
    assert (low, high) == pytest.approx((m1 - m2 - half, m1 - m2 + half), rel=1e-9)


def test_welch_without_spread_or_count() -> None:
    assert stats.welch_difference(5, 5, 5, 12, 4, 4, 4, 12) == (1, 1, 1, 0.0)
    assert stats.welch_difference(4, 4, 4, 12, 4, 4, 4, 12)[3] == 1.0
    assert math.isnan(stats.welch_difference(4, math.nan, math.nan, 1, 4, 3, 5, 12)[3])


# --- the data: lookups of each group's ranking -----------------------------------------


def test_people_with_ms_and_caregivers_in_the_rate_round(engine: Engine) -> None:
    result = engine.run(CHART, PWMS_VS_CAREGIVERS)
    assert result.message is None and result.method == "mean"  # the ranking's score
    rows = _rows(result)
    assert (rows["Q1"]["value_a"], rows["Q1"]["value_b"]) == (5.0, 4.0)
    assert (rows["Q2"]["value_a"], rows["Q2"]["value_b"]) == (3.0, 2.0)
    assert rows["Q1"]["base_a"] == rows["Q1"]["base_b"] == 12  # raters
    # Everyone in a group rated alike: no spread, a certain difference of one point.
    assert rows["Q1"]["difference"] == 1.0 and rows["Q1"]["significant"] is True
    assert result.context["tested"] == 2
    assert [r["question_id"] for r in result.rows] == ["Q1", "Q2"]  # equal: by id
    said = summaries.two_groups(result)
    assert said.startswith("People with MS and caregivers differ on 2 of 2 questions after "
                           "correcting for 2 comparisons (false discovery rate, "
                           "Benjamini-Hochberg). Largest: people with MS put")  # fmt: skip
    assert "Compared on the mean rating (1-5)." in said
    assert "up to 12 raters a question; caregivers: up to 12 raters a question." in said


def test_the_largest_difference_comes_first_and_withheld_ones_last() -> None:
    rows = [{"question_id": q, "difference": d} for q, d in
            (("Q1", 0.05), ("Q2", None), ("Q3", -0.30), ("Q4", 0.40), ("Q5", 0.05))]  # fmt: skip
    assert [r["question_id"] for r in by_difference(rows)] == ["Q4", "Q1", "Q5", "Q3", "Q2"]


@pytest.mark.parametrize("args", [
    PWMS_VS_CAREGIVERS,
    {"round": "R3", "vs": "role=caregiver"},
    {"round": "R1", "vs": "role=caregiver"},
    {"round": "R1", "role": "caregiver", "vs": "all"},
    {"round": "R2", "role": "person_with_ms", "vs": "all", "method": "share"},
    {"round": "R3", "ms_course": "relapsing", "vs": "voter_group=caregiver", "sex": "female"},
])  # fmt: skip
def test_each_group_is_exactly_what_its_own_ranking_serves(engine: Engine, args) -> None:
    """Nothing is counted: each value (and each withheld one) is the ranking's."""
    result = engine.run(CHART, args)
    mine, other = group_filters(Filters.parse(args, allowed=engine.parse(CHART, {})[0].filters))
    for suffix, group in (("a", mine), ("b", other)):
        ranking = engine.run("priorities", group.to_query())
        if ranking.message:
            assert result.message
            continue
        field = COMPARED_SCORES[result.method].field
        for qid, row in _rows(ranking).items():
            mine_row = _rows(result)[qid]
            assert mine_row[f"value_{suffix}"] == row[field], (qid, suffix)
            assert (f"value_{suffix}" in mine_row.get("suppressed", ())) == (
                field in row.get("suppressed", ()))  # fmt: skip


def test_withheld_values_stay_in_place_and_nothing_small_is_served(engine: Engine) -> None:
    result = engine.run(CHART, {"round": "R1", "vs": "role=caregiver"})
    rows = _rows(result)
    assert set(rows) == {"Q1", "Q2", "Q3"}  # none dropped
    for row in result.rows:
        assert row["value_b"] is None and {"value_b", "difference"} <= set(row["suppressed"])
        for name in result.count_fields:
            assert row.get(name) is None or row[name] == 0 or row[name] >= 11
    assert result.context["tested"] == 0
    assert "3 questions are withheld in one group or both" in summaries.two_groups(result)


def test_a_withheld_group_is_named_and_nothing_is_drawn(engine: Engine) -> None:
    result = engine.run(CHART, {"round": "R3", "ms_course": "progressive", "vs": "role=caregiver"})
    assert result.rows == [] and result.message
    assert summaries.two_groups(result).startswith("Cannot compare: people with progressive MS")


def test_without_a_group_to_compare_with_the_chart_asks_for_one(engine: Engine) -> None:
    result = engine.run(CHART, {})
    assert result.message == ASK and result.rows == []


def test_the_same_people_under_two_names_are_not_compared(engine: Engine) -> None:
    result = engine.run(CHART, {"ms_course": "relapsing", "vs": "voter_group=relapsing"})
    assert result.rows == [] and "same people" in result.message


@pytest.mark.parametrize(("args", "says"), [
    ({"vs": "all"}, "already chosen"),
    ({"role": "caregiver", "vs": "role=caregiver"}, "already chosen"),
    ({"vs": "role=caregiver", "compare": "age_band"}, "unknown filter 'compare'"),
    ({"vs": "role=caregiver", "age_band": "40-49", "sex": "female", "country": "US"},
     "at most 3"),
    ({"vs": "age_band=40-49"}, "use all, or one group of role"),
    ({"vs": "role=caregiver", "method": "balanced"}, "one score"),
])  # fmt: skip
def test_refused_comparisons_say_why(engine: Engine, args, says) -> None:
    with pytest.raises(FilterError, match=says):
        engine.run(CHART, args)


def test_one_comparison_at_a_time_wherever_both_are_accepted() -> None:
    with pytest.raises(FilterError, match="use one"):
        Filters.parse({"vs": "role=caregiver", "compare": "age_band"})


def test_the_ranking_score_falls_back_to_the_share_where_it_is_mostly_withheld() -> None:
    """A mean needs every rating count: where it is withheld for most questions whose share
    is served, the share rating it 4-5 is compared instead, and the result says why."""
    rnd = SimpleNamespace(vote=vote_method("rate"))
    served = {"mean_rating": 4.0, "share_4_or_5": 0.5, "suppressed": []}
    gone = {"mean_rating": None, "share_4_or_5": 0.5, "suppressed": ["mean_rating"]}
    a = SimpleNamespace(rows={"Q1": served, "Q2": served, "Q3": served})
    b = SimpleNamespace(rows={"Q1": served, "Q2": gone, "Q3": gone})
    score, why = choose_score(rnd, "mean", a, b)  # type: ignore[arg-type]
    assert score is SHARE_4_OR_5
    assert why == ("the ranking's score, mean rating, is withheld in one group for 2 of the 3 "
                   "questions that can be compared on the share")  # fmt: skip
    b.rows["Q2"] = served
    assert choose_score(rnd, "mean", a, b) == (MEAN, None)  # type: ignore[arg-type]


# --- the figure -------------------------------------------------------------------------


def _row(qid: str, a: float | None, b: float | None, significant: bool | None = None) -> dict:
    row = {"question_id": qid, "title": f"Question {qid} in full words", "value_a": a,
           "low_a": None if a is None else a - 0.1, "high_a": None if a is None else a + 0.1,
           "value_b": b, "low_b": None if b is None else b - 0.1,
           "high_b": None if b is None else b + 0.1, "difference": None, "suppressed": []}  # fmt: skip
    if a is not None and b is not None:
        row.update(difference=a - b, difference_low=a - b - 0.05, difference_high=a - b + 0.05,
                   significant=significant)  # fmt: skip
    else:
        row["suppressed"] = ["value_b", "difference"]
    return row


def test_the_dumbbell_joins_two_symbols_and_names_withheld_values_in_place() -> None:
    rows = [_row("Q1", 0.6, 0.3, True), _row("Q2", 0.4, 0.35, False), _row("Q3", 0.5, None)]
    names = ("people with progressive MS", "caregivers")
    fig = make_dumbbell_figure(rows, "share", names, "A: B", 70, tested=2)
    traces = {t.name: t for t in fig.data}
    held = traces["Difference holds after correction"]
    chance = traces["Difference could be chance"]
    assert held.line.dash == "solid" and chance.line.dash == "dot"  # not colour alone
    assert list(held.x) == [0.6, 0.3, None] and list(chance.x) == [0.4, 0.35, None]
    a, b = traces["People with progressive MS"], traces["Caregivers"]
    assert a.marker.symbol == "circle" and b.marker.symbol == "diamond-open"
    assert len(a.x) == 3 and len(b.x) == 2  # Q3's caregivers value is withheld, not drawn
    assert "+30 points (95% interval +25 to +35); holds after correction for 2 comparisons" in (
        a.hovertext[0])  # fmt: skip
    labels = [n.text for n in fig.layout.annotations]
    assert labels[0] == "Question Q1 in full words"
    assert labels[2] == f"Question Q3 in full words ({WITHHELD}: caregivers)"
    assert list(fig.layout.xaxis.range) == [0.0, 1.0]
    assert fig.layout.xaxis.title.text.startswith("Share of voters who chose it")
    ys = list(a.y)
    assert ys == sorted(ys)  # the rows' order (by difference), top to bottom


def test_the_chart_figure_says_who_and_how_many_and_the_slide_keeps_the_largest(
    engine: Engine,
) -> None:
    result = engine.run(CHART, {"round": "R1", "role": "person_with_ms", "vs": "role=caregiver"})
    fig = chart_figures.two_groups(result, "page")
    assert fig.layout.title.subtitle.text == "Round 1: pick two · 24 vs 12 voters"
    rate = engine.run(CHART, PWMS_VS_CAREGIVERS)
    fig = chart_figures.two_groups(rate, "slide")
    assert fig.layout.title.subtitle.text.endswith("up to 12 vs up to 12 raters a question")
    assert fig.layout.xaxis.title.text.startswith("Mean rating (1-5)")
    assert list(fig.layout.xaxis.range) == [1.0, 5.0]
