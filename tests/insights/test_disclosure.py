"""Disclosure control: the rule itself, and adversarial differencing on the fixture."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.engine import Engine
from dashboard.filters import Filters
from dashboard.insights.disclosure import protect, protect_batch, protect_nested, safe_aggregate

K = 11


def test_small_counts_are_hidden_zero_is_shown() -> None:
    hidden = protect(np.array([0, 5, 30, 40]), K)
    assert hidden.tolist() == [False, True, True, False]  # 5 hidden, 30 hidden to protect it


def test_complement_of_a_served_count_may_not_be_small() -> None:
    # 30 of 36 voters chose it: the 6 who did not would be exposed.
    assert protect(np.array([30, 6]), K).all()


def test_line_with_one_hidden_cell_gets_a_second() -> None:
    hidden = protect(np.array([[20, 4], [2, 10], [0, 0]]), K)
    assert hidden[0].all() and hidden[1].all() and not hidden[2].any()


def test_nested_chain() -> None:
    assert protect_nested([30, 25, 22, 20, 18, 5], K) == [False, True, True, True, False, True]


def test_safe_aggregate() -> None:
    assert safe_aggregate([12, 3], [False, True], K) is False
    assert safe_aggregate([12, 3, 9], [False, True, True], K) is True
    assert safe_aggregate([12, 30], [False, False], K) is True


def _served_counts(engine: Engine, chart: str, args: dict) -> dict[str, int]:
    result = engine.run(chart, args)
    if result.message:
        return {}
    out = {}
    for row in result.rows:
        count = row.get("picks", row.get("ranked", row.get("raters")))
        if count is not None:
            out[row["question_id"]] = count
        if row.get("voters") is not None:
            out["__voters__"] = row["voters"]
    return out


def test_no_small_count_is_served_or_recoverable_by_subtraction(engine: Engine) -> None:
    """Enumerate filter choices; subtract every served pair and every category family."""
    dims = {"role": ("person_with_ms", "caregiver", "other"),
            "ms_course": ("relapsing", "progressive", "not-applicable", "unknown"),
            "sex": ("female", "male", "other", "undisclosed")}  # fmt: skip
    for rnd in ("R1", "R2", "R3"):
        served: dict[frozenset, dict[str, int]] = {}
        for n in range(3):
            for chosen in itertools.combinations(dims, n):
                if {"role", "ms_course"} <= set(chosen):  # one who dimension at a time
                    continue
                for values in itertools.product(*(dims[d] for d in chosen)):
                    f = dict(zip(chosen, values, strict=True))
                    served[frozenset(f.items())] = _served_counts(
                        engine, "priorities", {"round": rnd, **f}
                    )
        for key, counts in served.items():
            for name, value in counts.items():
                assert not 0 < value < K, (rnd, key, name, value)
            # Neighbouring filter choice: drop one filter and subtract.
            for item in key:
                parent = served.get(key - {item}, {})
                for name, value in counts.items():
                    if name in parent:
                        diff = parent[name] - value
                        assert not 0 < diff < K, (rnd, key, item, name, diff)
            # Other categories of the same filter: parent minus all served siblings.
            for dim in dims:
                rest = frozenset(i for i in key if i[0] != dim)
                if rest == key and any(i[0] == dim for i in key):
                    continue
                parent = served.get(rest, {})
                siblings = [served.get(rest | {(dim, v)}, {}) for v in dims[dim]]
                for name, total in parent.items():
                    known = [s[name] for s in siblings if name in s]
                    if len(known) == len(dims[dim]) - 1:
                        remainder = total - sum(known)
                        assert not 0 < remainder < K, (rnd, rest, dim, name, remainder)


def test_every_api_count_is_zero_or_at_least_k(engine: Engine) -> None:
    from dashboard.catalogue import CATALOGUE as CHARTS

    for chart_id in CHARTS:
        args = {"question": "Q1"} if chart_id == "question-trend" else {}
        result = engine.run(chart_id, args)
        for row in result.rows:
            if row.get("people") is False:  # headlines: counts of questions or projects
                continue
            for name in result.count_fields:
                value = row.get(name)
                assert value is None or value == 0 or value >= K, (chart_id, name, row)


def test_filters_object_refuses_more_than_three_voter_filters() -> None:
    import pytest

    from dashboard.filters import FilterError

    with pytest.raises(FilterError, match="at most 3"):
        Filters.parse({"role": "caregiver", "sex": "male", "age_band": "30-39",
                       "country": "US"})  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda n: st.lists(
            st.lists(st.integers(0, 40), min_size=6, max_size=6), min_size=n, max_size=n
        )
    ),
    st.sampled_from([(6,), (2, 3), (3, 2)]),
)
def test_batched_protection_equals_one_table_at_a_time(tables, shape) -> None:
    stacked = np.array(tables, dtype=np.int64).reshape(len(tables), *shape)
    batch = protect_batch(stacked, 11)
    for i in range(len(tables)):
        assert np.array_equal(batch[i], protect(stacked[i], 11))


def test_an_empty_table_is_protected_without_error() -> None:
    assert protect(np.zeros((0, 2), dtype=np.int64), 11).shape == (0, 2)
    assert protect_batch(np.zeros((0, 3, 2), dtype=np.int64), 11).shape == (0, 3, 2)


def test_a_topic_without_questions_is_an_empty_answer(engine: Engine) -> None:
    result = engine.run("topics", {"topic": "' OR 1=1 --"})
    assert all(not r.get("questions") for r in result.rows)


def _series_consistent(rows, key, step, total) -> int:
    """A served step count must equal the difference of two served running totals."""
    checked = 0
    by_series: dict = {}
    for row in rows:
        by_series.setdefault(row[key], []).append(row)
    for series in by_series.values():
        for i, row in enumerate(series):
            if row.get(step) is None:
                continue
            before = series[i - 1].get(total) if i else 0
            assert row.get(total) is not None and before is not None, (row, step)
            assert row[step] == row[total] - before, row
            checked += 1
    return checked


def test_monthly_counts_are_never_recoverable_from_running_totals(engine: Engine) -> None:
    """Served new counts and served totals cannot be subtracted to expose a withheld month."""
    members = engine.run("members", {}).rows
    assert _series_consistent(members, "role", "new_members", "members") > 0
    accrual = engine.run("accrual", {}).rows
    _series_consistent(accrual, "project_id", "enrolled", "enrolled_to_date")


def test_withdrawn_cannot_be_subtracted_from_the_funnel(engine: Engine) -> None:
    rows = engine.run("enrollment", {}).rows
    for project in {r["project_id"] for r in rows}:
        mine = [r for r in rows if r["project_id"] == project]
        withdrawn = next(r["members"] for r in mine if r["stage"] == "withdrawn")
        if withdrawn is None:
            continue
        served = [r["members"] for r in mine if r["stage"] != "withdrawn" and r["members"]]
        amounts = served + [a - b for i, a in enumerate(served) for b in served[i + 1 :]]
        assert all(not 0 < abs(x - withdrawn) < 11 for x in amounts), (project, mine)


def test_funnel_enrolled_and_accrual_total_are_withheld_together(demo_warehouse) -> None:
    """The same number in two charts: if one withholds it, the other must too.

    Before this rule, the demo's P02 served 81 as its accrual total while the
    funnel withheld 'enrolled' (consented minus enrolled was a handful of people).
    """
    from dashboard.config import Settings

    demo = Engine(Settings(warehouse=demo_warehouse, k=K, query_timeout_s=30, network_name=""))
    last = {r["project_id"]: r["enrolled_to_date"] for r in demo.run("accrual", {}).rows}
    funnel = {r["project_id"]: r["members"] for r in demo.run("enrollment", {}).rows
              if r["stage"] == "enrolled"}  # fmt: skip
    assert last, "the demo has enrollments"
    for project, total in last.items():
        assert funnel[project] == total, project


def test_chain_anchors_stay_served_by_hiding_the_point_before() -> None:
    # 30 -> 35 (+5) would hide the anchor; hiding 30 instead leaves 12 -> 35 (+23).
    assert protect_nested([12, 30, 35, 50], K) == [False, False, True, False]
    assert protect_nested([12, 30, 35, 50], K, anchors={2}) == [False, True, False, False]
    # An anchor never displaces another anchor: 12 -> 15 stays hidden.
    assert protect_nested([12, 15], K, anchors={0, 1}) == [False, True]


def test_cohort_sizes_are_differences_of_served_year_end_totals(demo_warehouse) -> None:
    """Retention's cohort size must not let anyone recover a withheld running total."""
    from dashboard.config import Settings

    demo = Engine(Settings(warehouse=demo_warehouse, k=K, query_timeout_s=30, network_name=""))
    for role in (None, "caregiver", "other"):
        args = {"role": role} if role else {}
        totals = [(r["month"], r["members"]) for r in demo.run("members", args).rows
                  if r["role"] == (role or "all")]  # fmt: skip
        cohorts = {r["cohort"]: r["cohort_size"] for r in demo.run("retention", args).rows}
        assert any(v is not None for v in cohorts.values())
        for year, size in cohorts.items():
            if size is None:
                continue
            end = [v for m, v in totals if m.year <= year][-1]
            before = [v for m, v in totals if m.year < year]
            assert end is not None and (not before or before[-1] is not None), (role, year)
            assert size == end - (before[-1] if before else 0), (role, year)


