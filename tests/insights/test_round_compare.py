"""Shifts between rounds and each group's top ten, checked by hand on the fixture.

From tests/fixtures/export/README.md (k = 11):
- R1 (pick): Q1 22 of 36 voters, Q2 16 of 36, Q3 5 (withheld). Wilson intervals
  (0.45-0.75) and (0.30-0.60) overlap: Q1 rank 1, Q2 rank 2, both could be 1-2.
- R2 (rank, Borda per voter, n = 24): Q2 1.5 (1.28-1.72), Q1 1.0 (0.57-1.43),
  Q3 0.5 (0.29-0.71). Q3 lies wholly below Q2: Q2 1 [1-2], Q1 2 [1-3], Q3 3 [2-3].
- R3 (rate, 24 raters): Q1 mean 4.5 (4.28-4.72), Q2 2.5 (2.28-2.72): 1 [1-1], 2 [2-2].
  People with MS rate Q1 5 and Q2 3, caregivers Q1 4 and Q2 2.
So from R2 to R3, Q1 rose 2 -> 1 and Q2 fell 1 -> 2; Q3 was dropped; nothing is new.
"""

from __future__ import annotations

import pytest

from dashboard.config import Settings
from dashboard.engine import Engine
from dashboard.figures import chart_figures, summaries
from dashboard.insights.round_compare import group_top_rows, left_out


def _ranks(rows: list[dict]) -> dict[tuple[str, str], tuple]:
    return {(r["round_id"], r["question_id"]): (r["rank"], r["rank_low"], r["rank_high"])
            for r in rows}  # fmt: skip


def test_each_question_keeps_its_rank_and_interval_in_every_round(engine: Engine) -> None:
    result = engine.run("round-shifts", {})
    assert _ranks(result.rows) == {
        ("R1", "Q1"): (1, 1, 2), ("R1", "Q2"): (2, 1, 2), ("R1", "Q3"): (None, None, None),
        ("R2", "Q2"): (1, 1, 2), ("R2", "Q1"): (2, 1, 3), ("R2", "Q3"): (3, 2, 3),
        ("R3", "Q1"): (1, 1, 1), ("R3", "Q2"): (2, 2, 2),
    }  # fmt: skip
    q3 = next(r for r in result.rows if (r["round_id"], r["question_id"]) == ("R1", "Q3"))
    assert {"rank", "rank_low", "rank_high"} <= set(q3["suppressed"])  # withheld, not absent
    assert result.count_fields == frozenset()


def test_new_dropped_and_the_largest_movers(engine: Engine) -> None:
    result = engine.run("round-shifts", {})
    ctx = result.context
    assert (ctx["latest"], ctx["previous"]) == ("R3", "R2")
    assert ctx["new"] == [] and ctx["dropped"] == ["Q3"]
    assert ctx["movers"] == ["Q1", "Q2"]  # both moved one place; ties by question id
    by = {(r["round_id"], r["question_id"]): r for r in result.rows}
    assert by[("R3", "Q1")]["move"] == 1 and by[("R3", "Q2")]["move"] == -1
    assert by[("R2", "Q3")]["move"] is None  # its R1 rank is withheld: no move
    assert [by[("R1", q)]["status_in_round"] for q in ("Q1", "Q2", "Q3")] == ["new"] * 3
    assert by[("R3", "Q1")]["status_in_round"] == "kept"
    assert {q: by[("R2", q)]["rounds_in"] for q in ("Q1", "Q2", "Q3")} == {
        "Q1": 3, "Q2": 3, "Q3": 2}  # fmt: skip
    assert by[("R2", "Q3")]["in_latest_round"] is False
    assert summaries.round_shifts(result) == (
        "3 questions were in more than one of 3 rounds. From Round 2 to Round 3, largest "
        "movers: “Can remyelination therapies slow progression?” rose from rank 2 to 1, “How "
        "can families, employers and carers help with fatigue?” fell from rank 1 to 2. New in "
        'Round 3: none; dropped: “<img src=x onerror=alert(1)> Does "heat" worsen symptoms, '
        "& how?”."
    )
    fig = chart_figures.round_shifts(result, "page")
    coloured = [t.name for t in fig.data if t.showlegend]
    assert sorted(coloured) == ["Q1", "Q2"]  # Q3 is grey
    assert fig.layout.yaxis.autorange == "reversed"


