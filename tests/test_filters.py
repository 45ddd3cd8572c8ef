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