def test_retention_all_roles_minus_served_roles_exposes_no_one(demo_warehouse) -> None:
    """Reviewer's case: cohort 2017, year 9: 83 all - 66 with MS - 14 caregivers = 3 others."""
    from dashboard.config import Settings
    from dashboard.warehouse.contract import ROLES

    demo = Engine(Settings(warehouse=demo_warehouse, k=K, query_timeout_s=30, network_name=""))
    key = ("cohort", "years_since_join")
    everyone = {tuple(r[c] for c in key): r["active"] for r in demo.run("retention", {}).rows}
    by_role = {role: {tuple(r[c] for c in key): r["active"]
                      for r in demo.run("retention", {"role": role}).rows} for role in ROLES}  # fmt: skip
    checked = 0
    for cell, total in everyone.items():
        if total is None:
            continue
        served = [by_role[role].get(cell) for role in ROLES]
        rest = total - sum(v for v in served if v is not None)
        if any(v is None for v in served):
            assert not 0 < rest < K, (cell, total, served)
            checked += 1
    assert checked, "some role is withheld somewhere on the demo"


def test_accrual_totals_never_sit_a_few_below_a_served_earlier_stage(demo_warehouse) -> None:
    """Reviewer's case: P01 consented 55 and 49 enrolled by November exposed 6 people."""
    from dashboard.config import Settings
    from dashboard.insights.projects import STAGE_ORDER

    demo = Engine(Settings(warehouse=demo_warehouse, k=K, query_timeout_s=30, network_name=""))
    funnel = demo.run("enrollment", {}).rows
    checked = 0
    for row in demo.run("accrual", {}).rows:
        upstream = [r["members"] for r in funnel if r["project_id"] == row["project_id"]
                    and r["stage"] in STAGE_ORDER[:4] and r["members"] is not None]  # fmt: skip
        if row["enrolled_to_date"] is not None:
            assert not any(0 < s - row["enrolled_to_date"] < K for s in upstream), row
            checked += 1
    assert checked