@pytest.mark.parametrize("args", [
    {}, {"role": "caregiver"}, {"role": "person_with_ms"}, {"sex": "female"},
    {"topic": "Progression & repair"}, {"voter_group": "relapsing", "age_band": "40-49"},
])  # fmt: skip
def test_the_rows_are_the_priorities_rows_of_each_round(engine: Engine, args: dict) -> None:
    shifts = engine.run("round-shifts", args)
    expected, withheld = {}, []
    for rnd in engine.rounds():
        ranked = engine.run("priorities", {**args, "round": rnd.round_id})
        if ranked.message:
            withheld.append(rnd.round_id)
        for r in ranked.rows:
            expected[(rnd.round_id, r["question_id"])] = (r["rank"], r["rank_best"],
                                                          r["rank_worst"])  # fmt: skip
    assert _ranks(shifts.rows) == expected
    assert shifts.context["rounds_withheld"] == withheld


def test_a_round_the_group_cannot_be_shown_in_is_left_out_and_named(engine: Engine) -> None:
    # No caregiver voted in R2: it reads as withheld, and R1 is the round before R3.
    result = engine.run("round-shifts", {"role": "caregiver"})
    assert result.context["rounds_withheld"] == ["R2"]
    assert (result.context["previous"], result.context["latest"]) == ("R1", "R3")
    assert _ranks(result.rows)[("R3", "Q1")] == (1, 1, 1)  # caregivers: Q1 4 vs Q2 2
    assert result.context["movers"] == []  # every caregiver rank in R1 is withheld
    assert summaries.round_shifts(result).endswith("Rounds withheld for this group: R2.")


def test_each_group_top_ten_beside_the_combined_top_ten(engine: Engine) -> None:
    result = engine.run("group-top", {"round": "R3"})  # by role: people with MS, caregivers
    got = [(r["group"], r["rank"], r["question_id"], r["in_combined_top"]) for r in result.rows]
    assert got == [
        ("person_with_ms", 1, "Q1", True), ("person_with_ms", 2, "Q2", True),
        ("caregiver", 1, "Q1", True), ("caregiver", 2, "Q2", True),
        ("combined", 1, "Q1", True), ("combined", 2, "Q2", True),
    ]  # fmt: skip
    assert [r["score_value"] for r in result.rows[:4]] == [5.0, 3.0, 4.0, 2.0]
    assert result.context["left_out"] == {}
    assert summaries.group_top(result) == (
        "Every question in a top 10 of people with MS, caregivers is in the combined top 10."
    )
    assert engine.run("group-top", {"round": "R3", "compare": "voter_group"}).context[
        "groups"] == ["relapsing", "caregiver"]  # fmt: skip


def test_group_top_withholds_what_the_comparison_withholds(engine: Engine) -> None:
    # R1 by role: every group's share is withheld in priorities-by-group, so no top ten.
    r1 = engine.run("group-top", {"round": "R1"})
    assert r1.rows == [] and r1.message is None
    assert "withheld" in summaries.group_top(r1)
    # R2: only people with MS voted, so there is nothing to compare (same message).
    r2 = engine.run("group-top", {"round": "R2"})
    assert r2.message == engine.run("priorities-by-group", {"round": "R2"}).message
    assert chart_figures.group_top(r2, "page").layout.annotations


def _group(group: str, shares: dict[str, float | None]) -> list[dict]:
    return [{"group": group, "question_id": q, "title": q, "share": s,
             "ci_low": None if s is None else s - 0.05,
             "ci_high": None if s is None else s + 0.05} for q, s in shares.items()]  # fmt: skip


