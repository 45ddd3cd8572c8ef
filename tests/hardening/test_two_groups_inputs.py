"""Hostile `vs` values (the group a two-group comparison is compared with) on every surface
that takes it: the data API, the explorer's URL and its one callback. Each is refused with
a message; valid ones serve no count of 1..k-1."""

from __future__ import annotations

import csv
import io

import pytest

from dashboard.filters import VS_VALUES, FilterError, Filters
from tests.hardening.conftest import assert_clean, assert_no_small_counts
from tests.hardening.test_fuzz import HOSTILE, page_callback

CHART = "priorities-two-groups"
LOOKALIKES = ["role", "role=", "=caregiver", "role=caregiver=x", "ROLE=caregiver",
              "role=Caregiver", " role=caregiver", "age_band=40-49", "country=US",
              "vs=all", "ALL", "all;", "role=caregiver&role=other"]  # fmt: skip


@pytest.mark.parametrize("value", [*HOSTILE, *LOOKALIKES])
def test_hostile_vs_is_refused_by_the_filters_and_the_api(app_client, value: str) -> None:
    if value.strip() in VS_VALUES:  # surrounding blanks are trimmed, as for every filter
        return
    if value.strip():
        with pytest.raises(FilterError):
            Filters.parse({"vs": value})
    for fmt in ("json", "csv"):
        response = app_client.get(f"/api/v1/charts/{CHART}.{fmt}", query_string={"vs": value})
        assert_clean(response, f"api vs={value!r}")
        assert response.status_code in (200, 400)
        if response.status_code == 400:
            assert "vs" in response.get_json()["error"]


@pytest.mark.parametrize("value", HOSTILE[:12])
def test_hostile_vs_in_the_explorer_url_gets_a_message(app_client, value: str) -> None:
    response = app_client.post("/_dash-update-component",
                               json=page_callback("/priorities", f"?vs={value}"))  # fmt: skip
    assert_clean(response, f"layout vs={value!r}")
    assert response.status_code == 200 and "view-error" in response.get_data(as_text=True)


@pytest.mark.parametrize("query", [
    {"round": "R1", "vs": "role=caregiver"},
    {"round": "R2", "role": "person_with_ms", "vs": "all"},
    {"round": "R3", "ms_course": "relapsing", "vs": "role=caregiver"},
    {"round": "R3", "ms_course": "progressive", "vs": "voter_group=caregiver", "sex": "female"},
])  # fmt: skip
def test_valid_comparisons_serve_no_small_count(app_client, count_fields, query) -> None:
    fields = count_fields[CHART]
    assert {"base_a", "base_b", "count_a", "count_b"} <= fields
    body = app_client.get(f"/api/v1/charts/{CHART}.json", query_string=query)
    assert body.status_code == 200
    assert_no_small_counts(body.get_json()["rows"], fields, f"json {query}")
    text = app_client.get(f"/api/v1/charts/{CHART}.csv", query_string=query)
    rows = list(csv.DictReader(io.StringIO(text.get_data(as_text=True))))
    assert_no_small_counts(rows, fields, f"csv {query}", csv_text=True)
