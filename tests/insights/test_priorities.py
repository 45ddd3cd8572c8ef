"""Priorities on the fixture, with the numbers counted by hand in fixtures/export/README.md."""

from __future__ import annotations

import pytest

from dashboard.engine import Engine


def _by_question(rows: list[dict]) -> dict[str, dict]:
    return {r["question_id"]: r for r in rows}


def test_default_round_is_the_latest_with_votes(engine: Engine) -> None:
    assert engine.run("priorities", {}).context["round"]["round_id"] == "R3"


def test_pick_round_shares_and_suppression(engine: Engine) -> None:
    result = engine.run("priorities", {"round": "R1"})
    rows = _by_question(result.rows)
    assert rows["Q1"]["picks"] == 22 and rows["Q1"]["voters"] == 36
    assert rows["Q1"]["share"] == pytest.approx(22 / 36)
    assert rows["Q2"]["picks"] == 16
    assert rows["Q3"]["picks"] is None and "ci_low" in rows["Q3"]["suppressed"]
    assert [r["question_id"] for r in result.rows] == ["Q1", "Q2", "Q3"]
    assert rows["Q1"]["tier"] == rows["Q2"]["tier"] == 1  # intervals overlap: tied
    assert rows["Q3"]["rank"] is None


def test_rank_round_borda(engine: Engine) -> None:
    rows = _by_question(engine.run("priorities", {"round": "R2"}).rows)
    assert (rows["Q1"]["ranked"], rows["Q1"]["points"]) == (12, 24)
    assert (rows["Q2"]["ranked"], rows["Q2"]["points"]) == (24, 36)
    assert rows["Q2"]["mean_points"] == pytest.approx(1.5)
    assert rows["Q2"]["rank"] == 1 and rows["Q3"]["tier"] == 2


def test_rate_round_means(engine: Engine) -> None:
    rows = _by_question(engine.run("priorities", {"round": "R3"}).rows)
    assert rows["Q1"]["mean_rating"] == pytest.approx(4.5)
    assert rows["Q2"]["mean_rating"] == pytest.approx(2.5)
    assert rows["Q1"]["rated_4_or_5"] == 24 and rows["Q2"]["rated_4_or_5"] == 0


def test_small_group_says_too_few(engine: Engine) -> None:
    result = engine.run("priorities", {"round": "R3", "sex": "undisclosed"})
    assert result.rows == [] and result.message


def test_comparison_and_balanced_by_role(engine: Engine) -> None:
    comp = engine.run("priorities-by-group", {"round": "R3", "compare": "role"})
    assert comp.context["groups"] == ["person_with_ms", "caregiver"]
    rows = {(r["question_id"], r["group"]): r for r in comp.rows}
    assert rows[("Q1", "caregiver")]["raters"] == 12
    bal = engine.run("priorities-balanced", {"round": "R3", "compare": "role"})
    assert [r["question_id"] for r in bal.rows] == ["Q1", "Q2"]
    assert bal.rows[0]["bridging_score"] == pytest.approx(4.0)  # caregivers' mean for Q1


def test_funnel_and_participation(engine: Engine) -> None:
    funnel = {r["stage"]: r["members"] for r in engine.run("enrollment", {"project": "P1"}).rows}
    assert funnel["invited"] == 30
    # 18 enrolled, 12 of them by May (served by accrual): 18 would reveal June's 6.
    assert funnel["enrolled"] is None
    assert funnel["screened"] is None  # 30 - 25 = 5 would leave the funnel
    active = engine.run("active-members", {}).rows
    assert {"month": active[-1]["month"], "active": active[-1]["active"]} == {
        "month": active[-1]["month"],
        "active": 40,
    }


def test_voter_group_compares_progressive_ms_with_caregivers(demo_warehouse) -> None:
    """One view holds people with progressive MS and caregivers side by side."""
    from dashboard.config import Settings

    demo = Engine(Settings(warehouse=demo_warehouse, k=11, query_timeout_s=30, network_name=""))
    result = demo.run("priorities-by-group", {"round": "R4", "compare": "voter_group"})
    groups = result.context["groups"]
    assert {"progressive", "caregiver"} <= set(groups), groups
    progressive = demo.run("priorities", {"round": "R4", "ms_course": "progressive"})
    same = demo.run("priorities", {"round": "R4", "voter_group": "progressive"})
    # The same people, so the same numbers (and the same cells withheld).
    assert [r.get("picks") for r in progressive.rows] == [r.get("picks") for r in same.rows]
    in_compare = {r["question_id"]: r.get("picks") for r in result.rows
                  if r["group"] == "progressive"}  # fmt: skip
    assert in_compare == {r["question_id"]: r.get("picks") for r in progressive.rows}


@pytest.mark.parametrize(
    "args",
    [{"role": "caregiver", "ms_course": "progressive"},
     {"ms_type": "PPMS", "compare": "role"},
     {"voter_group": "caregiver", "compare": "ms_course"}],
)  # fmt: skip
def test_overlapping_group_dimensions_are_used_one_at_a_time(engine: Engine, args) -> None:
    from dashboard.filters import FilterError

    with pytest.raises(FilterError, match=r"role|compare"):
        engine.run("priorities-by-group" if "compare" in args else "priorities", args)


@pytest.mark.parametrize(("redundant", "plain"), [
    ({"round": "R1", "duration_band": "not-applicable", "role": "caregiver"},
     {"round": "R1", "role": "caregiver"}),
    ({"round": "R3", "duration_band": "not-applicable"},
     {"round": "R3", "ms_course": "not-applicable"}),
])  # fmt: skip
def test_one_group_gets_one_answer_whatever_its_name(engine: Engine, redundant, plain) -> None:
    for chart in ("priorities", "topics", "priorities-by-group"):
        a, b = engine.run(chart, redundant), engine.run(chart, plain)
        assert a.rows == b.rows and a.message == b.message, chart


def test_on_the_demo_network_redundant_names_once_answered_differently(demo_warehouse) -> None:
    """Without canonical filters the finer, redundant table answered differently; now one."""
    from dashboard.config import Settings
    from dashboard.filters import Filters
    from dashboard.insights import priorities

    engine = Engine(Settings(warehouse=demo_warehouse, k=11, query_timeout_s=30,
                             network_name=""))  # fmt: skip
    pairs = [({"duration_band": "not-applicable", "role": "caregiver"}, {"role": "caregiver"}),
             ({"duration_band": "not-applicable"}, {"ms_course": "not-applicable"}),
             ({"duration_band": "not-applicable", "country": "GB"},
              {"ms_course": "not-applicable", "country": "GB"})]  # fmt: skip
    raw_differs = 0
    for rnd in engine.rounds():
        for redundant, plain in pairs:
            a = {"round": rnd.round_id, **redundant}
            b = {"round": rnd.round_id, **plain}
            raw = [priorities.priorities(engine.warehouse, Filters.parse(x), 11) for x in (a, b)]
            raw_differs += (raw[0].rows, raw[0].message) != (raw[1].rows, raw[1].message)
            served = [engine.run("priorities", x) for x in (a, b)]
            assert (served[0].rows, served[0].message) == (served[1].rows, served[1].message)
    assert raw_differs > 0  # the test would catch the old behaviour