def test_a_question_one_group_cares_about_that_the_combined_top_leaves_out() -> None:
    groups = (_group("a", {"Q1": 0.9, "Q2": 0.8, "Q3": 0.1, "Q4": 0.5})
              + _group("b", {"Q1": 0.5, "Q2": 0.4, "Q3": 0.9, "Q4": None}))  # fmt: skip
    balanced = [{"question_id": q, "title": q, "balanced_rank": i, "mean_group_rank": m}
                for q, i, m in (("Q1", 1, 1.5), ("Q2", 2, 2.5), ("Q3", 3, 2.5),
                                ("Q4", 4, 3.0))]  # fmt: skip
    rows = group_top_rows(groups, balanced, "share", top=2)
    got = [(r["group"], r["rank"], r["question_id"], r["in_combined_top"]) for r in rows]
    assert got == [("a", 1, "Q1", True), ("a", 2, "Q2", True),
                   ("b", 1, "Q3", False), ("b", 2, "Q1", True),
                   ("combined", 1, "Q1", True), ("combined", 2, "Q2", True)]  # fmt: skip
    assert left_out(rows) == {"b": ["Q3"]}
    flagged = next(r for r in rows if r["question_id"] == "Q3")
    assert flagged["combined_rank"] == 3
    # The whole combined ranking withheld: the flag is withheld, not "left out".
    unknown = group_top_rows(groups, [{**b, "balanced_rank": None} for b in balanced], "share",
                             top=2)  # fmt: skip
    assert all(r["in_combined_top"] is None for r in unknown) and left_out(unknown) == {}


def test_the_left_out_questions_are_named_and_marked() -> None:
    from dashboard.filters import Filters
    from dashboard.insights.result import ChartResult

    groups = (_group("a", {"Q1": 0.9, "Q2": 0.8, "Q3": 0.1})
              + _group("b", {"Q1": 0.5, "Q2": 0.4, "Q3": 0.9}))  # fmt: skip
    balanced = [{"question_id": q, "title": q, "balanced_rank": i, "mean_group_rank": 1.0}
                for i, q in enumerate(("Q1", "Q2", "Q3"), start=1)]  # fmt: skip
    rows = group_top_rows(groups, balanced, "share", top=2)
    result = ChartResult("group-top", "t", "m", Filters(), "b", "2026-01-01", 11, [],
                         frozenset(), rows, context={"groups": ["a", "b"],
                                                     "left_out": left_out(rows)})  # fmt: skip
    assert summaries.group_top(result) == (
        "Left out of the combined top 10 but in a group's top 10: “Q3” (top 10 of b)."
    )
    fig = chart_figures.group_top(result, "page")
    diamonds = [t for t in fig.data if t.marker.symbol == "diamond"]
    assert len(diamonds) == 1 and list(diamonds[0].x) == ["b"]


def test_the_demo_network_shifts_and_tops(demo_warehouse) -> None:
    engine = Engine(Settings(warehouse=demo_warehouse, k=11, query_timeout_s=60,
                             network_name=""))  # fmt: skip
    shifts = engine.run("round-shifts", {})
    assert len(shifts.context["rounds"]) >= 3 and shifts.context["movers"]
    assert any(r["rounds_in"] > 1 and r["rank"] for r in shifts.rows)
    assert chart_figures.round_shifts(shifts, "page").data
    # A rank withheld in priorities is withheld in round-shifts too (and only those).
    found = False
    for args in ({"role": "caregiver"}, {"age_band": "under-30"}, {"voter_group": "other"}):
        mine = {(r["round_id"], r["question_id"]): r
                for r in engine.run("round-shifts", args).rows}  # fmt: skip
        for rnd in engine.rounds():
            for row in engine.run("priorities", {**args, "round": rnd.round_id}).rows:
                shifted = mine[(rnd.round_id, row["question_id"])]
                assert shifted["rank"] == row["rank"]
                if row["rank"] is None:
                    assert "rank" in shifted["suppressed"]
                    found = True
        if found:
            break
    assert found, "no withheld rank on the demo network to check"
    top = engine.run("group-top", {"compare": "role"})
    groups = [r for r in top.rows if r["group"] != "combined"]
    assert groups and all(r["rank"] <= 10 for r in top.rows)
    combined = engine.run("priorities-balanced", {"compare": "role", "method": "balanced"})
    in_top = {r["question_id"] for r in combined.rows
              if r["balanced_rank"] is not None and r["balanced_rank"] <= 10}  # fmt: skip
    assert all(r["in_combined_top"] == (r["question_id"] in in_top) for r in groups)
    assert summaries.group_top(top)
