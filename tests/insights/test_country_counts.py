"""Members per country across releases, and beside the members chart's totals.

Hand-counted: caregivers in three countries (every other role 40 in each). An earlier
release served GB 20, IE 12, US 30 caregivers. Now GB has 23, IE 12, US 41.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from dashboard.filters import Filters
from dashboard.insights import participation
from dashboard.insights.disclosure import protect_with_increments

K = 11
NOW = {"GB": 23, "IE": 12, "US": 41}
BEFORE = {"GB": 20, "IE": 12, "US": 30}
ROLES = ("person_with_ms", "caregiver", "other")


class Releases:
    """Just what `countries` reads: this release's counts and what an earlier release
    last served (None: a first release)."""

    building = False

    def __init__(self, before: dict[str, int] | None) -> None:
        self.before = before

    def run_named(self, name: str, params: dict[str, Any]) -> tuple[pd.DataFrame, None]:
        if name == "country_members":
            rows = [(c, role, n if role == "caregiver" else 40)
                    for c, n in NOW.items() for role in ROLES]  # fmt: skip
            return pd.DataFrame(rows, columns=["country", "role", "members"]), None
        assert name == "previous_result" and params["chart"] == participation.COUNTRY_TABLE
        if self.before is None:
            return pd.DataFrame(columns=["body", "previous_as_of"]), None
        body = {f"{c}|{role}": (self.before[c] if role == "caregiver" else 40)
                for c in NOW for role in ROLES}  # fmt: skip
        body |= {f"{c}|all": self.before[c] + 80 for c in NOW}
        return pd.DataFrame({"body": [json.dumps(body)], "previous_as_of": ["2026-10-01"]}), None

    def remember(self, key: Any, compute: Any) -> Any:
        return compute()

    def snapshot(self) -> SimpleNamespace:
        return SimpleNamespace(build_id="b", as_of="2026-11-01", network="")


@pytest.fixture
def margins(monkeypatch: pytest.MonkeyPatch) -> dict[str, bool]:
    """Which of the members chart's last totals it withholds (none, unless a test says)."""
    withheld = dict.fromkeys([*ROLES, "all"], False)
    monkeypatch.setattr(participation, "_members_margins_withheld", lambda wh, k: withheld)
    return withheld


def served(before: dict[str, int] | None, role: str | None) -> dict[str, int | None]:
    result = participation.countries(Releases(before), Filters(role=role), K)  # type: ignore[arg-type]
    return {r["country"]: r["members"] for r in result.rows}


def test_a_first_release_serves_every_count_as_it_is(margins: dict[str, bool]) -> None:
    assert served(None, "caregiver") == {"US": 41, "GB": 23, "IE": 12}
    assert served(None, None) == {"US": 121, "GB": 103, "IE": 92}


def test_a_count_1_to_k_minus_1_above_what_was_served_is_withheld(
    margins: dict[str, bool],
) -> None:
    """GB 20 then 23 would tell that 3 caregivers joined there; withheld with a partner,
    so the column's total (the members chart's) does not give it back."""
    shown = served(BEFORE, "caregiver")
    assert shown["GB"] is None
    assert sum(v is None for v in shown.values()) >= 2, shown
    assert shown["US"] in (41, None)  # 11 more: may be served
    everyone = served(BEFORE, None)
    assert everyone["GB"] is None  # 100 then 103: its total moved by 3 as well


def test_a_total_the_members_chart_withholds_is_not_given_back(
    margins: dict[str, bool],
) -> None:
    """The countries' caregivers add up to the members chart's last caregiver total: where
    that chart withholds it, so must the countries (one of them, at least)."""
    margins["caregiver"] = True
    assert None in served(None, "caregiver").values()
    margins["all"] = True
    assert None in served(None, None).values()


def test_a_country_withheld_among_all_members_is_withheld_in_every_role(
    margins: dict[str, bool],
) -> None:
    everyone = served(BEFORE, None)
    hidden = [c for c, v in everyone.items() if v is None]
    assert hidden
    for role in ROLES:
        by_role = served(BEFORE, role)
        assert all(by_role[c] is None for c in hidden), (role, by_role)


def test_the_next_release_reads_what_was_last_served(margins: dict[str, bool]) -> None:
    found = participation.country_table(Releases(BEFORE), K)  # type: ignore[arg-type]
    stored = json.loads(participation.encode_country_table(found))
    last = stored["last"]
    assert last["GB|caregiver"] == 20  # withheld now: the last served stays
    assert last["US|caregiver"] in (30, 41)
    # This release's true counts and decisions are kept for the next one's audit.
    (kept,) = stored["releases"]
    assert kept["names"] == ["GB", "IE", "US"]
    assert kept["counts"][0] == [40, 23, 40]
    assert kept["served"][0][1] == 0


class OlderRelease(Releases):
    """A release made before country totals were kept: role counts only."""

    def run_named(self, name: str, params: dict[str, Any]) -> tuple[pd.DataFrame, None]:
        found, snap = super().run_named(name, params)
        if name == "previous_result" and not found.empty:
            body = {key: v for key, v in json.loads(found["body"].iloc[0]).items()
                    if not key.endswith("|all")}  # fmt: skip
            found = pd.DataFrame({"body": [json.dumps(body)], "previous_as_of": ["2026-10-01"]})
        return found, snap


def test_after_an_older_release_a_total_is_compared_with_its_roles_sum(
    margins: dict[str, bool],
) -> None:
    """That release served GB as 20 + 40 + 40 = 100: 103 now would tell 3 joined."""
    result = participation.countries(OlderRelease(BEFORE), Filters(), K)  # type: ignore[arg-type]
    assert {r["country"]: r["members"] for r in result.rows}["GB"] is None


def test_a_count_that_has_not_moved_is_no_partner() -> None:
    """A later release may serve it at the same value, which would give away the cell it
    stood beside: it is counted as shown when partners are chosen. GB moved by 5 (withheld);
    IE, unmoved at 20, would be the cheapest partner; US (moved by 12) is chosen instead."""
    counts, increments = np.array([20, 30, 40]), np.array([0, 5, 12])
    mask = protect_with_increments(counts, increments, K)
    assert mask.tolist() == [False, True, True]
