"""Filters: the only door from input to query; hostile values never get through."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.filters import FilterError, Filters

HOSTILE = [
    {"round": "R1'; DROP TABLE votes; --"},
    {"role": "caregiver OR 1=1"},
    {"country": "../../etc/passwd"},
    {"role": ["caregiver", "other"]},
    {"round": "R" * 500},
    {"from": "2020-13-45"},
    {"unknown": "x"},
    {"compare": "member_key"},
    {"role": {"$ne": 1}},
    {"topic": "a\x00b"},
]


@pytest.mark.parametrize("args", HOSTILE)
def test_hostile_values_are_refused_with_a_message(args: dict) -> None:
    with pytest.raises(FilterError) as info:
        Filters.parse(args)
    assert str(info.value)


def test_valid_values_round_trip() -> None:
    f = Filters.parse({"round": "R7", "role": "caregiver", "from": "2024-01-01"})
    assert f.date_from == dt.date(2024, 1, 1)
    assert Filters.parse(f.to_query()) == f


def test_chart_specific_allow_list() -> None:
    with pytest.raises(FilterError, match="accepts"):
        Filters.parse({"role": "caregiver"}, allowed={"project"})


@given(st.dictionaries(st.text(max_size=20), st.text(max_size=200), max_size=5))
def test_anything_else_is_either_valid_or_a_filter_error(args: dict) -> None:
    with contextlib.suppress(FilterError):
        Filters.parse(args)


def test_group_filter_limit_is_the_filters_own() -> None:
    """Filters stand alone: the limit lives here, and disclosure control is not imported."""
    import subprocess
    import sys

    from dashboard.filters import MAX_GROUP_FILTERS

    dims = ["age_band", "sex", "country", "duration_band"][: MAX_GROUP_FILTERS + 1]
    values = {"age_band": "30-39", "sex": "female", "country": "GB", "duration_band": "5-9"}
    with pytest.raises(FilterError, match=f"at most {MAX_GROUP_FILTERS} voter filters"):
        Filters.parse({d: values[d] for d in dims})
    code = "import sys, dashboard.filters; print('dashboard.insights.disclosure' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_without_ms_matches_the_who_axis() -> None:
    """WITHOUT_MS names exactly the who filters whose category is people without MS."""
    from dashboard.filters import WITHOUT_MS
    from dashboard.insights.cube import WHO_BLOCKS, WHO_LABEL

    without = {"not-applicable", *WHO_BLOCKS["not-applicable"]}
    assert {key for key, label in WHO_LABEL.items() if label in without} == WITHOUT_MS


@pytest.mark.parametrize(("redundant", "plain"), [
    ({"duration_band": "not-applicable", "role": "caregiver"}, {"role": "caregiver"}),
    ({"duration_band": "not-applicable", "voter_group": "other", "country": "GB"},
     {"voter_group": "other", "country": "GB"}),
    ({"duration_band": "not-applicable"}, {"ms_course": "not-applicable"}),
    ({"duration_band": "not-applicable", "sex": "female", "age_band": "30-39"},
     {"ms_course": "not-applicable", "sex": "female", "age_band": "30-39"}),
])  # fmt: skip
def test_one_group_under_two_names_is_one_filter_set(redundant: dict, plain: dict) -> None:
    assert Filters.parse(redundant).canonical() == Filters.parse(plain).canonical()


def test_duration_beside_people_with_ms_is_kept() -> None:
    kept = {"duration_band": "not-applicable", "role": "person_with_ms"}
    assert Filters.parse(kept).canonical() == Filters.parse(kept)
    assert Filters.parse({"duration_band": "5-9"}).canonical().duration_band == "5-9"
